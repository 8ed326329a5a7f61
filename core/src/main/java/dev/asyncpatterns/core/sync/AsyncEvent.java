package dev.asyncpatterns.core.sync;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.SyncWaiter;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Maintainer's note.
 *
 * `set` is volatile so await() on a set event is lock-free. Waiters are SyncWaiters in a FIFO
 * queue (guarded by `lock`) rather than dependents of one shared future: each caller gets its own
 * future, and a cancelled waiter is unlinked at once, so an event that is never set does not
 * retain abandoned waiters. set() empties the queue under the lock and completes the waiters
 * outside it. The event gives nothing away, so a waiter lost to cancellation needs no
 * compensation.
 */
/**
 * A flag that tasks can wait on without blocking, like {@code asyncio.Event}: {@link #await()}
 * completes once the event is {@link #set()}; {@link #clear()} makes later awaits wait again.
 *
 * <p><b>Linearizability.</b> set, clear, isSet, await and waiters are linearizable (Lincheck,
 * {@code stress} module), with one window by design: {@code set} completes its waiters after
 * releasing its lock, so a waiter can still be cancelled after the event is seen set. Here thread 2
 * sees the event set, then cancels thread 1's earlier await, and the cancel wins; no sequential
 * order does that (once set, the await is complete):
 * <pre>
 * | await(1): void                                  |                       |
 * | set(): void                                     | isSet(): true         |
 * |                                                 | cancelNewest(1): void |
 * | awaited(1): ok:0 pending:0 cancelled:1 failed:0 |                       |
 * </pre>
 *
 * <p><b>Threads.</b> Thread-safe. {@code set} completes the waiting futures on the calling
 * thread, outside internal locks. Each {@code await} returns its own future: cancelling one does
 * not affect the others, and cancelled waiters are forgotten at once.
 *
 * <p><b>Memory effects.</b> Actions before {@code set} happen-before the completion of the
 * {@code await} futures it releases.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.SyncSnippets region=eventSet}
 *
 * @since 0.1.0
 */
public final class AsyncEvent {

    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final SyncWaiter.Queue<Waiter> queue = new SyncWaiter.Queue<>();

    private final TimeSource timeSource;
    private volatile boolean set;

    /** Creates an unset event whose timed awaits use {@link TimeSource#system()}. */
    public AsyncEvent() {
        this(TimeSource.system());
    }

    /**
     * Creates an unset event.
     *
     * @param timeSource the clock for {@link #await(Duration)} timeouts
     * @throws NullPointerException if {@code timeSource} is null
     */
    public AsyncEvent(TimeSource timeSource) {
        this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
    }

    /**
     * Sets the event: every current waiter completes, and awaits complete at once until
     * {@link #clear()}. Idempotent.
     */
    public void set() {
        SyncWaiter.Chain woken = new SyncWaiter.Chain();
        lock.lock();
        try {
            set = true;
            Waiter w;
            while ((w = queue.poll()) != null) {
                woken.add(w);
            }
        } finally {
            lock.unlock();
        }
        SyncWaiter.fireChain(woken.first);
    }

    /** Clears the event, so later awaits wait for the next {@link #set()}. Idempotent. */
    public void clear() {
        lock.lock();
        try {
            set = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the event is set.
     *
     * @return {@code true} if set
     */
    public boolean isSet() {
        return set;
    }

    /**
     * Waits until the event is set. Never blocks the caller.
     *
     * @return a future completed with {@code null} when the event is set (at once if it is);
     *     cancelling it only withdraws this waiter
     */
    public CompletableFuture<Void> await() {
        return await(Long.MAX_VALUE);
    }

    /**
     * Waits until the event is set, or fails with a {@link TimeoutException} after
     * {@code timeout}. A zero or negative timeout does not wait.
     *
     * @param timeout the longest time to wait
     * @return a future completed with {@code null} when the event is set, or failed
     * @throws NullPointerException if {@code timeout} is null
     */
    public CompletableFuture<Void> await(Duration timeout) {
        return await(Math.max(0, Durations.toNanosSaturated(Objects.requireNonNull(timeout, "timeout"))));
    }

    /**
     * How many callers wait. A snapshot for monitoring.
     *
     * @return the number of waiters
     */
    public int waiters() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "AsyncEvent[" + (set ? "set" : "unset") + "]";
    }

    private CompletableFuture<Void> await(long timeoutNanos) {
        if (set) {
            return SyncWaiter.DONE;
        }
        Waiter w;
        lock.lock();
        try {
            if (set) {
                return SyncWaiter.DONE;
            }
            if (timeoutNanos <= 0) {
                return CompletableFuture.failedFuture(new TimeoutException("AsyncEvent is not set"));
            }
            w = new Waiter(this);
            queue.add(w);
        } finally {
            lock.unlock();
        }
        if (timeoutNanos != Long.MAX_VALUE) {
            w.startTimer(timeSource, timeoutNanos, "AsyncEvent.await");
        }
        return w;
    }

    private void remove(Waiter w) {
        lock.lock();
        try {
            queue.remove(w);
        } finally {
            lock.unlock();
        }
    }

    private static final class Waiter extends SyncWaiter<Void> {
        final AsyncEvent owner;

        Waiter(AsyncEvent owner) {
            this.owner = owner;
        }

        @Override
        public void fire() {
            grant(null);
        }

        @Override
        public void abandoned() {
            owner.remove(this);
        }
    }
}
