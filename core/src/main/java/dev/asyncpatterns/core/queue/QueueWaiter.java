package dev.asyncpatterns.core.queue;

import static dev.asyncpatterns.core.queue.QueueStore.cast;

import dev.asyncpatterns.core.internal.SyncWaiter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * A waiting put or take of an AsyncQueue. Like every waiter of the toolkit it IS the future
 * handed to the caller and a node of the shared intrusive list SyncWaiter.Queue (the queue keeps
 * two: putters and takers), but its cancel-vs-transfer race is decided differently from the
 * coordination primitives': a queue transfer cannot be "given back" (the item a put moved into
 * the store may already have been taken), so the fate of a node is decided exactly once, under
 * the queue's lock, by its state word:
 *
 *   WAITING -> DONE       the item was transferred (moved in, or handed to this taker)
 *   WAITING -> ABANDONED  cancelled / timed out / completed by the caller: unlinked, nothing moved
 *   WAITING -> FAILED     the queue closed, or the priority comparator refused the put's item
 *
 * The owner changes the state under its lock and calls fire() after unlocking; fire() then
 * completes the future (grant/fail, which bypass the overrides below). A caller completing the
 * future first goes through AsyncQueue.abandon(): if the node is still WAITING it is unlinked and
 * the completion proceeds; if it is already DONE the caller's completion is refused and the future
 * completes with the transfer's result a moment later. So abandoned(), SyncWaiter's hook for
 * "someone else completed me", has nothing left to do.
 *
 * Blocking callers use a BlockingWaiter: the same node in the same FIFO, with a thread to unpark
 * instead of a future to complete (its future is never completed and never escapes).
 */
/** A waiting operation of an {@link AsyncQueue}; the future returned to the waiting caller. */
abstract class QueueWaiter<V extends @Nullable Object> extends SyncWaiter<V> {

    static final int WAITING = 0;
    static final int DONE = 1;
    static final int ABANDONED = 2;
    static final int FAILED = 3;

    private final AsyncQueue<?> queue;
    /** The item to put (putter) or the item received (taker); guarded by the queue's lock. */
    @Nullable
    Object item;
    /** Volatile for blocking readers; written under the queue's lock. */
    volatile int state;
    /** Why the node FAILED; guarded by the queue's lock. */
    @Nullable
    Throwable failure;
    /** Whether an abandon was a timeout (blocking takes); guarded by the queue's lock. */
    boolean timedOut;

    QueueWaiter(AsyncQueue<?> queue, @Nullable Object item) {
        this.queue = queue;
        this.item = item;
    }

    /** Whether this waiter waits to put (else to take). */
    abstract boolean isPut();

    /** Called once, outside the lock, after the state left WAITING. */
    @Override
    public void fire() {
        if (state == FAILED) {
            fail(Objects.requireNonNull(failure, "a FAILED waiter has its failure"));
        } else {
            deliver();
        }
    }

    /** Completes the future with the transfer's result. */
    abstract void deliver();

    /** Nothing to do: a completion by anybody but the owner is decided in AsyncQueue.abandon first. */
    @Override
    public void abandoned() {}

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (queue.abandon(this, false)) {
            return super.cancel(mayInterruptIfRunning);
        }
        return isCancelled();
    }

    @Override
    public boolean complete(@Nullable V value) {
        return queue.abandon(this, false) && super.complete(value);
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        Objects.requireNonNull(ex, "ex");
        return queue.abandon(this, false) && super.completeExceptionally(ex);
    }

    /** A waiting {@link AsyncQueue#put}. */
    static final class PutWaiter extends QueueWaiter<@Nullable Void> {
        PutWaiter(AsyncQueue<?> queue, Object item) {
            super(queue, item);
        }

        @Override
        boolean isPut() {
            return true;
        }

        @Override
        void deliver() {
            grant(null);
        }
    }

    /** A waiting {@link AsyncQueue#take()}. */
    static final class TakeWaiter<T> extends QueueWaiter<T> {
        TakeWaiter(AsyncQueue<T> queue) {
            super(queue, null);
        }

        @Override
        boolean isPut() {
            return false;
        }

        @Override
        void deliver() {
            T value = cast(item);
            item = null;
            grant(value);
        }
    }

    /** A waiting {@link AsyncQueue#takeBatch}: the first item, then what is there at that moment. */
    static final class BatchWaiter<T> extends QueueWaiter<List<T>> {
        private final AsyncQueue<T> queue;
        private final int max;

        BatchWaiter(AsyncQueue<T> queue, int max) {
            super(queue, null);
            this.queue = queue;
            this.max = max;
        }

        @Override
        boolean isPut() {
            return false;
        }

        @Override
        void deliver() {
            List<T> out = new ArrayList<>(Math.min(max, 64));
            out.add(cast(item));
            item = null;
            if (max > 1) {
                queue.drainInto(out, max);
            }
            grant(out);
        }
    }

    /** A blocked thread; {@code item} is the item to put (putter) or the item received (taker). */
    static final class BlockingWaiter extends QueueWaiter<Object> {
        final Thread thread = Thread.currentThread();
        private final boolean put;

        BlockingWaiter(AsyncQueue<?> queue, @Nullable Object item) {
            super(queue, item);
            this.put = item != null;
        }

        @Override
        boolean isPut() {
            return put;
        }

        @Override
        public void fire() {
            LockSupport.unpark(thread);
        }

        @Override
        void deliver() {
            LockSupport.unpark(thread);
        }
    }
}
