package dev.asyncpatterns.redis;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.sync.RateLimiter;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * The bucket lives in Redis (token-bucket.lua, one EVALSHA per attempt, Redis's TIME as the only
 * clock); this object only queues the local waiters, FIFO, and decides when to ask.
 *
 * State (under lock): queue of waiters; inFlight = a script call for the head is on the wire;
 * timer = armed for when the script said the head's tokens will be there. Invariant: while the
 * queue is non-empty, exactly one of inFlight / timer holds (so one limiter sends at most one call
 * at a time and never polls); while it is empty, neither does once the current call returns.
 *
 * - acquire: enqueue; if neither inFlight nor timer, become inFlight and send for the head.
 * - reply 0 (granted): dequeue the head and complete it outside the lock; if it was cancelled or
 *   timed out meanwhile, give the tokens back (the script with a negative count). Send for the
 *   next head at once if there is one.
 * - reply w > 0: arm one timer for w microseconds; it sends for whoever is head then.
 * - failure (timeout, error, open circuit): every queued waiter fails with it (the bucket cannot
 *   be consulted; each would fail the same way) and the limiter is idle again.
 * - cancel/timeout of a waiter: removed from the queue; if it was the head on the wire, the reply
 *   handles it (tokens given back).
 * Completion happens outside the lock, on Lettuce's I/O thread or the timer's thread.
 *
 * Two processes sharing a bucket each wake their head when the script says a token is due; one
 * wins, the other gets a new wait: no polling storm, no client clock, and the grant count over a
 * window follows the server's clock exactly (see RedisRateLimiterTwoProcessTest).
 */
/**
 * A token-bucket rate limiter shared by every process that uses the same Redis key: the bucket
 * is evaluated atomically in Redis by one Lua script on the server's clock, so ten instances
 * pacing at 100/s send 100/s in total, and client clocks do not matter. Same API as the in-process
 * {@link dev.asyncpatterns.core.sync.AsyncRateLimiter}, through {@link RateLimiter}.
 *
 * {@snippet class=dev.asyncpatterns.redis.snippets.RedisSnippets region=sharedLimiter}
 *
 * <p>The bucket holds up to {@code burst} tokens, refills at {@code permits} per {@code period},
 * and starts full when its key does not exist yet; the key expires once the bucket would be full
 * again anyway.
 *
 * <p><b>Fairness and waiting.</b> Waiters in this process are served first-in first-out. While
 * tokens are short, the script answers with the time until the head's tokens are due and one
 * timer wakes the head then: one Redis call per grant or due time, never a polling loop. Across
 * processes the bucket is shared but the queues are not: heads of different processes compete
 * for each token.
 *
 * <p><b>Faults.</b> Each script call is bounded by {@link Builder#timeout(Duration)} on the
 * {@link TimeSource} and guarded by a circuit breaker. If Redis cannot be asked, pending acquires
 * fail with the reason (a {@link TimeoutException}, {@link RedisUnavailableException} or Lettuce's
 * exception) rather than being granted against a limit nobody checked. A script cache flushed by a
 * Redis restart is reloaded transparently.
 *
 * <p><b>Threads.</b> Thread-safe, never blocks. Futures complete on Lettuce's I/O thread or the
 * time source's timer thread: use {@code ...Async} stages for slow work after a grant.
 *
 * @since 0.1.0
 */
public final class RedisRateLimiter implements RateLimiter {

