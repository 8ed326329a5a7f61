package dev.asyncpatterns.core.queue;

import static dev.asyncpatterns.core.queue.QueueStore.cast;

import dev.asyncpatterns.core.internal.SyncWaiter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
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
 *
 * A caller waiting on a platform thread spins (the queue's waitSpins re-reads of the node's state,
 * or of isDone() in join/get) before it parks; the spin reads only this node, and a virtual thread
 * never spins (AsyncQueue's maintainer's note, ADR queues-0002).
 *
 * join() and get() on a waiting node (issue 20: the future API within 1.5x of the blocking one)
 * park the first joining thread on the node itself instead of pushing a CompletableFuture
 * Signaller onto the dependents' stack: the joiner publishes itself in the volatile joiner field
 * (CAS, so only one thread at a time; any other joiner takes CompletableFuture's own path), then
 * re-reads isDone() and parks; every path that completes the node (fire, cancel, complete,
 * completeExceptionally, the timeout timer through completeExceptionally, obtrude*, completeAsync)
 * calls wakeJoiner() after the completion. Both sides write a volatile and then read the other's,
 * so a wake-up cannot be lost. Once done, the overrides return super.join()/super.get(), which
 * read the completed result without waiting, so the exceptions are CompletableFuture's own
 * (CompletionException / CancellationException from join, ExecutionException from get); the
 * interrupt rules are CompletableFuture's: join keeps waiting and re-asserts the interrupt, get
 * throws InterruptedException and leaves the future (and the node) as it is.
 *
 * On a platform thread of a queue of AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY or more, join() and
 * untimed get() of a put or take node first wait on a Condition of the queue's lock
 * (AsyncQueue.awaitFateOnLock, onJoin, signalled by signalOnJoinLocked() wherever the state
 * leaves WAITING, and after obtrude or completeAsync) and then complete the future themselves
 * (completeAsJoiner); see AsyncQueue's maintainer's note, "Joining a waiting future on the lock".
 * The park on the node above then finds the future done, or, for an ABANDONED node, waits for
 * whoever abandoned it to complete it.
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
    /**
     * The Condition of the queue's lock that a platform thread joining this future waits on, if
     * any (AsyncQueue.awaitFateOnLock); guarded by the queue's lock.
     */
    @Nullable
    Condition onJoin;
    /** The thread parked in join/get on this node, if any (see the maintainer's note). */
    private volatile @Nullable Thread joiner;

    private static final VarHandle JOINER;

    static {
        try {
            JOINER = MethodHandles.lookup().findVarHandle(QueueWaiter.class, "joiner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    QueueWaiter(AsyncQueue<?> queue, @Nullable Object item) {
        this.queue = queue;
        this.item = item;
    }

    /** Whether this waiter waits to put (else to take). */
    abstract boolean isPut();

    /** Called once, outside the lock, after the state left WAITING. */
    @Override
    public void fire() {
        try {
            if (state == FAILED) {
                fail(Objects.requireNonNull(failure, "a FAILED waiter has its failure"));
            } else {
                deliver();
            }
        } finally {
            wakeJoiner();
        }
    }

    /**
     * Before the current thread parks on this node: spins up to the queue's waitSpins times until
     * {@link #settled()}, only on a platform thread (a virtual thread parks cheaply and must not
     * hold its carrier) and only on a queue small enough to have a spin budget
     * (AsyncQueue.waitSpins). One loop for join/get and for the blocking methods.
     */
    final void spinBeforePark() {
        int spins = queue.waitSpins;
        if (spins > 0 && !Thread.currentThread().isVirtual()) {
            while (spins > 0 && !settled()) {
                Thread.onSpinWait();
                spins--;
            }
        }
    }

    /**
     * Whether a wait on this node would end now: the future is done (a joiner waits for the
     * completion, which follows the state change). A BlockingWaiter is never completed, so it
     * answers from its state.
     */
    boolean settled() {
        return isDone();
    }

    /**
     * Wakes a platform thread waiting in join/get on {@link #onJoin}, if any. Called under the
     * queue's lock right after the state left WAITING, and (through AsyncQueue.signalOnJoin) after
     * obtrude* or completeAsync completed the future while the node still waits.
     */
    final void signalOnJoinLocked() {
        Condition c = onJoin;
        if (c != null) {
            c.signal();
        }
    }

    /**
     * Whether join/get on this waiting future may wait on the queue's lock and complete it from
     * the joining thread (AsyncQueue.awaitFateOnLock): a put or a take future only. A batch
     * take's delivery drains the queue, which must happen once, in fire(); a BlockingWaiter is
     * never joined.
     */
    boolean completesAsJoiner() {
        return false;
    }

    /**
     * Completes this future from the joining thread as fire() does, once its fate is decided: the
     * transfer's result, or the close's failure; a node still WAITING (its future completed
     * around the queue) or ABANDONED is completed by whoever did that. The state is volatile and
     * written after item and failure, which do not change once it leaves WAITING. Only for
     * {@link #completesAsJoiner} nodes, whose deliver() may run twice (the second grant loses).
     */
    final void completeAsJoiner() {
        int fate = state;
        if (fate == FAILED) {
            fail(Objects.requireNonNull(failure, "a FAILED waiter has its failure"));
        } else if (fate == DONE) {
            deliver();
        }
    }

    /** Unparks the thread waiting in join/get, if any; called after every completion. */
    final void wakeJoiner() {
        Thread parked = joiner;
        if (parked != null) {
            LockSupport.unpark(parked);
        }
    }

    /** Makes the current thread this node's joiner; false if another thread already is. */
    private boolean claimJoiner() {
        return JOINER.compareAndSet(this, (Thread) null, Thread.currentThread());
    }

    @Override
    public V join() {
        if (!isDone() && completesAsJoiner() && queue.joinsOnLock()) {
            try {
                queue.awaitFateOnLock(this, false);
            } catch (InterruptedException impossible) {
                throw new AssertionError("an uninterruptible wait threw", impossible);
            }
        }
        spinBeforePark();
        if (!isDone() && claimJoiner()) {
            boolean interrupted = false;
            try {
                while (!isDone()) {
                    LockSupport.park(this);
                    if (Thread.interrupted()) {
                        interrupted = true; // join ignores interrupts, like CompletableFuture's
                    }
                }
            } finally {
                joiner = null;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return super.join(); // done (or another thread joins): CompletableFuture reports the result
    }

    @Override
    public V get() throws InterruptedException, ExecutionException {
        if (!isDone() && completesAsJoiner() && queue.joinsOnLock()) {
            queue.awaitFateOnLock(this, true);
        }
        spinBeforePark();
        if (!isDone() && claimJoiner()) {
            try {
                while (true) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException(); // the future and the node stay as they are
                    }
                    if (isDone()) {
                        break;
                    }
                    LockSupport.park(this);
                }
            } finally {
                joiner = null;
            }
        }
        return super.get();
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        spinBeforePark();
        long nanos = unit.toNanos(timeout);
        if (!isDone() && claimJoiner()) {
            long deadline = System.nanoTime() + nanos;
            try {
                while (true) { // CompletableFuture's order: interrupt, result, timeout
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                    if (isDone()) {
                        break;
                    }
                    if (nanos <= 0L) {
                        throw new TimeoutException();
                    }
                    LockSupport.parkNanos(this, nanos);
                    nanos = deadline - System.nanoTime();
                }
            } finally {
                joiner = null;
            }
        }
        return super.get(nanos, TimeUnit.NANOSECONDS);
    }

    /** Completes the future with the transfer's result. */
    abstract void deliver();

    /** Nothing to do: a completion by anybody but the owner is decided in AsyncQueue.abandon first. */
    @Override
    public void abandoned() {}

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (queue.abandon(this, false)) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            wakeJoiner();
            return cancelled;
        }
        return isCancelled();
    }

    @Override
    public boolean complete(@Nullable V value) {
        if (queue.abandon(this, false) && super.complete(value)) {
            wakeJoiner();
            return true;
        }
        return false;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        Objects.requireNonNull(ex, "ex");
        if (queue.abandon(this, false) && super.completeExceptionally(ex)) {
            wakeJoiner();
            return true;
        }
        return false;
    }

    // not supported on the queue's futures (see AsyncQueue), but a parked joiner must still wake

    @Override
    public void obtrudeValue(@Nullable V value) {
        super.obtrudeValue(value);
        wakeJoiners();
    }

    @Override
    public void obtrudeException(Throwable ex) {
        super.obtrudeException(ex);
        wakeJoiners();
    }

    /** After a completion that bypassed the queue (obtrude*, completeAsync): both kinds of joiner. */
    private void wakeJoiners() {
        wakeJoiner();
        if (completesAsJoiner()) {
            queue.signalOnJoin(this);
        }
    }

    @Override
    public CompletableFuture<V> completeAsync(Supplier<? extends V> supplier, Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return super.completeAsync(
                supplier,
                task -> executor.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        wakeJoiners();
                    }
                }));
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

        @Override
        boolean completesAsJoiner() {
            return true;
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
            // item stays: a joiner may read it too (completeAsJoiner), and the result holds it anyway
            grant(cast(item));
        }

        @Override
        boolean completesAsJoiner() {
            return true;
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

    /** Signals a Condition of this node's queue's lock (a BlockingWaiter waiting in the lock's queue). */
    final void signalQueueLock(Condition condition) {
        queue.signal(condition);
    }

    /**
     * A blocked thread; {@code item} is the item to put (putter) or the item received (taker). It
     * waits either parked on this node, woken by a direct unpark, or, when {@code onLock} is set,
     * on that Condition of the queue's lock, woken by a signal that queues it on the lock (see
     * AsyncQueue's maintainer's note, "Waiting in the lock's queue").
     */
    static final class BlockingWaiter extends QueueWaiter<Object> {
        final Thread thread = Thread.currentThread();
        private final boolean put;
        final @Nullable Condition onLock;

        BlockingWaiter(AsyncQueue<?> queue, @Nullable Object item, @Nullable Condition onLock) {
            super(queue, item);
            this.put = item != null;
            this.onLock = onLock;
        }

        @Override
        boolean isPut() {
            return put;
        }

        @Override
        boolean settled() {
            return state != WAITING;
        }

        /** Wakes the waiting thread; called outside the lock, after its state left WAITING. */
        @Override
        public void fire() {
            Condition c = onLock;
            if (c == null) {
                LockSupport.unpark(thread);
            } else {
                signalQueueLock(c);
            }
        }

        @Override
        void deliver() {
            fire();
        }
    }
}
