package dev.asyncpatterns.core.sync;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.GuardedCall;
import dev.asyncpatterns.core.internal.SyncWaiter;
import dev.asyncpatterns.core.internal.WaitCounters;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * State under `lock`: readers (count of read holders), writer (a write holder exists), and one
 * FIFO queue of read and write waiters. A request is granted at once only if the queue is empty
 * and it is compatible (read: no writer; write: no writer and no readers). Otherwise it queues.
 * Hand-off (drainLocked) grants from the head while compatible: a run of readers at the head is
 * admitted together, a writer only when nothing is held. Because new readers queue behind a
 * waiting writer, writers are never starved by a stream of readers, and readers are never
 * starved by writers (strict FIFO between the two). Waiters complete outside the lock; a grant
 * that loses to cancellation is released again (SyncWaiter), which re-runs the hand-off.
 */
/**
 * A read-write lock for asynchronous code: any number of readers or one writer. Lock methods
 * return a future of an {@link AsyncLock.Guard} instead of blocking; the holder unlocks through
 * the guard.
 *
 * <p><b>Fairness.</b> First-in, first-out across readers and writers: a reader that arrives while
 * a writer waits queues behind it (writers are not starved), and consecutive readers at the head
 * of the queue are admitted together. {@code tryReadLock}/{@code tryWriteLock} do not barge.
 *
 * <p><b>Not re-entrant</b>, and a read guard cannot be upgraded to a write guard (asynchronous
 * code has no owning thread; locking again while holding waits for yourself).
 *
 * <p><b>Cancellation.</b> Cancelling or timing out a pending lock future withdraws the request;
 * if the lock was being handed over at that moment it is released again to the next waiters.
 *
 * <p><b>Linearizability.</b> The lock and unlock operations, readers() and isWriteLocked() are
 * linearizable (Lincheck, {@code stress} module), with one window by design: a hand-off completes
 * its waiters after releasing the lock, so a waiter chosen by an unlock can still be cancelled, and
 * its hold is then released again. Here thread 2 sees both waiting readers admitted, cancels the
 * newer one and the cancel wins; sequentially it would find that read lock granted:
 * <pre>
 * | writeLock(0): void                                            |                       |
 * | readLock(1): void                                             |                       |
 * | readLock(1): void                                             |                       |
 * | unlockOne(0): write                                           | readers(): 2          |
 * |                                                               | cancelNewest(1): void |
 * | held(1): reads:1 writes:0 ok:1 pending:0 cancelled:1 failed:0 |                       |
 * | readers(): 1                                                  |                       |
 * </pre>
 *
 * <p><b>Threads.</b> Thread-safe. Futures complete outside internal locks on the thread that
 * unlocked (or the time source's thread for a timeout).
 *
 * <p><b>Memory effects.</b> Actions before a write unlock happen-before every later read or
 * write lock completes; actions before a read unlock happen-before a later write lock completes.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.SyncSnippets region=readWriteLock}
 *
 * @since 0.1.0
 */
public final class AsyncReadWriteLock {