    /** The default time one script call may take: 1 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    static final String SCRIPT = loadScript();
    private static final long MAX_UNITS = 1L << 50; // Lua numbers are exact below 2^53

    private final String key;
    private final int permits;
    private final long periodMicros;
    private final int burst;
    private final String[] keys;
    private final String sha;
    private final TimeSource time;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> commands;
    private final Guard guard;

    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

    @GuardedBy("lock")
    private boolean inFlight;

    @GuardedBy("lock")
    private @Nullable Cancellable timer;

    @GuardedBy("lock")
    private boolean closed;

    private volatile int waiterCount;

    private final LongAdder granted = new LongAdder();
    private final LongAdder calls = new LongAdder();
    private final LongAdder waits = new LongAdder();
    private final LongAdder refunds = new LongAdder();

    private RedisRateLimiter(Builder b) {
        this.key = b.key;
        this.permits = b.permits;
        this.periodMicros = b.periodMicros;
        this.burst = b.burst;
        this.keys = new String[] {b.key};
        this.time = b.timeSource != null ? b.timeSource : TimeSource.system();
        this.guard = new Guard(
                "RedisRateLimiter[" + key + "]",
                new Breaker(b.failureThreshold, Durations.toNanosSaturated(b.openDuration), time),
                b.timeout,
                time);
        this.connection = b.client.connect(StringCodec.UTF8);
        try {
            this.commands = connection.async();
            this.sha = connection.sync().scriptLoad(SCRIPT);
        } catch (RuntimeException failure) {
            connection.closeAsync();
            throw failure;
        }
    }

    /**
     * Starts building a limiter whose bucket is the Redis hash at {@code key}: every process
     * building one with the same key and rate shares it. {@link Builder#rate(int, Duration)} is
     * required.
     *
     * @param client the Lettuce client (yours: the limiter opens one connection on it and closes it
     *     in {@link #close()}, never the client)
     * @param key the bucket's Redis key, 1 to 128 characters from {@code [A-Za-z0-9_:.{}-]}
     * @return a new builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code key} is empty, too long or has other characters
     */
    public static Builder builder(RedisClient client, String key) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(key, "key");
        if (!RedisSecondLevel.PREFIX.matcher(key).matches()) {
            throw new IllegalArgumentException(
                    "key must be 1 to 128 characters from [A-Za-z0-9_:.{}-], was \"" + key + "\"");
        }
        return new Builder(client, key);
    }

    /**
     * Takes {@code tokens} tokens from the shared bucket, waiting in FIFO order (among this
     * process's waiters) until Redis says they were taken. Never blocks.
     *
     * <p>Thread-safe. The future completes with {@code null} once Redis granted the tokens; fails
     * with {@link ClosedException} if the limiter is or gets closed, or with the reason Redis could
     * not be asked (see the class comment). Cancelling it withdraws the request; tokens granted at
     * that moment are given back to the bucket.
     *
     * @param tokens how many tokens, from 1 to the burst size
     * @return a future completed with {@code null} once the tokens are taken
     * @throws IllegalArgumentException if {@code tokens < 1} or {@code tokens > burst}
     */
    @Override
    public CompletableFuture<Void> acquire(int tokens) {
        return enqueue(tokens, Long.MAX_VALUE);
    }

    /**
     * As {@link #acquire(int)}, failing with a {@link TimeoutException} if the tokens were not
     * granted within {@code timeout} (measured on the {@link TimeSource}). A zero or negative
     * timeout asks Redis once and fails at once if the tokens are not there.
     *
     * @param tokens how many tokens, from 1 to the burst size
     * @param timeout the longest time to wait
     * @return a future completed with {@code null} once the tokens are taken, or failed
     * @throws IllegalArgumentException if {@code tokens < 1} or {@code tokens > burst}
     * @throws NullPointerException if {@code timeout} is null
     */
    @Override
    public CompletableFuture<Void> acquire(int tokens, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        checkTokens(tokens);
        long nanos = Durations.toNanosSaturated(timeout);
        if (nanos <= 0) {
            return tryAcquireAsync(tokens).thenApply(taken -> {
                if (!taken) {
                    throw new CompletionException(new TimeoutException(
                            "RedisRateLimiter[" + key + "]: " + tokens + " token(s) not available at once"));
                }
                return null;
            });
        }
        return enqueue(tokens, nanos);
    }

    /**
     * Takes {@code tokens} tokens if the shared bucket holds them now and nobody in this process
     * waits: one script call, no waiting for tokens.
     *
     * @param tokens how many tokens, from 1 to the burst size
     * @return a future completed with whether the tokens were taken ({@code false} when closed),
     *     or failed if Redis could not be asked
     * @throws IllegalArgumentException if {@code tokens < 1} or {@code tokens > burst}
     */
    @Override
    public CompletableFuture<Boolean> tryAcquireAsync(int tokens) {
        checkTokens(tokens);
        lock.lock();
        try {
            if (closed || !queue.isEmpty()) {
                return CompletableFuture.completedFuture(false);
            }
        } finally {
            lock.unlock();
        }
        return call(tokens).thenApply(wait -> {
            if (wait == 0) {
                granted.increment();
                return true;
            }
            return false;
        });
    }

    @Override
    public int burst() {
        return burst;
    }

    /**
     * How many acquire requests of this process are waiting. A snapshot for monitoring.
     *
     * @return the number of queued waiters
     */
    public int waiters() {
        return waiterCount;
    }

    /**
     * The limiter's name: its bucket's key in Redis.
     *
     * @return the key
     */
    public String name() {
        return key;
    }

    /**
     * An immutable snapshot of one process's view of the limiter (the toolkit's one stats
     * vocabulary, ADR core-0003). Counts only grow; not one consistent moment while calls run.
     *
     * @param name the limiter's name (its key)
     * @param waiters acquire requests of this process queued now
     * @param granted acquires (and successful tries) granted to this process
     * @param scriptCalls script calls sent to Redis, give-backs included
     * @param waited answers "not yet, due in w": each armed the one timer
     * @param refunded grants given back because their waiter had left
     * @param failed script calls that failed, timeouts included
     * @param timedOut script calls that did not answer within the timeout
     * @param rejected script calls not sent because the circuit was open
     * @param circuitState the circuit breaker's state now
     */
    public record Stats(
            String name,
            int waiters,
            long granted,
            long scriptCalls,
            long waited,
            long refunded,
            long failed,
            long timedOut,
            long rejected,
            CircuitState circuitState) {

        /**
         * Validates the snapshot.
         *
         * @throws NullPointerException if {@code name} or {@code circuitState} is null
         */
        public Stats {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(circuitState, "circuitState");
        }
    }

    /**
     * A snapshot of this process's counters and the circuit's state.
     *
     * @return the statistics
     */
    public Stats stats() {
        return new Stats(
                key,
                waiterCount,
                granted.sum(),
                calls.sum(),
                waits.sum(),
                refunds.sum(),
                guard.errors.sum(),
                guard.timeouts.sum(),
                guard.rejected.sum(),
                guard.state());
    }

    /**
     * Closes the limiter: pending acquires fail with {@link ClosedException}, new ones fail at
     * once, the timer is cancelled and the connection closed (not the client; the bucket in Redis
     * stays for the other processes). Idempotent.
     */
    @Override
    public void close() {
        List<Waiter> failed;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            failed = new ArrayList<>(queue);
            queue.clear();
            waiterCount = 0;
        } finally {
            lock.unlock();
        }
        var closedFailure = new ClosedException("RedisRateLimiter[" + key + "] is closed: acquire refused");
        failed.forEach(w -> w.completeExceptionally(closedFailure));
        connection.closeAsync();
    }

    @Override
    public String toString() {
        return "RedisRateLimiter[key=" + key + ", rate=" + permits + "/" + Duration.ofNanos(periodMicros * 1000)
                + ", burst=" + burst + ", waiters=" + waiterCount + "]";
    }

    // ---------------------------------------------------------------- internals

    private void checkTokens(int tokens) {
        Checks.positive(tokens, "tokens");
        if (tokens > burst) {
            throw new IllegalArgumentException("tokens must not exceed the burst size " + burst + ", was " + tokens);
        }
    }

    private CompletableFuture<Void> enqueue(int tokens, long timeoutNanos) {
        checkTokens(tokens);
        var w = new Waiter(tokens);
        boolean send = false;
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(
                        new ClosedException("RedisRateLimiter[" + key + "] is closed: acquire refused"));
            }
            queue.add(w);
            waiterCount = queue.size();
            if (!inFlight && timer == null) {
                inFlight = true;
                send = true;
            }
        } finally {
            lock.unlock();
        }
        if (timeoutNanos != Long.MAX_VALUE) {
            Cancellable deadline = time.schedule(
                    Duration.ofNanos(timeoutNanos),
                    () -> w.completeExceptionally(
                            new TimeoutException("RedisRateLimiter[" + key + "].acquire(" + tokens + ") timed out")));
            w.whenComplete((v, f) -> deadline.cancel());
        }
        w.whenComplete((v, f) -> {
            if (f != null) {
                withdraw(w);
            }
        });
        if (send) {
            sendForHead();
        }
        return w;
    }

    private void withdraw(Waiter w) {
        lock.lock();
        try {
            if (queue.remove(w)) {
                waiterCount = queue.size();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Called by whoever set inFlight: asks Redis for the head's tokens. */
    private void sendForHead() {
        Waiter head;
        lock.lock();
        try {
            head = queue.peek();
            if (head == null || closed) {
                inFlight = false;
                return;
            }
        } finally {
            lock.unlock();
        }
        call(head.tokens).whenComplete((wait, failure) -> answered(head, wait, failure));
    }

    private void answered(Waiter head, Long wait, Throwable failure) {
        if (failure != null) {
            List<Waiter> failed;
            lock.lock();
            try {
                inFlight = false;
                failed = new ArrayList<>(queue);
                queue.clear();
                waiterCount = 0;
            } finally {
                lock.unlock();
            }
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            failed.forEach(w -> w.completeExceptionally(cause));
            return;
        }
        if (wait == 0) {
            boolean next;
            lock.lock();
            try {
                queue.remove(head);
                waiterCount = queue.size();
                next = !queue.isEmpty() && !closed;
                inFlight = next;
            } finally {
                lock.unlock();
            }
            granted.increment(); // before complete: the waiter's dependents may read stats()
            if (!head.complete(null)) {
                granted.decrement();
                refunds.increment();
                call(-head.tokens); // the waiter left while its tokens were being taken: give them back
            }
            if (next) {
                sendForHead();
            }
            return;
        }
        waits.increment();
        lock.lock();
        try {
            inFlight = false;
            if (queue.isEmpty() || closed) {
                return;
            }
            timer = time.schedule(Duration.ofNanos(wait * 1000), this::timerFired);
        } finally {
            lock.unlock();
        }
    }

    private void timerFired() {
        lock.lock();
        try {
            timer = null;
            if (inFlight || closed) {
                return;
            }
            inFlight = true;
        } finally {
            lock.unlock();
        }
        sendForHead();
    }

    /** One script call: 0 if taken, else microseconds until the tokens will be there. */
    private CompletableFuture<Long> call(int tokens) {
        calls.increment();
        String[] args = {
            Integer.toString(permits), Long.toString(periodMicros), Integer.toString(burst), Integer.toString(tokens)
        };
        return guard.call(
                "EVALSHA",
                () -> commands.<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args)
                        .exceptionallyCompose(failure -> isNoScript(failure)
                                ? commands.<Long>eval(
                                        SCRIPT, ScriptOutputType.INTEGER, keys, args) // Redis restarted: reload
                                : CompletableFuture.failedFuture(failure)));
    }

    private static boolean isNoScript(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RedisNoScriptException) {
                return true;
            }
        }
        return false;
    }

    private static String loadScript() {
        try (InputStream in = RedisRateLimiter.class.getResourceAsStream("token-bucket.lua")) {
            if (in == null) {
                throw new IllegalStateException("token-bucket.lua missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Waiter extends CompletableFuture<Void> {
        final int tokens;

        Waiter(int tokens) {
            this.tokens = tokens;
        }
    }

    /** Configures a {@link RedisRateLimiter}. Each setting may be given once. */
    public static final class Builder {
        private final RedisClient client;
        private final String key;
        private int permits;
        private long periodMicros;
        private @Nullable Integer burstSetting;
        private int burst;
        private Duration timeout = DEFAULT_TIMEOUT;
        private boolean timeoutSet;
        private int failureThreshold = RedisSecondLevel.DEFAULT_FAILURE_THRESHOLD;
        private Duration openDuration = RedisSecondLevel.DEFAULT_OPEN_DURATION;
        private boolean breakerSet;
        private @Nullable TimeSource timeSource;

        private Builder(RedisClient client, String key) {
            this.client = client;
            this.key = key;
        }

        /**
         * The refill rate: {@code permits} tokens per {@code period}. Required.
         *
         * @param permits tokens added per period, at least 1
         * @param period the period, at least 1 microsecond
         * @return this builder
         * @throws NullPointerException if {@code period} is null
         * @throws IllegalArgumentException if an argument is out of range
         * @throws IllegalStateException if already set
         */
        public Builder rate(int permits, Duration period) {
            Checks.positive(permits, "permits");
            Durations.requirePositive(period, "period");
            long micros = Durations.toNanosSaturated(period) / 1000;
            if (micros < 1) {
                throw new IllegalArgumentException("period must be at least 1 microsecond, was " + period);
            }
            Checks.once(this.permits != 0, "rate");
            this.permits = permits;
            this.periodMicros = micros;
            return this;
        }

        /**
         * The bucket size (and its content when created). Default: the permits of the rate.
         *
         * @param burst the most tokens held, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code burst < 1}
         * @throws IllegalStateException if already set
         */
        public Builder burst(int burst) {
            Checks.positive(burst, "burst");
            Checks.unset(burstSetting, "burst");
            this.burstSetting = burst;
            return this;
        }

        /**
         * How long one script call may take. Default {@link #DEFAULT_TIMEOUT}.
         *
         * @param timeout the timeout, positive
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         * @throws IllegalStateException if already set
         */
        public Builder timeout(Duration timeout) {
            Durations.requirePositive(timeout, "timeout");
            Checks.once(timeoutSet, "timeout");
            this.timeout = timeout;
            this.timeoutSet = true;
            return this;
        }

        /**
         * The circuit breaker around script calls, as for {@link RedisSecondLevel.Builder#circuitBreaker}.
         *
         * @param failureThreshold consecutive failures that open the circuit, at least 1
         * @param openDuration how long the circuit stays open before a probe, positive
         * @return this builder
         * @throws NullPointerException if {@code openDuration} is null
         * @throws IllegalArgumentException if an argument is out of range
         * @throws IllegalStateException if already set
         */
        public Builder circuitBreaker(int failureThreshold, Duration openDuration) {
            Checks.positive(failureThreshold, "failureThreshold");
            Durations.requirePositive(openDuration, "openDuration");
            Checks.once(breakerSet, "circuitBreaker");
            this.failureThreshold = failureThreshold;
            this.openDuration = openDuration;
            this.breakerSet = true;
            return this;
        }

        /**
         * The time source for waiting for due tokens, timeouts and the breaker. The bucket itself
         * always runs on Redis's clock. Default {@link TimeSource#system()}.
         *
         * @param timeSource the time source
         * @return this builder
         * @throws NullPointerException if {@code timeSource} is null
         * @throws IllegalStateException if already set
         */
        public Builder timeSource(TimeSource timeSource) {
            Objects.requireNonNull(timeSource, "timeSource");
            Checks.unset(this.timeSource, "timeSource");
            this.timeSource = timeSource;
            return this;
        }

        /**
         * Opens the connection and loads the script, waiting until done (call it at startup).
         *
         * @return the limiter
         * @throws IllegalStateException if no rate was given
         * @throws IllegalArgumentException if burst x period is too large for exact arithmetic
         * @throws io.lettuce.core.RedisConnectionException if Redis cannot be reached
         */
        public RedisRateLimiter build() {
            if (permits == 0) {
                throw new IllegalStateException("rate(permits, period) is required");
            }
            burst = burstSetting != null ? burstSetting : permits;
            if (periodMicros > MAX_UNITS / burst) {
                throw new IllegalArgumentException("burst (" + burst + ") x period (" + periodMicros
                        + " us) exceeds 2^50 units; use a shorter period or a smaller burst");
            }
            return new RedisRateLimiter(this);
        }
    }
}
