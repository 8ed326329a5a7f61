package dev.asyncpatterns.core.sync;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.GuardedCall;
import dev.asyncpatterns.core.internal.SyncWaiter;
import dev.asyncpatterns.core.internal.WaitCounters;
import dev.asyncpatterns.core.time.TimeSource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * State word (volatile long `state`): bits 0..61 hold the available permits, bit 62 (WAITERS)
 * says "the queue is not empty". Invariant: WAITERS is set iff the queue holds a waiter
 * (transitions happen under `lock`), and at rest, with WAITERS set, the available permits are
 * fewer than the head waiter needs.
 *
 * Fast paths (no lock): while WAITERS is clear, acquire CASes permits down and release CASes
 * them up. A CAS names the exact old value, so it fails as soon as anyone sets WAITERS.
 * Slow paths (under lock): once WAITERS is set, only lock holders write the state word, so a
 * release adds its permits with a plain volatile write and then hands permits to the head of the
 * queue for as long as the head's request fits (drainLocked). An acquire that does not fit sets
 * WAITERS by CAS (racing only with fast paths) and enqueues.
 *
 * Fairness: strict FIFO, no barging. While anyone waits, acquire/tryAcquire never take permits
 * past the queue, and a head request for n permits blocks the smaller requests behind it until n
 * are free. So a large acquire(n) waits at most for the permits held when it arrived plus those
 * taken by requests queued ahead of it: it is never starved. (docs/adr/sync-0001-semaphore-fairness.md)
 *
 * Cancellation/timeout and the permit hand-off race: see SyncWaiter. A granted waiter whose
 * grant loses (cancelled at the same moment) gives its permits back through release(), which
 * passes them on to the next waiter. Waiter futures are completed outside the lock.
 *
 * Wait timing (issue 20): the queued path reads the time source only once stats() has been
 * called (timeWaits, under lock), so the two nanoTime reads per queued hand-off are paid only by
 * somebody who reads waitTime.
 *
 * Monitoring (issue 21): availablePermits() reads the state word and waiters() a separate
 * volatile, so two calls are two moments and a reader can combine a state with a later one
 * ("permits free and somebody waiting" for one-permit requests, which no sequential history
 * shows). stats() takes the lock and reads the state word and the queue together: under the lock
 * WAITERS and the queue only change by lock holders, and while WAITERS is clear the queue is
 * empty, so whatever the fast paths do meanwhile the pair is one linearizable state.
 */
/**
 * A counting semaphore whose {@link #acquire()} returns a future instead of blocking, like
 * {@code asyncio.Semaphore}: thousands of waiters cost memory, not threads.
 *
 * <p><b>Fairness.</b> Strictly first-in, first-out: permits go to waiters in the order they
 * called {@code acquire}, and a request for {@code n} permits at the head of the queue holds back
 * the (possibly smaller) requests behind it until {@code n} permits are free. Nobody barges past
 * a waiter, not even {@link #tryAcquire()}. A large {@code acquire(n)} is therefore never starved
 * by a stream of small ones; the price is that small requests wait behind it.
 *
 * <p><b>Cancellation.</b> Cancelling a pending acquire future (or completing it yourself, or its
 * timeout firing) removes the waiter from the queue; if the permits were being handed to it at
 * that same moment they go to the next waiter instead. No permit is ever lost or counted twice.
 * Because futures are completed outside the internal lock, such a cancel can still win after a
 * concurrent {@code release} has chosen the waiter (Lincheck shows this window); the permits then
 * move on, so another thread may briefly see them in flight, never missing.
 *
 * <p><b>Linearizability.</b> {@code tryAcquire}, {@code acquire}, {@code release} and
 * {@link #stats()} are linearizable (Lincheck model checking and stress in the {@code stress}
 * module). Two windows are not, by design. First, the cancel described above: in this history
 * (2 permits; thread 1's second acquire waits for 1 permit; holdings read at the end) thread 1's
 * {@code release} comes before its cancel and no sequential order lets that cancel win over the
 * waiting acquire at the head, yet it did, because thread 2's {@code release} had already chosen
 * the waiter and completed it outside the lock; the permit then went back, none is lost:
 * <pre>
 * | acquire(0, 2): void                                 |                       |
 * | acquire(0, 1): void                                 |                       |
 * | tryAcquire(2): false                                | acquire(1, 2): void   |
 * | release(): void                                     | cancelNewest(1): void |
 * | cancelNewest(0): void                               | release(): void       |
 * | held(0): held:2 ok:1 pending:0 cancelled:0 failed:0 |                       |
 * | held(1): held:0 ok:0 pending:0 cancelled:0 failed:0 |                       |
 * | availablePermits(): 2                               |                       |
 * | waiters(): 0                                        |                       |
 * </pre>
 * Second, {@link #availablePermits()} and {@link #waiters()} are separate lock-free reads: a
 * request for 2 of the 1 free permit is already refusing a {@code tryAcquire(1)} while
 * {@code waiters()} still reads 0 (1 permit, thread 1 calls {@code acquire(2)}):
 * <pre>
 * | acquire(2): void | tryAcquire(1): false  |
 * |                  | waiters(): 0          |
 * |                  | availablePermits(): 1 |
 * </pre>
 * Read {@link #stats()} for a pair that a sequential history produces.
 *
 * <p><b>Threads.</b> Thread-safe and lock-free when uncontended. Futures are completed outside
 * internal locks, on the thread that released the permits (or the time source's thread for a
 * timeout), so dependents of an acquire future run there unless you use an {@code ...Async}
 * stage. Chains of hand-offs (a dependent that releases, waking the next waiter, whose dependent
 * releases...) run iteratively, not recursively.
 *
 * <p><b>Memory effects.</b> Actions in a thread before {@code release} happen-before the
 * completion of an acquire future that obtains those permits, and so before its dependents run.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.SyncSnippets region=semaphoreWithPermit}
 *
 * @since 0.1.0
 */
