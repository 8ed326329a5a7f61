package dev.asyncpatterns.core.sync;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.SyncWaiter;
import dev.asyncpatterns.core.internal.WaitCounters;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * Token bucket in exact integer arithmetic. With a rate of `permits` tokens per `period`, one
 * token is worth `periodNanos` units and the bucket gains `permits` units per nanosecond of the
 * time source. `units` (<= capacityUnits = burst * periodNanos, checked for overflow at build
 * time) is refilled lazily from the elapsed time whenever the lock is taken. No floating point,
 * so a wait computed as ceil(deficit / permits) nanoseconds always finds enough tokens when the
 * timer fires on a virtual clock advanced by exactly that much.
 *
 * Waiters queue FIFO (fair: a request never jumps the queue, tryAcquire fails while anyone
 * waits). At most one refill timer is armed, for the moment the head's request will fit; when it
 * fires, the lock is taken, the bucket refilled, as many heads granted as fit, and a new timer
 * armed for the next head. A cancelled/timed-out head re-arms the timer for its successor. A
 * grant that loses the race with cancellation puts its tokens back (capped at the burst) and
 * re-runs the hand-off. Futures are completed outside the lock (SyncWaiter).
 */
/**
 * A token-bucket rate limiter whose {@link #acquire(int)} returns a future that completes when
 * the tokens are available, so callers pace themselves without blocking a thread. Use it to
 * respect an external API's quota: {@code limiter.acquire().thenCompose(ignored -> callApi())}.
 *
 * <p>The bucket holds up to {@code burst} tokens and refills continuously at {@code permits}
 * tokens per {@code period}; it starts full. Time is read from the injected {@link TimeSource}
 * (default {@link TimeSource#system()}), so tests can run it on a virtual clock.
 *
 * <p><b>Fairness.</b> First-in, first-out: requests are served in arrival order and a large
 * request at the head holds back smaller ones behind it until its tokens have accumulated (it
 * is never starved). {@link #tryAcquire(int)} does not barge past waiters.
 *
 * <p><b>Cancellation.</b> Cancelling (or timing out) a pending acquire withdraws the request; if
 * the tokens were being handed to it at that moment, they are put back for the next waiter.
 *
 * <p><b>Linearizability.</b> On a virtual clock advanced by whole refill periods, tryAcquire,
 * acquire, close and the clock's advance are linearizable (Lincheck, {@code stress} module), with
 * one window by design: the refill timer is armed with a delay relative to the time read just
 * before, so a clock that moves between that read and the {@code schedule} call makes the waiter
 * late by that much (on a real clock, by the nanoseconds between the two calls; tokens are never
 * lost, only the wake-up is late). With 1 token per second and a burst of 2, thread 1's waiting
 * {@code acquire(2)} armed its timer while thread 2 advanced the clock, and the advances that
 * follow do not serve it:
 * <pre>
 * | tryAcquire(2): true                              |                           |
 * | advance(): void                                  |                           |
 * | acquire(0, 2): void                              | advance(): void           |
 * | advance(): void                                  | acquire(1, 2): void       |
 * | tryAcquire(1): false                             | acquire(1, 1): void       |
 * | acquired(0): ok:1 pending:0 cancelled:0 failed:0 |                           |
 * | acquired(1): ok:0 pending:2 cancelled:0 failed:0 |                           |
 * | availableTokens(): 0                             |                           |
 * | waiters(): 2                                     |                           |
 * </pre>
 * (Three one-second advances after the bucket was emptied at time 0: a sequential limiter serves
 * the first {@code acquire(2)} at time 2 and has a token again at time 3.)
 *
 * <p><b>Threads.</b> Thread-safe. Acquire futures are completed outside internal locks on the
 * time source's timer thread (or the caller's thread when tokens are free), so dependents run
 * there unless you use {@code ...Async} stages. {@link #close()} stops the refill timer.
 *
 * <p><b>Memory effects.</b> Actions before an {@code acquire} call happen-before the completion
 * of the acquire futures queued behind it.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.SyncSnippets region=rateLimiterAcquire}
 *
 * @since 0.1.0
 */
public final class AsyncRateLimiter implements RateLimiter {