    /**
     * A consistent snapshot of a read-write lock (ADR core-0003), read under its internal lock.
     * Counters are kept on the slow path only: they describe contention.
     *
     * @param name the lock's name
     * @param readers readers holding the lock now
     * @param writeLocked whether a writer holds the lock now
     * @param waiters read and write requests queued now
     * @param waited requests that had to queue, since creation
     * @param timedOut queued requests that timed out, since creation
     * @param cancelled queued requests cancelled (or completed by their caller), since creation
     * @param waitTime total time the granted requests spent queued, on the lock's time source;
     *     only waits that began after the first {@link AsyncReadWriteLock#stats()} call are timed
     *     (until somebody reads the stats, the queued path reads no clock)
     */
    public record Stats(
            String name,
            int readers,
            boolean writeLocked,
            int waiters,
            long waited,
            long timedOut,
            long cancelled,
            Duration waitTime) {

        /**
         * Queued requests that were granted: {@code waited - timedOut - cancelled - waiters}.
         *
         * @return the count since creation
         */
        public long granted() {
            return waited - timedOut - cancelled - waiters;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final SyncWaiter.Queue<Waiter> queue = new SyncWaiter.Queue<>();

    private final TimeSource timeSource;

    @GuardedBy("lock")
    private int readers;

    @GuardedBy("lock")
    private boolean writer;

    private volatile int waiters;
    private final String name;

    @GuardedBy("lock")
    private final WaitCounters counters = new WaitCounters();
    /** Whether queued waits are timed for {@link Stats#waitTime()}: from the first {@link #stats()} call on. */
    @GuardedBy("lock")
    private boolean timeWaits;

    /** Creates an unlocked lock whose timed acquires use {@link TimeSource#system()}. */
    public AsyncReadWriteLock() {
        this(TimeSource.system());
    }

    /**
     * Creates an unlocked lock.
     *
     * @param timeSource the clock for timed lock requests
     * @throws NullPointerException if {@code timeSource} is null
     */
    public AsyncReadWriteLock(TimeSource timeSource) {
        this(timeSource, null);
    }

    private AsyncReadWriteLock(TimeSource timeSource, @Nullable String name) {
        this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
        this.name = name == null ? Checks.defaultName("rwlock", this) : name;
    }

    /**
     * Starts building a read-write lock with a name (and optionally a time source).
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Acquires a shared read lock, waiting (FIFO) while a writer holds or waits.
     *
     * @return a future of the read guard
     */
    public CompletableFuture<AsyncLock.Guard> readLock() {
        return acquire(false, Long.MAX_VALUE);
    }

    /**
     * Acquires a shared read lock, or fails with a {@link TimeoutException} after
     * {@code timeout}; zero or negative does not wait.
     *
     * @param timeout the longest time to wait
     * @return a future of the read guard
     * @throws NullPointerException if {@code timeout} is null
     */
    public CompletableFuture<AsyncLock.Guard> readLock(Duration timeout) {
        return acquire(false, Math.max(0, Durations.toNanosSaturated(Objects.requireNonNull(timeout, "timeout"))));
    }

    /**
     * Acquires the exclusive write lock, waiting (FIFO) while anybody holds the lock.
     *
     * @return a future of the write guard
     */
    public CompletableFuture<AsyncLock.Guard> writeLock() {
        return acquire(true, Long.MAX_VALUE);
    }

    /**
     * Acquires the exclusive write lock, or fails with a {@link TimeoutException} after
     * {@code timeout}; zero or negative does not wait.
     *
     * @param timeout the longest time to wait
     * @return a future of the write guard
     * @throws NullPointerException if {@code timeout} is null
     */
    public CompletableFuture<AsyncLock.Guard> writeLock(Duration timeout) {
        return acquire(true, Math.max(0, Durations.toNanosSaturated(Objects.requireNonNull(timeout, "timeout"))));
    }

    /**
     * Takes a read lock if no writer holds or waits; never waits.
     *
     * @return the read guard, or empty
     */
    public Optional<AsyncLock.Guard> tryReadLock() {
        return Optional.ofNullable(tryAcquire(false));
    }

    /**
     * Takes the write lock if nobody holds or waits for the lock; never waits.
     *
     * @return the write guard, or empty
     */
    public Optional<AsyncLock.Guard> tryWriteLock() {
        return Optional.ofNullable(tryAcquire(true));
    }

    /**
     * Runs {@code action} under a read lock, unlocking when its stage completes, whatever the
     * outcome (same rules as {@link AsyncSemaphore#withPermit}).
     *
     * @param <T> the result type
     * @param action the asynchronous action
     * @return a future completed like the action's stage
     * @throws NullPointerException if {@code action} is null
     */
    public <T> CompletableFuture<T> withReadLock(AsyncSupplier<? extends T> action) {
        Objects.requireNonNull(action, "action");
        return GuardedCall.run(readLock(), AsyncLock.Guard::unlock, guard -> action.get());
    }

    /**
     * Runs {@code action} under the write lock, unlocking when its stage completes, whatever
     * the outcome (same rules as {@link AsyncSemaphore#withPermit}).
     *
     * @param <T> the result type
     * @param action the asynchronous action
     * @return a future completed like the action's stage
     * @throws NullPointerException if {@code action} is null
     */
    public <T> CompletableFuture<T> withWriteLock(AsyncSupplier<? extends T> action) {
        Objects.requireNonNull(action, "action");
        return GuardedCall.run(writeLock(), AsyncLock.Guard::unlock, guard -> action.get());
    }

    /**
     * How many readers hold the lock right now. A snapshot for monitoring.
     *
     * @return the number of read holders
     */
    public int readers() {
        lock.lock();
        try {
            return readers;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a writer holds the lock right now. A snapshot for monitoring.
     *
     * @return {@code true} if write-locked
     */
    public boolean isWriteLocked() {
        lock.lock();
        try {
            return writer;
        } finally {
            lock.unlock();
        }
    }

    /**
     * How many lock requests wait. A snapshot for monitoring.
     *
     * @return the number of queued waiters
     */
    public int waiters() {
        return waiters;
    }

    /**
     * The lock's name, for logs and metrics (default {@code rwlock@<hash>}).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * A consistent snapshot of the holders, the waiters and the contention counters. Takes the
     * internal lock briefly (never held while user code runs); allocates only the record.
     *
     * <p>The first call also switches on the timing of queued waits for {@link Stats#waitTime()}
     * (two reads of the time source per queued request from then on): waits that began before it
     * count in {@link Stats#granted()} but add nothing to {@code waitTime}.
     *
     * @return the stats
     */
    public Stats stats() {
        lock.lock();
        try {
            timeWaits = true;
            return new Stats(
                    name,
                    readers,
                    writer,
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
        return "AsyncReadWriteLock[" + name + ", readers=" + readers() + ", writer=" + isWriteLocked() + ", waiters="
                + waiters + "]";
    }

    // ---------------------------------------------------------------- internals

    private AsyncLock.Guard guard(boolean write) {
        return new AsyncLock.Guard(write ? this::releaseWrite : this::releaseRead);
    }

    private AsyncLock.@Nullable Guard tryAcquire(boolean write) {
        lock.lock();
        try {
            return grantNowLocked(write) ? guard(write) : null;
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private boolean grantNowLocked(boolean write) {
        if (!queue.isEmpty() || writer || (write && readers > 0)) {
            return false;
        }
        if (write) {
            writer = true;
        } else {
            readers++;
        }
        return true;
    }

    private CompletableFuture<AsyncLock.Guard> acquire(boolean write, long timeoutNanos) {
        Waiter w;
        lock.lock();
        try {
            if (grantNowLocked(write)) {
                return CompletableFuture.completedFuture(guard(write));
            }
            if (timeoutNanos <= 0) {
                return CompletableFuture.failedFuture(new TimeoutException(
                        "AsyncReadWriteLock: " + (write ? "write" : "read") + " lock not available at once"));
            }
            w = new Waiter(this, write, timeWaits, timeWaits ? timeSource.nanoTime() : 0);
            queue.add(w);
            counters.enqueued();
            waiters = queue.size();
        } finally {
            lock.unlock();
        }
        if (timeoutNanos != Long.MAX_VALUE) {
            w.startTimer(timeSource, timeoutNanos, "AsyncReadWriteLock." + (write ? "writeLock" : "readLock"));
        }
        w.traceWait("AsyncReadWriteLock", write ? 2 : 1); // JFR, only when enabled
        return w;
    }

    private void releaseRead() {
        release(false, null);
    }

    private void releaseWrite() {
        release(true, null);
    }

    /** Releases a hold (if {@code abandoned} is null) or withdraws a waiter, then hands off. */
    private void release(boolean write, @Nullable Waiter abandoned) {
        SyncWaiter.Chain granted = new SyncWaiter.Chain();
        lock.lock();
        try {
            if (abandoned != null) {
                if (!queue.remove(abandoned)) {
                    return;
                }
                counters.abandoned(abandoned);
            } else if (write) {
                writer = false;
            } else {
                readers--;
            }
            Waiter head;
            boolean timed = false;
            long now = 0;
            while ((head = queue.peek()) != null && !writer && (!head.write || readers == 0)) {
                queue.remove(head);
                if (head.timed) {
                    if (!timed) {
                        now = timeSource.nanoTime(); // once per hand-off, only for timed waiters
                        timed = true;
                    }
                    counters.granted(now - head.enqueuedAt);
                }
                if (head.write) {
                    writer = true;
                } else {
                    readers++;
                }
                granted.add(head);
            }
            waiters = queue.size();
        } finally {
            lock.unlock();
        }
        SyncWaiter.fireChain(granted.first);
    }

    private static final class Waiter extends SyncWaiter<AsyncLock.Guard> {
        final AsyncReadWriteLock owner;
        final boolean write;
        /** Whether enqueuedAt was read (stats had been read when this waiter queued). */
        final boolean timed;

        final long enqueuedAt;

        Waiter(AsyncReadWriteLock owner, boolean write, boolean timed, long enqueuedAt) {
            this.owner = owner;
            this.write = write;
            this.timed = timed;
            this.enqueuedAt = enqueuedAt;
        }

        @Override
        public void fire() {
            if (!grant(owner.guard(write))) {
                owner.release(write, null); // cancelled at the moment of the hand-off
            }
        }

        @Override
        public void abandoned() {
            owner.release(write, this);
        }
    }

    /** Configures a read-write lock; each setting may be given once. */
    public static final class Builder extends PrimitiveBuilder<Builder> {

        private Builder() {}

        /**
         * Builds the lock.
         *
         * @return a new, unlocked lock
         */
        public AsyncReadWriteLock build() {
            return new AsyncReadWriteLock(timeSourceOrSystem(), givenName());
        }
    }
}