public final class AsyncSemaphore {

    /**
     * A consistent snapshot of a semaphore (ADR core-0003), read under its lock. The counters are
     * kept on the slow path only (the uncontended fast path counts nothing), so they describe
     * contention: how many acquires had to queue and how those waits ended.
     *
     * @param name the semaphore's name
     * @param available the permits free now
     * @param waiters acquire requests queued now
     * @param waited acquire requests that had to queue, since creation
     * @param timedOut queued requests that timed out, since creation
     * @param cancelled queued requests cancelled (or completed by their caller), since creation
     * @param waitTime total time the granted requests spent queued, on the semaphore's time source;
     *     only waits that began after the first {@link AsyncSemaphore#stats()} call are timed
     *     (until somebody reads the stats, the queued path reads no clock)
     */
    public record Stats(
            String name, int available, int waiters, long waited, long timedOut, long cancelled, Duration waitTime) {

        /**
         * Queued requests that were granted: {@code waited - timedOut - cancelled - waiters}.
         *
         * @return the count since creation
         */
        public long granted() {
            return waited - timedOut - cancelled - waiters;
        }
    }

    private static final long WAITERS = 1L << 62;
    private static final long PERMITS = WAITERS - 1;
    private static final long MAX_PERMITS = Integer.MAX_VALUE;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(AsyncSemaphore.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // written through STATE too
    private volatile long state;

    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final SyncWaiter.Queue<Waiter> queue = new SyncWaiter.Queue<>();

    private volatile int waiters; // written under lock
    private final TimeSource timeSource;
    private final String name;

    @GuardedBy("lock")
    private final WaitCounters counters = new WaitCounters();
    /**
     * Whether queued waits are timed for {@link Stats#waitTime()}: false until the first
     * {@link #stats()} call, so nobody who never reads the figure pays two clock reads per wait.
     */
    @GuardedBy("lock")
    private boolean timeWaits;
    /** What a JFR SlowWait event calls this primitive; AsyncLock sets it before publishing us. */
    String waitLabel = "AsyncSemaphore";

    /**
     * Creates a semaphore with the given number of permits, timing out on
     * {@link TimeSource#system()}.
     *
     * @param permits the initial number of permits, zero or more
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public AsyncSemaphore(int permits) {
        this(permits, TimeSource.system());
    }

    /**
     * Creates a semaphore with the given number of permits whose timed acquires run on
     * {@code timeSource}.
     *
     * @param permits the initial number of permits, zero or more
     * @param timeSource the clock for {@link #acquire(int, Duration)} timeouts
     * @throws IllegalArgumentException if {@code permits} is negative
     * @throws NullPointerException if {@code timeSource} is null
     */
    public AsyncSemaphore(int permits, TimeSource timeSource) {
        this(permits, timeSource, null);
    }

    private AsyncSemaphore(int permits, TimeSource timeSource, @Nullable String name) {
        this.state = Checks.nonNegative(permits, "permits");
        this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
        this.name = name == null ? Checks.defaultName("semaphore", this) : name;
    }

    /**
     * Starts building a semaphore with a name (and optionally a time source).
     *
     * {@snippet class=dev.asyncpatterns.core.snippets.SyncSnippets region=semaphoreBuilder}
     *
     * @param permits the initial number of permits, zero or more
     * @return a builder
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public static Builder builder(int permits) {
        return new Builder(Checks.nonNegative(permits, "permits"));
    }

    /**
     * Acquires one permit. Same as {@code acquire(1)}.
     *
     * @return a future completed with {@code null} once the permit is held
     */
    public CompletableFuture<Void> acquire() {
        long s = state;
        if (s >= 1 && s < WAITERS && STATE.compareAndSet(this, s, s - 1)) {
            return SyncWaiter.DONE;
        }
        return acquireSlow(1, Long.MAX_VALUE);
    }

    /**
     * Acquires {@code permits} permits, all at once, waiting in FIFO order if they are not
     * available. Never blocks the calling thread.
     *
     * <p>Thread-safe. The returned future completes with {@code null} when the permits are held
     * (at once, with a shared already-completed future, if they are free and nobody waits);
     * it never fails on its own. Cancelling it while it waits withdraws the request; the permits
     * are then never taken. A request larger than the permits that will ever exist waits forever
     * (until cancelled).
     *
     * <p>Memory effects: actions before the {@code release} that frees these permits
     * happen-before the future completes.
     *
     * @param permits how many permits, at least 1
     * @return a future completed with {@code null} once the permits are held
     * @throws IllegalArgumentException if {@code permits < 1}
     */
    public CompletableFuture<Void> acquire(int permits) {
        Checks.positive(permits, "permits");
        long s = state;
        if (s >= permits && s < WAITERS && STATE.compareAndSet(this, s, s - permits)) {
            return SyncWaiter.DONE;
        }
        return acquireSlow(permits, Long.MAX_VALUE);
    }

    /**
     * Acquires {@code permits} permits, or fails with a {@link TimeoutException} if they were
     * not obtained within {@code timeout} on this semaphore's time source.
     *
     * <p>As {@link #acquire(int)}. A zero or negative timeout does not wait at all: the future is
     * already complete, successfully if the permits were free and nobody waited, with a
     * {@code TimeoutException} otherwise. A timeout racing with a release never loses the
     * permits: they go to the next waiter.
     *
     * @param permits how many permits, at least 1
     * @param timeout the longest time to wait
     * @return a future completed with {@code null} once the permits are held, or failed with a
     *     {@link TimeoutException}
     * @throws IllegalArgumentException if {@code permits < 1}
     * @throws NullPointerException if {@code timeout} is null
     */
    public CompletableFuture<Void> acquire(int permits, Duration timeout) {
        Checks.positive(permits, "permits");
        long nanos = Durations.toNanosSaturated(Objects.requireNonNull(timeout, "timeout"));
        if (tryAcquire(permits)) {
            return SyncWaiter.DONE;
        }
        if (nanos <= 0) {
            return CompletableFuture.failedFuture(
                    new TimeoutException("AsyncSemaphore: " + permits + " permit(s) not available at once"));
        }
        return acquireSlow(permits, nanos);
    }

    /**
     * Acquires one permit, with a timeout. Same as {@code acquire(1, timeout)}.
     *
     * @param timeout the longest time to wait
     * @return a future completed with {@code null} once the permit is held, or failed with a
     *     {@link TimeoutException}
     * @throws NullPointerException if {@code timeout} is null
     */
    public CompletableFuture<Void> acquire(Duration timeout) {
        return acquire(1, timeout);
    }

    /**
     * Takes one permit if one is free and nobody is waiting. Same as {@code tryAcquire(1)}.
     *
     * @return whether the permit was taken
     */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Takes {@code permits} permits if they are free and nobody is waiting; never waits.
     *
     * <p>Thread-safe and lock-free. Fair: it fails while any waiter is queued, even if enough
     * permits are free (they are being kept for the head waiter).
     *
     * @param permits how many permits, at least 1
     * @return whether the permits were taken
     * @throws IllegalArgumentException if {@code permits < 1}
     */
    public boolean tryAcquire(int permits) {
        Checks.positive(permits, "permits");
        for (; ; ) {
            long s = state;
            if (s < permits || s >= WAITERS) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s - permits)) {
                return true;
            }
        }
    }

    /**
     * Returns one permit. Same as {@code release(1)}.
     *
     * @throws IllegalStateException if the available permits would exceed
     *     {@link Integer#MAX_VALUE}
     */
    public void release() {
        long s = state;
        if (s < MAX_PERMITS && STATE.compareAndSet(this, s, s + 1)) {
            return;
        }
        if (s >= WAITERS && releaseSlow(1)) {
            return; // handed to the queue without re-reading the state word
        }
        release(1);
    }

    /**
     * Returns {@code permits} permits, handing them to waiters in FIFO order.
     *
     * <p>Thread-safe; lock-free when nobody waits. Any thread may release (no ownership is
     * tracked, as with {@link java.util.concurrent.Semaphore}). Waiters that obtain the permits
     * are completed on the calling thread, outside internal locks, before this method returns
     * (unless the call is nested in another hand-off on this thread, which then completes them).
     *
     * <p>Memory effects: actions before this call happen-before the completion of the acquire
     * futures that obtain these permits.
     *
     * @param permits how many permits, at least 1
     * @throws IllegalArgumentException if {@code permits < 1}
     * @throws IllegalStateException if the available permits would exceed
     *     {@link Integer#MAX_VALUE}; nothing is released then
     */
    public void release(int permits) {
        Checks.positive(permits, "permits");
        for (; ; ) {
            long s = state;
            if (s < WAITERS) {
                if (s + permits > MAX_PERMITS) {
                    throw overflow(s, permits);
                }
                if (STATE.compareAndSet(this, s, s + permits)) {
                    return;
                }
            } else if (releaseSlow(permits)) {
                return;
            }
        }
    }

    /**
     * Runs {@code action} while holding one permit: acquires it, calls the action, and releases
     * the permit when the stage the action returned completes, whatever the outcome.
     *
     * <p>Thread-safe. The action is called on the thread that obtains the permit (the caller, or
     * the thread of the {@code release} that freed it) and should return quickly with a stage.
     * The returned future completes like that stage. If the action throws (even an
     * {@link Error}) or returns
     * {@code null}, the permit is released and the future fails with that exception (a
     * {@link NullPointerException} for {@code null}).
     *
     * <p>Cancellation: cancelling the returned future while it waits for the permit withdraws
     * the request; while the action runs, it cancels the action's stage (when that stage is a
     * {@link CompletableFuture} or supports {@code toCompletableFuture}). The permit is released
     * when the action's stage actually completes, so the concurrency bound holds even for work
     * that ignores cancellation.
     *
     * @param <T> the result type
     * @param action the asynchronous action to run under the permit
     * @return a future completed like the action's stage
     * @throws NullPointerException if {@code action} is null
     */
    public <T> CompletableFuture<T> withPermit(AsyncSupplier<? extends T> action) {
        Objects.requireNonNull(action, "action");
        return GuardedCall.run(acquire(), ignored -> release(), ignored -> action.get());
    }

    /**
     * The permits free right now. A snapshot for monitoring, not for deciding.
     *
     * <p>Lock-free and atomic on its own, but not together with {@link #waiters()}: reading
     * both may combine two moments (e.g. permits free while requests are shown waiting). Use
     * {@link #stats()} for a consistent pair.
     *
     * @return the number of available permits
     */
    public int availablePermits() {
        return (int) (state & PERMITS);
    }

    /**
     * How many acquire requests are waiting right now. A snapshot for monitoring; lock-free, and
     * not consistent with a separate {@link #availablePermits()} call (see {@link #stats()}).
     *
     * @return the number of queued waiters
     */
    public int waiters() {
        return waiters;
    }

    /**
     * The semaphore's name, for logs and metrics (default {@code semaphore@<hash>}).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * A consistent snapshot of the permits, the waiters and the contention counters: the
     * permits/waiters pair is a state the semaphore really was in (a sequential history produces
     * it), unlike two separate calls of {@link #availablePermits()} and {@link #waiters()}.
     * Takes the internal lock briefly (never held while user code runs); allocates only the
     * record.
     *
     * <p>The first call also switches on the timing of queued waits for {@link Stats#waitTime()}
     * (two reads of the time source per queued acquire from then on): waits that began before it
     * count in {@link Stats#granted()} but add nothing to {@code waitTime}. The Micrometer binder reads
     * them when it binds; otherwise call this once at start-up to time every wait.
     *
     * @return the stats
     */
    public Stats stats() {
        return snapshot(true);
    }

    /** The counters under the lock; {@code observe} switches on the timing of queued waits. */
    private Stats snapshot(boolean observe) {
        lock.lock();
        try {
            if (observe) {
                timeWaits = true;
            }
            long s = state;
            return new Stats(
                    name,
                    (int) (s & PERMITS),
                    queue.size(),
                    counters.waited(),
                    counters.timedOut(),
                    counters.cancelled(),
                    counters.waitTime());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        Stats s = snapshot(false); // a log line or debugger view must not switch on wait timing
        return "AsyncSemaphore[" + name + ", permits=" + s.available() + ", waiters=" + s.waiters() + "]";
    }

    // ---------------------------------------------------------------- slow paths

    private CompletableFuture<Void> acquireSlow(int permits, long timeoutNanos) {
        Waiter w;
        lock.lock();
        try {
            for (; ; ) {
                long s = state;
                if (s < WAITERS) {
                    if (s >= permits) {
                        if (STATE.compareAndSet(this, s, s - permits)) {
                            return SyncWaiter.DONE;
                        }
                        continue;
                    }
                    if (!STATE.compareAndSet(this, s, s | WAITERS)) {
                        continue;
                    }
                }
                w = new Waiter(this, permits, timeWaits, timeWaits ? timeSource.nanoTime() : 0);
                queue.add(w);
                counters.enqueued();
                waiters = queue.size();
                break;
            }
        } finally {
            lock.unlock();
        }
        if (timeoutNanos != Long.MAX_VALUE) {
            w.startTimer(timeSource, timeoutNanos, "AsyncSemaphore.acquire(" + permits + ")");
        }
        w.traceWait(waitLabel, permits); // JFR, only when enabled
        return w;
    }

    private boolean releaseSlow(int permits) {
        SyncWaiter.Chain granted = new SyncWaiter.Chain();
        lock.lock();
        try {
            long s = state;
            if (s < WAITERS) {
                return false; // the queue emptied meanwhile: take the fast path again
            }
            long available = s & PERMITS;
            if (available + permits > MAX_PERMITS) {
                throw overflow(available, permits);
            }
            drainLocked(available + permits, granted);
        } finally {
            lock.unlock();
        }
        SyncWaiter.fireChain(granted.first);
        return true;
    }

    /** Hands {@code available} permits to the head waiters while they fit; writes the state. */
    @GuardedBy("lock")
    private void drainLocked(long available, SyncWaiter.Chain granted) {
        Waiter head;
        boolean timed = false;
        long now = 0;
        while ((head = queue.peek()) != null && head.permits <= available) {
            queue.remove(head);
            available -= head.permits;
            if (head.timed) {
                if (!timed) {
                    now = timeSource.nanoTime(); // once per drain, only when a timed waiter is granted
                    timed = true;
                }
                counters.granted(now - head.enqueuedAt);
            }
            granted.add(head);
        }
        waiters = queue.size();
        state = queue.isEmpty() ? available : available | WAITERS;
    }

    private void abandon(Waiter w) {
        SyncWaiter.Chain granted = new SyncWaiter.Chain();
        lock.lock();
        try {
            if (!queue.remove(w)) {
                return; // already granted: the grant loses and gives the permits back
            }
            counters.abandoned(w);
            // the head may have left: the next ones may fit now
            drainLocked(state & PERMITS, granted);
        } finally {
            lock.unlock();
        }
        SyncWaiter.fireChain(granted.first);
    }

    private static IllegalStateException overflow(long available, int permits) {
        return new IllegalStateException("AsyncSemaphore: releasing " + permits + " permit(s) to the " + available
                + " available would exceed " + MAX_PERMITS);
    }

    private static final class Waiter extends SyncWaiter<Void> {
        final AsyncSemaphore owner;
        final int permits;
        /** Whether enqueuedAt was read (stats had been read when this waiter queued). */
        final boolean timed;

        final long enqueuedAt;

        Waiter(AsyncSemaphore owner, int permits, boolean timed, long enqueuedAt) {
            this.owner = owner;
            this.permits = permits;
            this.timed = timed;
            this.enqueuedAt = enqueuedAt;
        }

        @Override
        public void fire() {
            if (!grant(null)) {
                owner.release(permits); // cancelled at the moment of the hand-off: pass them on
            }
        }

        @Override
        public void abandoned() {
            owner.abandon(this);
        }
    }

    /** Configures a semaphore; each setting may be given once. */
    public static final class Builder extends PrimitiveBuilder<Builder> {
        private final int permits;

        private Builder(int permits) {
            this.permits = permits;
        }

        /**
         * Builds the semaphore.
         *
         * @return a new semaphore
         */
        public AsyncSemaphore build() {
            return new AsyncSemaphore(permits, timeSourceOrSystem(), givenName());
        }
    }
}