    /**
     * A consistent snapshot of a rate limiter (ADR core-0003), read under its lock (after
     * refilling the bucket).
     *
     * @param name the limiter's name
     * @param available the whole tokens in the bucket now
     * @param burst the bucket size
     * @param waiters acquire requests queued now
     * @param waited acquire requests that had to queue, since creation
     * @param timedOut queued requests that timed out, since creation
     * @param cancelled queued requests cancelled (or completed by their caller), since creation
     * @param rejected requests refused without waiting, since creation: {@code tryAcquire} that
     *     returned {@code false}, a zero timeout that found no tokens, or an acquire after close
     * @param waitTime total time the granted requests spent queued, on the limiter's time source
     * @param closed whether the limiter is closed
     */
    public record Stats(
            String name,
            int available,
            int burst,
            int waiters,
            long waited,
            long timedOut,
            long cancelled,
            long rejected,
            Duration waitTime,
            boolean closed) {

        /**
         * Queued requests that were granted (or failed by {@code close}):
         * {@code waited - timedOut - cancelled - waiters}.
         *
         * @return the count since creation
         */
        public long granted() {
            return waited - timedOut - cancelled - waiters;
        }
    }

    private final int permits;
    private final long periodNanos;
    private final int burst;
    private final long capacityUnits;
    private final TimeSource timeSource;

    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final SyncWaiter.Queue<Waiter> queue = new SyncWaiter.Queue<>();

    @GuardedBy("lock")
    private long units;

    @GuardedBy("lock")
    private long lastRefill;

    @GuardedBy("lock")
    private @Nullable Cancellable refillTimer;

    @GuardedBy("lock")
    private long timerDue; // valid while refillTimer != null

    @GuardedBy("lock")
    private long timerGeneration;

    @GuardedBy("lock")
    private boolean closed;

    private volatile int waiters;
    private final String name;

    @GuardedBy("lock")
    private final WaitCounters counters = new WaitCounters();

    @GuardedBy("lock")
    private long rejected;

    private AsyncRateLimiter(
            int permits,
            long periodNanos,
            int burst,
            long capacityUnits,
            TimeSource timeSource,
            @Nullable String name) {
        this.name = name == null ? Checks.defaultName("ratelimiter", this) : name;
        this.permits = permits;
        this.periodNanos = periodNanos;
        this.burst = burst;
        this.capacityUnits = capacityUnits;
        this.timeSource = timeSource;
        this.units = capacityUnits;
        this.lastRefill = timeSource.nanoTime();
    }

    /**
     * Starts building a rate limiter. {@link Builder#rate(int, Duration)} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A limiter allowing {@code permitsPerSecond} acquires per second with a burst of the same
     * size, on {@link TimeSource#system()}.
     *
     * @param permitsPerSecond tokens added per second, and the bucket size
     * @return the limiter
     * @throws IllegalArgumentException if {@code permitsPerSecond < 1}
     */
    public static AsyncRateLimiter perSecond(int permitsPerSecond) {
        return builder().rate(permitsPerSecond, Duration.ofSeconds(1)).build();
    }

    /**
     * Takes one token, waiting if necessary. Same as {@code acquire(1)}.
     *
     * @return a future completed with {@code null} once the token is taken
     */
    @Override
    public CompletableFuture<Void> acquire() {
        return acquire(1);
    }

    /**
     * Takes {@code tokens} tokens, waiting in FIFO order until the bucket holds them. Never
     * blocks the caller.
     *
     * <p>Thread-safe. The future completes with {@code null} once the tokens are taken (at once
     * if they are there and nobody waits), or fails with {@link ClosedException} if the limiter
     * is or gets closed. Cancelling it withdraws the request without consuming tokens.
     *
     * @param tokens how many tokens, from 1 to the burst size
     * @return a future completed with {@code null} once the tokens are taken
     * @throws IllegalArgumentException if {@code tokens < 1} or {@code tokens > burst} (it could
     *     never be satisfied)
     */
    @Override
    public CompletableFuture<Void> acquire(int tokens) {
        return acquire(tokens, Long.MAX_VALUE);
    }

    /**
     * Takes {@code tokens} tokens, or fails with a {@link TimeoutException} if they could not be
     * taken within {@code timeout}.
     *
     * <p>As {@link #acquire(int)}. A zero or negative timeout never waits: the future is already
     * complete, successfully or with a {@code TimeoutException}. A timeout racing with the
     * hand-off never consumes the tokens.
     *
     * @param tokens how many tokens, from 1 to the burst size
     * @param timeout the longest time to wait
     * @return a future completed with {@code null} once the tokens are taken, or failed
     * @throws IllegalArgumentException if {@code tokens < 1} or {@code tokens > burst}
     * @throws NullPointerException if {@code timeout} is null
     */
    @Override
    public CompletableFuture<Void> acquire(int tokens, Duration timeout) {
        long nanos = Durations.toNanosSaturated(Objects.requireNonNull(timeout, "timeout"));
        return acquire(tokens, Math.max(0, nanos));
    }

    /**
     * Takes {@code tokens} tokens if the bucket holds them and nobody waits; never waits.
     *
     * @param tokens how many tokens, from 1 to the burst size
     * @return whether the tokens were taken ({@code false} after {@link #close()})
     * @throws IllegalArgumentException if {@code tokens < 1} or {@code tokens > burst}
     */
    public boolean tryAcquire(int tokens) {
        checkTokens(tokens);
        lock.lock();
        try {
            refillLocked();
            long need = tokens * periodNanos;
            if (!closed && queue.isEmpty() && units >= need) {
                units -= need;
                return true;
            }
            rejected++;
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes one token if available and nobody waits. Same as {@code tryAcquire(1)}.
     *
     * @return whether the token was taken
     */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * {@link #tryAcquire(int)} as an already completed future, for code written against
     * {@link RateLimiter}.
     *
     * @param tokens how many tokens, from 1 to the burst size
     * @return a completed future holding whether the tokens were taken
     * @throws IllegalArgumentException if {@code tokens < 1} or {@code tokens > burst}
     */
    @Override
    public CompletableFuture<Boolean> tryAcquireAsync(int tokens) {
        return CompletableFuture.completedFuture(tryAcquire(tokens));
    }

    /**
     * The whole tokens in the bucket right now (after refilling). A snapshot for monitoring.
     *
     * @return the available tokens, from 0 to the burst size
     */
    public int availableTokens() {
        lock.lock();
        try {
            refillLocked();
            return (int) (units / periodNanos);
        } finally {
            lock.unlock();
        }
    }

    /**
     * How many acquire requests are waiting. A snapshot for monitoring.
     *
     * @return the number of queued waiters
     */
    public int waiters() {
        return waiters;
    }

    /**
     * The bucket size.
     *
     * @return the burst size
     */
    @Override
    public int burst() {
        return burst;
    }

    /**
     * Closes the limiter: pending acquires fail with {@link ClosedException}, new ones fail at
     * once, and the refill timer is cancelled. Idempotent.
     */
    @Override
    public void close() {
        SyncWaiter.Chain failed = new SyncWaiter.Chain();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            cancelTimerLocked();
            Waiter w;
            while ((w = queue.poll()) != null) {
                failed.add(w);
            }
            waiters = 0;
        } finally {
            lock.unlock();
        }
        SyncWaiter.failChain(failed.first, () -> new ClosedException("AsyncRateLimiter is closed: acquire refused"));
    }

    /**
     * The limiter's name, for logs and metrics (default {@code ratelimiter@<hash>}).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * A consistent snapshot of the bucket, the waiters and the counters. Takes the internal lock
     * briefly (never held while user code runs); allocates only the record.
     *
     * @return the stats
     */
    public Stats stats() {
        lock.lock();
        try {
            refillLocked();
            return new Stats(
                    name,
                    (int) (units / periodNanos),
                    burst,
                    queue.size(),
                    counters.waited(),
                    counters.timedOut(),
                    counters.cancelled(),
                    rejected,
                    counters.waitTime(),
                    closed);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "AsyncRateLimiter[" + name + ", rate=" + permits + "/" + Duration.ofNanos(periodNanos) + ", burst="
                + burst + ", waiters=" + waiters + "]";
    }

    // ---------------------------------------------------------------- internals

    private void checkTokens(int tokens) {
        Checks.positive(tokens, "tokens");
        if (tokens > burst) {
            throw new IllegalArgumentException("tokens must not exceed the burst size " + burst + ", was " + tokens);
        }
    }

    private CompletableFuture<Void> acquire(int tokens, long timeoutNanos) {
        checkTokens(tokens);
        Waiter w;
        lock.lock();
        try {
            if (closed) {
                rejected++;
                return CompletableFuture.failedFuture(
                        new ClosedException("AsyncRateLimiter is closed: acquire refused"));
            }
            refillLocked();
            long need = tokens * periodNanos;
            if (queue.isEmpty() && units >= need) {
                units -= need;
                return SyncWaiter.DONE;
            }
            if (timeoutNanos <= 0) {
                rejected++;
                return CompletableFuture.failedFuture(
                        new TimeoutException("AsyncRateLimiter: " + tokens + " token(s) not available at once"));
            }
            w = new Waiter(this, tokens, timeSource.nanoTime());
            queue.add(w);
            counters.enqueued();
            waiters = queue.size();
            if (queue.peek() == w) {
                armTimerLocked();
            }
        } finally {
            lock.unlock();
        }
        if (timeoutNanos != Long.MAX_VALUE) {
            w.startTimer(timeSource, timeoutNanos, "AsyncRateLimiter.acquire(" + tokens + ")");
        }
        return w;
    }

    @GuardedBy("lock")
    private void refillLocked() {
        long now = timeSource.nanoTime();
        long elapsed = now - lastRefill;
        if (elapsed <= 0) {
            return;
        }
        lastRefill = now;
        long room = capacityUnits - units;
        // elapsed * permits may overflow: compare by division first
        if (elapsed >= room / permits + 1) {
            units = capacityUnits;
        } else {
            units = Math.min(capacityUnits, units + elapsed * permits);
        }
    }

    /** Grants heads that fit, then arms the timer for the next head. Call under lock. */
    @GuardedBy("lock")
    private void drainLocked(SyncWaiter.Chain granted) {
        refillLocked();
        Waiter head;
        while ((head = queue.peek()) != null && units >= head.tokens * periodNanos) {
            queue.remove(head);
            counters.granted(lastRefill - head.enqueuedAt); // refillLocked just read the clock
            units -= head.tokens * periodNanos;
            granted.add(head);
        }
        waiters = queue.size();
        armTimerLocked();
    }

    /** Ensures a timer is armed for when the head fits (or none when nobody waits). */
    @GuardedBy("lock")
    private void armTimerLocked() {
        Waiter head = queue.peek();
        if (head == null || closed) {
            cancelTimerLocked();
            return;
        }
        long deficit = head.tokens * periodNanos - units;
        long wait = deficit <= 0 ? 0 : (deficit + permits - 1) / permits;
        long due = Durations.saturatedAdd(lastRefill, wait);
        if (refillTimer != null) {
            if (timerDue == due) {
                return;
            }
            cancelTimerLocked();
        }
        timerDue = due;
        long generation = ++timerGeneration;
        refillTimer = timeSource.schedule(
                Duration.ofNanos(Math.max(0, due - timeSource.nanoTime())), () -> redistribute(null, 0, generation));
    }

    @GuardedBy("lock")
    private void cancelTimerLocked() {
        if (refillTimer != null) {
            refillTimer.cancel();
            refillTimer = null;
        }
    }

    /**
     * Takes the lock, optionally removes an abandoned waiter or returns lost tokens, grants what
     * fits and re-arms the timer; fires the granted waiters after unlocking.
     */
    private void redistribute(@Nullable Waiter abandoned, int returnedTokens, long firedGeneration) {
        SyncWaiter.Chain granted = new SyncWaiter.Chain();
        lock.lock();
        try {
            if (abandoned != null) {
                if (!queue.remove(abandoned)) {
                    return; // already granted: its grant will lose and return the tokens
                }
                counters.abandoned(abandoned);
            }
            if (firedGeneration == timerGeneration) {
                refillTimer = null; // we are the armed timer, now spent
            }
            refillLocked();
            if (returnedTokens > 0) {
                units = Math.min(capacityUnits, units + returnedTokens * periodNanos);
            }
            if (closed) {
                return;
            }
            drainLocked(granted);
        } finally {
            lock.unlock();
        }
        SyncWaiter.fireChain(granted.first);
    }

    private static final class Waiter extends SyncWaiter<Void> {
        final AsyncRateLimiter owner;
        final int tokens;
        final long enqueuedAt;

        Waiter(AsyncRateLimiter owner, int tokens, long enqueuedAt) {
            this.owner = owner;
            this.tokens = tokens;
            this.enqueuedAt = enqueuedAt;
        }

        @Override
        public void fire() {
            if (!grant(null)) {
                owner.redistribute(null, tokens, -1);
            }
        }

        @Override
        public void abandoned() {
            owner.redistribute(this, 0, -1);
        }
    }

    /**
     * Configures an {@link AsyncRateLimiter}. Each setting may be given once; {@link #build()}
     * snapshots them.
     */
    public static final class Builder {
        private int permits;
        private long periodNanos;
        private @Nullable Integer burstSetting;
        private @Nullable TimeSource timeSource;
        private @Nullable String name;

        private Builder() {}

        /**
         * The name used in logs, {@link #toString()} and {@link AsyncRateLimiter#stats()}
         * (default {@code ratelimiter@<hash>}).
         *
         * @param name the name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank, longer than 200 characters or
         *     holds a control character
         * @throws IllegalStateException if already set
         */
        public Builder name(String name) {
            Checks.name(name);
            Checks.once(this.name != null, "name");
            this.name = name;
            return this;
        }

        /**
         * The refill rate: {@code permits} tokens per {@code period}, added continuously
         * (e.g. {@code rate(5, Duration.ofSeconds(1))}, or {@code rate(1, Duration.ofMillis(400))}
         * for 2.5 per second). Required.
         *
         * @param permits tokens per period, at least 1
         * @param period the period, positive, at most about 3 years
         * @return this builder
         * @throws IllegalArgumentException if a value is out of range
         * @throws NullPointerException if {@code period} is null
         * @throws IllegalStateException if the rate was already set
         */
        public Builder rate(int permits, Duration period) {
            Checks.positive(permits, "permits");
            Durations.requirePositive(period, "period");
            Checks.once(this.periodNanos != 0, "rate");
            long nanos = Durations.toNanosSaturated(period);
            if (nanos == Long.MAX_VALUE) {
                throw new IllegalArgumentException("period is too long, was " + period);
            }
            this.permits = permits;
            this.periodNanos = nanos;
            return this;
        }

        /**
         * The bucket size: the most tokens that can be taken at once after a quiet spell.
         * Default: the {@code permits} of the rate.
         *
         * @param burst the bucket size, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code burst < 1}
         * @throws IllegalStateException if the burst was already set
         */
        public Builder burst(int burst) {
            Checks.positive(burst, "burst");
            Checks.unset(burstSetting, "burst");
            this.burstSetting = burst;
            return this;
        }

        /**
         * The clock that refills the bucket and times out waiters. Default
         * {@link TimeSource#system()}.
         *
         * @param timeSource the time source
         * @return this builder
         * @throws NullPointerException if {@code timeSource} is null
         * @throws IllegalStateException if the time source was already set
         */
        public Builder timeSource(TimeSource timeSource) {
            this.timeSource = Checks.setOnce(this.timeSource, timeSource, "timeSource", "timeSource");
            return this;
        }

        /**
         * Builds the limiter, with a full bucket.
         *
         * @return a new limiter
         * @throws IllegalStateException if no rate was set
         * @throws IllegalArgumentException if {@code burst * period} is too large to represent in
         *     nanoseconds
         */
        public AsyncRateLimiter build() {
            if (periodNanos == 0) {
                throw new IllegalStateException("rate(permits, period) is required");
            }
            int burst = burstSetting != null ? burstSetting : permits;
            long capacityUnits;
            try {
                capacityUnits = Math.multiplyExact((long) burst, periodNanos);
            } catch (ArithmeticException overflow) {
                throw new IllegalArgumentException(
                        "burst x period is too large: " + burst + " x " + Duration.ofNanos(periodNanos));
            }
            TimeSource clock = timeSource != null ? timeSource : TimeSource.system();
            return new AsyncRateLimiter(permits, periodNanos, burst, capacityUnits, clock, name);
        }
    }
}
