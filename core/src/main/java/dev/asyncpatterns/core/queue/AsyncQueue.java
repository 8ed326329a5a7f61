package dev.asyncpatterns.core.queue;

import static dev.asyncpatterns.core.queue.QueueStore.cast;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.Listeners;
import dev.asyncpatterns.core.internal.QueueFullEvent;
import dev.asyncpatterns.core.internal.SyncWaiter;
import dev.asyncpatterns.core.queue.QueueWaiter.BatchWaiter;
import dev.asyncpatterns.core.queue.QueueWaiter.BlockingWaiter;
import dev.asyncpatterns.core.queue.QueueWaiter.PutWaiter;
import dev.asyncpatterns.core.queue.QueueWaiter.TakeWaiter;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * Layout: this file holds the API and the transfer logic; the parts live beside it,
 * package-private: QueueStore with RingStore (power-of-two ring buffer) and HeapStore (binary
 * heap of the priority variant) hold the items; QueueWaiter (PutWaiter, TakeWaiter, BatchWaiter,
 * BlockingWaiter) are the waiting operations, kept in two SyncWaiter.Queue lists, the intrusive
 * FIFO every waiting primitive of the toolkit shares.
 *
 * Concurrency: one ReentrantLock guards everything mutable: the store, the two waiter lists
 * (takers, putters), the closed flag and the counters. Invariants at every unlock:
 *   (1) size > 0  implies  no taker waits        (a put hands its item straight to a taker);
 *   (2) size < capacity  implies  no putter waits (a take moves the first putter's item in);
 *   (3) closed  implies  no putter waits; closed && size == 0 implies no taker waits.
 *
 * Waiters are QueueWaiter objects, which are also the CompletableFuture handed to the caller (one
 * allocation per waiting operation, none on the fast path of the blocking methods; put's
 * immediate success returns the shared SyncWaiter.DONE, take's a completed future with the item).
 * The waiters to fire after a take (the producer moved in) come back from refillOne linked by
 * their next field, without a Chain object, and a single blocked thread is unparked directly;
 * put and offer hand an item to a waiting taker through the same fire(): a future goes through
 * SyncWaiter's trampoline, so a taker's callback that puts again (and so completes the next
 * waiting taker, whose callback puts...) runs in constant stack (issue 20 regression test:
 * 100,000 chained hand-offs). A waiter's
 * fate is decided exactly once, under the lock, by its state word: WAITING -> DONE (item
 * transferred), ABANDONED (cancelled / timed out / completed by the user, unlinked, nothing
 * transferred) or FAILED (queue closed). The future is completed afterwards, outside the lock
 * (QueueWaiter.fire, several at once through SyncWaiter.fireChain's trampoline, so chains of
 * hand-offs do not grow the stack). QueueWaiter overrides cancel/complete/completeExceptionally
 * so that a caller completing the future first goes through abandon(): if the waiter is still
 * WAITING it is unlinked (so a cancelled put never enqueues its item and a cancelled take never
 * consumes one); if it is already DONE the caller's completion is refused and the future
 * completes with the transfer's result a moment later (the item is delivered, not swallowed).
 * That is the whole cancel-vs-transfer race: both sides test-and-set the state under the same
 * lock. QueueWaiter also overrides join/get: the first thread joining a waiting future parks on
 * the node itself and every completion path unparks it (no CompletableFuture Signaller per wait;
 * the exceptions and interrupt rules are CompletableFuture's, see QueueWaiter).
 *
 * Blocking methods use the same lists with BlockingWaiter, a thread to unpark instead of
 * dependents, so async and blocking callers share one FIFO and one set of invariants. Their fast
 * paths (issue 20: at least ArrayBlockingQueue's throughput) take the lock with
 * lockInterruptibly (its interrupt check is the one the contract asks for, so it is not made
 * twice), and read a waiter list only when the invariants say it can be non-empty: putBlocking
 * looks for a taker only when the store is empty (1), takeBlocking for a putter only when the
 * store was full (2). A put/take pair then touches the lock, the queue's final fields and closed,
 * the store and its array; no waiter list.
 *
 * Measured and rejected for the blocking paths (issue 20, interleaved runs against
 * ArrayBlockingQueue, capacity 1,024, platform threads): waking a blocked taker or putter to
 * compete for the store again instead of handing it the item (ABQ's signal-and-reacquire, with at
 * most one woken waiter on its way and the woken thread passing the turn on) was slower at both
 * 1P/1C and 2P/2C (median time per transfer against ABQ's: 1.30-1.33x against 0.73-1.17x with
 * direct hand-off at 1P/1C, 1.14-1.26x against 1.07-1.08x at 2P/2C): the woken thread must take
 * the lock once more, right when the other side holds it, where with direct hand-off it returns
 * with its item; and it gave up the arrival order of waiters. Spinning on tryLock before
 * queueing on the lock starved the queued lock waiters (throughput halved in some runs); a fixed
 * spin before parking on a waiter, tried at capacity 1,024, was slower there (the spin kept below
 * scales with capacity for that reason). Direct hand-off stays.
 *
 * Spinning before parking (issue 20; figures in ADR queues-0002). A platform thread that has to
 * wait (putBlocking/takeBlocking, or join/get on a waiting put or take future) re-reads its own
 * node up to waitSpins times (Thread.onSpinWait) before it parks; virtual threads never spin (they
 * park cheaply and a spin would hold the carrier), and nothing spins on a single CPU. The budget is
 * 4,096 / capacity, at most 256: on a small queue every transfer waits and the other side arrives
 * within a few dozen spins (capacity 16, platform threads: about 2x the throughput of parking at
 * once, 1P/1C and 2P/2C), while on a large queue a waiter that returns at once takes a single slot
 * and waits again, where one that parks lets the other side run a batch during its wake-up (256
 * spins at capacity 1,024 cost up to 23% in back-to-back runs; 4 spins are within the noise). The
 * spin reads only the node: reading the lock's state as a sign of activity slowed the side
 * holding it.
 *
 * Fast paths (issue 20; ADR queues-0003). put, take, putBlocking and takeBlocking first look at
 * the store right after taking the lock: when it is neither empty nor full, no waiter can exist on
 * either side (invariants 1 and 2), so the item is moved, the counters bumped, and the lock
 * released, in a method that small; everything else (closed, empty, full, hand-offs, waiting)
 * is in putSlow/takeSlow/putBlockingSlow/takeOrEnqueueAndUnlock, entered with the lock held. The
 * split is about the compiled code, not the logic: with one large method, two platform threads on
 * capacity 1,024 ran 20-40% below ArrayBlockingQueue, and an exact copy of ABQ's algorithm in a
 * method that also held a second path was just as slow, while the same copy called directly
 * matched ABQ. The likely reason (inferred from those copies, not read from the generated code):
 * the critical section compiled from a small method is shorter, and under contention a shorter
 * critical section means fewer threads parking on the lock.
 *
 * Waiting in the lock's queue (issue 20; ADR queues-0002 for the diagnosis, 0003 for the rule).
 * With 2 producers and 2 consumers on platform threads (4 threads on 2 cores) at capacity 1,024,
 * a direct unpark woke the waiter at once, onto a lock the other side was holding mid-run, and
 * our threads parked on the lock far more often than ABQ's. ABQ's Condition.signal moves the
 * waiter into the lock's own queue, so an unlock wakes it with its turn at the lock. So on a queue
 * of capacity LOCK_QUEUE_WAIT_CAPACITY (1,024) or more, a platform thread blocked in putBlocking
 * or untimed takeBlocking waits on a Condition of the lock of its own (BlockingWaiter.onLock, one
 * per wait: the hand-off still goes to a given waiter, in arrival order). The transfer that
 * decides its fate signals it under the lock when it runs there (putBlocking's hand-off, a take's
 * refill), or through fire() -> signal(), which takes the lock, from put/offer/drain/close. The
 * waiting thread re-checks its node's state when await returns; an interrupt abandons the node
 * unless the transfer won, as on the park path. Below that capacity the Condition costs more than
 * it saves: every transfer waits, and the woken thread must retake the lock before it can return
 * (capacity 16 halved, 128 2P/2C about 40% slower; 512 even; 1,024 and 4,096 ahead, figures in
 * ADR queues-0003). Virtual threads and timed takes park on their node as before: a virtual
 * thread's park is cheap and gives up its carrier, and a timed take's timer unparks a node.
 *
 * Joining a waiting future on the lock (issue 20; ADR queues-0004, finding 13). The future API
 * had the same trouble at capacity 1,024 with 2P/2C on platform threads (1.5-1.7x the blocking
 * API's time in the verdicts): join() parked on the node and was unparked onto the busy lock. So
 * join() and untimed get() of a waiting put or take future, on a platform thread of a queue of
 * LOCK_QUEUE_WAIT_CAPACITY or more, wait like a blocked thread (awaitFateOnLock): on a Condition
 * of the lock of their own, in the node's onJoin field, which every change of the node's state
 * (all made under the lock: handOff, refillOne, fail, abandon) signals through
 * signalOnJoinLocked(), and so do obtrude* and completeAsync, which complete the future around
 * the queue (through signalOnJoin, which takes the lock); the joiner waits while the node is
 * WAITING and its future not done.
 * Woken holding the lock, the joiner releases it and completes the future itself from the node
 * (completeAsJoiner: fire()'s own deliver/fail); fire() then completes it with the same result
 * and loses (or wins first, which is the same). Dependents therefore run on whichever of the two
 * threads completes the future, never under the lock. Only one thread waits on a node this way;
 * a second joiner, a batch take (whose delivery drains the queue and must run once, in fire()),
 * a timed get and a virtual thread park on the node as before. An ABANDONED fate is completed by
 * whoever abandoned it; the joiner then waits for that on the node.
 *
 * Nothing user-supplied runs under the lock: dependents run in fire() after unlock; the drop
 * listener is called after unlock; the comparator of the priority variant is the exception
 * (it must be a pure function, as for java.util.PriorityQueue).
 *
 * A comparator that throws anyway (issue 21): the heap used to bump its size before sifting, so
 * a throwing compare left a null "phantom" slot that size() counted and poll()/take() returned
 * as null. HeapStore.add and HeapStore.poll now do every comparison first, reading only, and move
 * elements (which cannot throw) afterwards: a throwing comparator leaves the heap exactly as it
 * was, and the counters are bumped only after the store accepted the item. The operation fails
 * with the comparator's exception: put/take with a failed future, offer/poll/putBlocking by
 * throwing. A waiting putter whose item cannot be moved in (refillOne) fails with it (FAILED
 * state, like a close) and the next putter is tried, so invariant (2) still holds. drain keeps
 * what it took before a failing comparison (and throws only if it took nothing);
 * closeExceptionally discards the rest unordered rather than fail halfway through a close.
 */
/**
 * A queue between asynchronous producers and consumers, bounded by default, like asyncio's
 * {@code Queue(maxsize)}: {@link #put} completes when the item is in (that is the backpressure),
 * {@link #take} completes with the next item; blocking forms ({@link #putBlocking},
 * {@link #takeBlocking()}) serve virtual threads.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.QueueSnippets region=queueCloseAndJoin}
 *
 * <p><b>Ordering.</b> FIFO, or by a comparator for {@link #priority(int, Comparator)} queues
 * (FIFO among equal elements). Waiting producers and consumers are served in arrival order.
 *
 * <p><b>Overflow.</b> {@code put} waits for room. {@link #offer} never waits; when the queue is
 * full it follows the queue's {@link Overflow} policy, and every item an overflow policy drops is
 * passed to the {@linkplain Builder#onDropped drop listener} and counted in {@link #stats()},
 * never lost silently.
 *
 * <p><b>End of queue.</b> {@link #close()} refuses new items and fails waiting producers; consumers
 * take what is left and then get a {@link ClosedException} instead of an item: no sentinel values
 * needed. {@link #closeExceptionally(Throwable)} also discards what is buffered and fails
 * consumers at once with the cause attached.
 *
 * <p><b>Cancellation.</b> Cancelling (or timing out) a waiting {@code put} guarantees its item
 * is not enqueued; cancelling a waiting {@code take} guarantees no item is consumed for it. If the
 * cancellation loses the race with the transfer, {@code cancel} returns {@code false} and the
 * future completes normally: a put that was acknowledged is in, an item that was taken is
 * delivered. {@code complete}, {@code completeExceptionally} and timeouts such as
 * {@code orTimeout} on a waiting future behave like {@code cancel}; {@code obtrude*} and
 * {@code completeAsync} are not supported on the queue's futures.
 *
 * <p><b>Threads.</b> All methods are thread-safe and never block, except those whose name ends in
 * {@code Blocking}. A platform thread that has to wait (in a {@code Blocking} method, or joining
 * one of the queue's futures) spins briefly before it parks, the less the larger the queue: up to
 * 256 {@link Thread#onSpinWait()} re-reads at capacity 16 or less, 4 at capacity 1,024, none
 * beyond 4,096 nor on a single CPU; virtual threads never spin. On a queue of capacity 1,024 or
 * more, a platform thread blocked in {@link #putBlocking} or {@link #takeBlocking()} waits on a
 * {@link Condition} of the queue's lock, like {@link java.util.concurrent.ArrayBlockingQueue}'s
 * threads; arrival order and direct hand-off are kept either way. So does a platform thread in
 * {@code join()} or {@code get()} (without a timeout) on a waiting {@code put} or {@code take}
 * future of such a queue. Futures complete on the thread that makes the transfer possible (a
 * {@code take} completes on the producer's thread and vice versa), or on a platform thread that
 * waits for it in {@code join()}/{@code get()} as just said, never while holding the queue's
 * lock; dependents run on the thread that completes the future.
 *
 * <p><b>Which form on a thread.</b> A consumer loop that runs on a thread is fastest with
 * {@link #takeBlocking()}: {@link #take()} returns a new future for every item. On virtual
 * threads, a producer and a consumer that allocate nothing per item take turns on the two
 * carriers of a 2-core machine, and one object per item, on either side, makes them run at the
 * same time instead, contending for the lock (in the queue benchmark, the future form is then 1.4
 * to 2.4 times slower than the blocking one; ADR queues-0004). A consumer that keeps anything per
 * item pays that anyway, and then the two forms are level. {@link #takeBatch} returns one future
 * for up to {@code max} items.
 *
 * <p><b>Memory effects.</b> Actions in a thread before it puts an item happen-before actions after
 * that item is taken, in another thread, and after its future completes.
 *
 * <p><b>Task tracking.</b> Like asyncio's {@code task_done}/{@code join}: every accepted item
 * counts as unfinished until a consumer calls {@link #taskDone()}; {@link #join()} completes when
 * nothing is unfinished.
 *
 * <p>Null items are not permitted.
 *
 * @param <T> the element type
 * @since 0.1.0
 */
public final class AsyncQueue<T> {

    /**
     * A consistent snapshot of a queue's state and lifetime counters (ADR core-0003). Reading it
     * takes the queue's lock briefly.
     *
     * @param name the queue's name
     * @param capacity the bound, {@link Integer#MAX_VALUE} for an unbounded queue
     * @param depth items buffered now
     * @param putWaiters producers waiting for room
     * @param takeWaiters consumers waiting for an item
     * @param put items accepted since creation (by put or offer, including direct hand-offs)
     * @param taken items taken since creation
     * @param dropped items dropped by an overflow policy or discarded by closeExceptionally
     * @param unfinished accepted items not yet reported done with {@link #taskDone()}
     * @param closed whether the queue is closed
     */
    public record Stats(
            String name,
            int capacity,
            int depth,
            int putWaiters,
            int takeWaiters,
            long put,
            long taken,
            long dropped,
            long unfinished,
            boolean closed) {}

    /** The largest capacity a bounded queue accepts; beyond it, ask for {@link #unbounded()}. */
    public static final int MAX_CAPACITY = 1 << 30;

    /** The spin budget's cap and scale; see {@link #waitSpins}. */
    static final int MAX_WAIT_SPINS = 1 << 8;

    static final int WAIT_SPIN_SCALE = 1 << 12;

    /**
     * From this capacity on, a platform thread blocked in {@link #putBlocking} or
     * {@link #takeBlocking()} waits on a Condition of the queue's lock instead of parking on its
     * node; see the maintainer's note ("Waiting in the lock's queue") and ADR queues-0003.
     */
    static final int LOCK_QUEUE_WAIT_CAPACITY = 1 << 10;

    /** Read once: spinning on a single CPU only delays the thread that would end the wait. */
    private static final boolean MULTI_CPU = Runtime.getRuntime().availableProcessors() > 1;

    private static final Logger LOG = LoggerFactory.getLogger(AsyncQueue.class);

    private final String name;
    private final int capacity;

    /**
     * How many times a platform thread waiting on this queue re-reads its node before it parks:
     * 4,096 / capacity, at most 256 (JDK 8's CompletableFuture spun 256 times before parking),
     * so 256 up to capacity 16, 4 at capacity 1,024 and none from 4,097 on; none on a single CPU.
     * See the maintainer's note and ADR queues-0002.
     */
    final int waitSpins;

    /** Whether platform threads blocked in putBlocking/takeBlocking wait in the lock's queue. */
    private final boolean waitsOnLock;

    private final Overflow overflow;
    private final @Nullable Consumer<? super T> onDropped;
    private final TimeSource time;
    private final QueueStore store;
    private final ReentrantLock lock = new ReentrantLock();
    private final SyncWaiter.Queue<QueueWaiter<?>> takers = new SyncWaiter.Queue<>();
    private final SyncWaiter.Queue<QueueWaiter<?>> putters = new SyncWaiter.Queue<>();

    @GuardedBy("lock")
    private @Nullable List<CompletableFuture<Void>> joiners;

    private volatile boolean closed; // written under lock

    @GuardedBy("lock")
    private @Nullable Throwable closeCause;

    // the lifetime counters (put, taken, dropped, unfinished) live in the store, see QueueStore

    private AsyncQueue(Builder<T> builder) {
        this.name = builder.name == null ? Checks.defaultName("queue", this) : builder.name;
        this.capacity = builder.capacity;
        this.waitSpins = MULTI_CPU ? Math.min(MAX_WAIT_SPINS, WAIT_SPIN_SCALE / builder.capacity) : 0;
        this.waitsOnLock = builder.capacity >= LOCK_QUEUE_WAIT_CAPACITY;
        this.overflow = builder.overflow == null ? Overflow.BACKPRESSURE : builder.overflow;
        this.onDropped = builder.onDropped;
        this.time = builder.time == null ? TimeSource.system() : builder.time;
        this.store = builder.comparator == null ? new RingStore(capacity) : new HeapStore(builder.comparator);
    }

    // ---------------------------------------------------------------- factories

    /**
     * A FIFO queue holding at most {@code capacity} items, {@link Overflow#BACKPRESSURE} on overflow,
     * on the system clock.
     *
     * @param <T> the element type
     * @param capacity the bound, from 1 to {@link #MAX_CAPACITY}
     * @return a new open queue
     * @throws IllegalArgumentException if {@code capacity} is out of range
     */
    public static <T> AsyncQueue<T> bounded(int capacity) {
        return AsyncQueue.<T>builder(capacity).build();
    }

    /**
     * A FIFO queue without a bound: {@code put} never waits. Use only when the producer is bounded
     * some other way; a fast producer can exhaust memory.
     *
     * @param <T> the element type
     * @return a new open queue
     */
    public static <T> AsyncQueue<T> unbounded() {
        return AsyncQueue.<T>unboundedBuilder().build();
    }

    /**
     * A bounded priority queue: {@code take} returns the least element by {@code order}; equal
     * elements come out in the order they were put. The comparator runs under the queue's lock:
     * it must be fast, pure and never throw.
     *
     * @param <T> the element type
     * @param capacity the bound, from 1 to {@link #MAX_CAPACITY}
     * @param order the priority order, least first
     * @return a new open queue
     * @throws IllegalArgumentException if {@code capacity} is out of range
     * @throws NullPointerException if {@code order} is null
     */
    public static <T> AsyncQueue<T> priority(int capacity, Comparator<? super T> order) {
        Objects.requireNonNull(order, "order");
        return AsyncQueue.<T>builder(capacity).priority(order).build();
    }

    /**
     * A builder for a bounded queue.
     *
     * @param <T> the element type
     * @param capacity the bound, from 1 to {@link #MAX_CAPACITY}
     * @return a new builder
     * @throws IllegalArgumentException if {@code capacity} is out of range
     */
    public static <T> Builder<T> builder(int capacity) {
        Checks.positive(capacity, "capacity");
        if (capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be at most " + MAX_CAPACITY
                    + " (use AsyncQueue.unbounded() for no bound), was " + capacity);
        }
        return new Builder<>(capacity);
    }

    /**
     * A builder for an unbounded queue (see {@link #unbounded()}).
     *
     * @param <T> the element type
     * @return a new builder
     */
    public static <T> Builder<T> unboundedBuilder() {
        return new Builder<>(Integer.MAX_VALUE);
    }

    // ---------------------------------------------------------------- producers

    /**
     * Puts {@code item}, waiting for room if the queue is full.
     *
     * <p>Completes when the item is in the queue (or handed to a waiting consumer); fails with
     * {@link ClosedException} if the queue is closed, now or while waiting. Cancelling the
     * returned future while it waits withdraws the item: it is never enqueued.
     *
     * <p>When the item goes in at once (room in the queue, or a waiting consumer), the future
     * returned is one shared, already completed instance: nothing is allocated, and
     * {@code obtrude*} on it throws {@link UnsupportedOperationException}.
     *
     * @param item the item
     * @return a future completing once the item is accepted
     * @throws NullPointerException if {@code item} is null
     */
    public CompletableFuture<Void> put(T item) {
        Objects.requireNonNull(item, "item");
        lock.lock();
        int n = store.size;
        if (n > 0 && n < capacity && !closed) { // the fast path: see the maintainer's note
            try {
                acceptLocked(item);
            } catch (RuntimeException | Error comparatorFailed) {
                return CompletableFuture.failedFuture(comparatorFailed); // queue unchanged
            } finally {
                lock.unlock();
            }
            return SyncWaiter.DONE; // shared and immutable: the immediate success allocates nothing
        }
        return putSlow(item);
    }

    /** The rest of {@link #put}: called holding the lock, releases it. */
    private CompletableFuture<Void> putSlow(T item) {
        QueueWaiter<?> taker;
        try {
            if (closed) {
                return CompletableFuture.failedFuture(closedException("put"));
            }
            taker = takers.poll();
            if (taker == null) {
                if (store.size < capacity) {
                    try {
                        acceptLocked(item);
                    } catch (RuntimeException | Error comparatorFailed) {
                        return CompletableFuture.failedFuture(comparatorFailed); // queue unchanged
                    }
                    return SyncWaiter.DONE; // shared and immutable: the immediate success allocates nothing
                }
                PutWaiter node = new PutWaiter(this, item);
                putters.add(node);
                return QueueFullEvent.trace(node, name, capacity); // JFR, only when enabled
            }
            handOff(taker, item);
        } finally {
            lock.unlock();
        }
        fire(taker); // through the trampoline: a taker's callback that puts again must not recurse
        return SyncWaiter.DONE;
    }

    /**
     * Puts {@code item} if that is possible without waiting; when the queue is full, applies the
     * queue's {@link Overflow} policy.
     *
     * @param item the item
     * @return {@code true} if the item is now in the queue (or was handed to a consumer);
     *     {@code false} if the policy refused or dropped it
     * @throws NullPointerException if {@code item} is null
     * @throws ClosedException if the queue is closed
     * @throws IllegalStateException if the queue is full and its policy is {@link Overflow#FAIL}
     */
    public boolean offer(T item) {
        Objects.requireNonNull(item, "item");
        QueueWaiter<?> taker;
        @Nullable Object evicted = null;
        lock.lock();
        try {
            if (closed) {
                throw closedException("offer");
            }
            taker = takers.poll();
            if (taker == null) {
                if (store.size >= capacity) {
                    switch (overflow) {
                        case BACKPRESSURE:
                            return false;
                        case FAIL:
                            throw new IllegalStateException(
                                    "AsyncQueue[" + name + "] is full (capacity " + capacity + "): offer refused");
                        case DROP_NEWEST:
                            store.dropCount++;
                            evicted = item;
                            break;
                        case DROP_OLDEST:
                            evicted = store.poll();
                            store.dropCount++;
                            store.unfinished--;
                            acceptLocked(item);
                            break;
                        default:
                            throw new AssertionError(overflow);
                    }
                } else {
                    acceptLocked(item);
                    return true;
                }
            } else {
                handOff(taker, item);
            }
        } finally {
            lock.unlock();
        }
        if (taker != null) {
            fire(taker); // through the trampoline, as in put
            return true;
        }
        reportDropped(evicted);
        return overflow == Overflow.DROP_OLDEST;
    }

    /**
     * Puts {@code item}, blocking the calling thread while the queue is full. Meant for virtual
     * threads.
     *
     * <p>If the thread is interrupted while waiting and the item has not been accepted yet, the
     * item is withdrawn and {@link InterruptedException} thrown; if it was accepted at the same
     * moment, the method returns normally with the interrupt status set.
     *
     * @param item the item
     * @throws NullPointerException if {@code item} is null
     * @throws ClosedException if the queue is closed, now or while waiting
     * @throws InterruptedException if interrupted before the item was accepted
     */
    public void putBlocking(T item) throws InterruptedException {
        Objects.requireNonNull(item, "item");
        lock.lockInterruptibly(); // throws if interrupted: nothing was put
        int n = store.size;
        if (n > 0 && n < capacity && !closed) { // the fast path: see the maintainer's note
            try {
                acceptLocked(item);
            } finally {
                lock.unlock();
            }
            return;
        }
        putBlockingSlow(item);
    }

    /** The rest of {@link #putBlocking}: called holding the lock, releases it. */
    private void putBlockingSlow(T item) throws InterruptedException {
        QueueWaiter<?> taker;
        BlockingWaiter node = null;
        @Nullable Condition onLock = null;
        try {
            if (closed) {
                throw closedException("put");
            }
            // takers wait only while the store is empty (invariant 1): with items buffered, the
            // taker list is not read at all
            taker = store.size == 0 ? takers.poll() : null;
            if (taker == null) {
                if (store.size < capacity) {
                    acceptLocked(item);
                    return;
                }
                Condition waitOn = waitCondition();
                node = new BlockingWaiter(this, item, waitOn);
                putters.add(node);
                onLock = waitOn; // from here on the lock stays held for awaitOnLock
            } else {
                handOff(taker, item);
                if (signalLocked(taker)) {
                    return;
                }
            }
        } finally {
            if (onLock == null) { // else awaitOnLock releases it
                lock.unlock();
            }
        }
        if (node == null) {
            fire(Objects.requireNonNull(taker, "no room was made: a taker was handed the item"));
        } else if (onLock != null) {
            awaitOnLock(node, onLock, "put");
        } else {
            awaitBlocking(node, "put");
        }
    }

    // ---------------------------------------------------------------- consumers

    /**
     * Takes the next item, waiting until one is available.
     *
     * <p>Completes with the item; fails with {@link ClosedException} once the queue is closed and
     * empty (its cause is the one given to {@link #closeExceptionally}, if any). Cancelling the
     * returned future while it waits guarantees no item is consumed for it.
     *
     * <p>When an item is available at once, the future returned is a new, already completed
     * {@code CompletableFuture} holding it (one small object, the only allocation of that path):
     * it belongs to the caller alone, so completing or obtruding it affects no other take.
     *
     * @return a future completing with the next item
     */
    public CompletableFuture<T> take() {
        lock.lock();
        int n = store.size;
        if (n > 0 && n < capacity) { // the fast path: see the maintainer's note
            T item;
            try {
                item = takeLocked();
            } catch (RuntimeException | Error comparatorFailed) {
                return CompletableFuture.failedFuture(comparatorFailed); // queue unchanged
            } finally {
                lock.unlock();
            }
            return CompletableFuture.completedFuture(item);
        }
        return takeSlow();
    }

    /** The rest of {@link #take()}: called holding the lock, releases it. */
    private CompletableFuture<T> takeSlow() {
        @Nullable QueueWaiter<?> moved;
        T item;
        try {
            if (store.size == 0) {
                if (closed) {
                    return CompletableFuture.failedFuture(closedException("take"));
                }
                TakeWaiter<T> node = new TakeWaiter<>(this);
                takers.add(node);
                return node;
            }
            try {
                item = takeLocked();
            } catch (RuntimeException | Error comparatorFailed) {
                return CompletableFuture.failedFuture(comparatorFailed); // queue unchanged
            }
            moved = refillOne();
        } finally {
            lock.unlock();
        }
        fire(moved);
        return CompletableFuture.completedFuture(item);
    }

    /**
     * Takes the next item, waiting at most {@code timeout} (on the queue's {@link TimeSource}).
     *
     * <p>Like {@link #take()}, and in addition fails with {@link TimeoutException} if no item
     * arrived in time (nothing is consumed then). A zero or negative timeout fails at once unless
     * an item is available.
     *
     * @param timeout how long to wait
     * @return a future completing with the next item
     * @throws NullPointerException if {@code timeout} is null
     */
    public CompletableFuture<T> take(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<T> result = take();
        if (result.isDone() || !(result instanceof TakeWaiter<T> node)) {
            return result;
        }
        if (timeout.isNegative() || timeout.isZero()) {
            node.completeExceptionally(timeoutException(timeout));
            return node;
        }
        node.startTimer(time, Durations.toNanosSaturated(timeout), "AsyncQueue[" + name + "]: take");
        return node;
    }

    /**
     * Takes the next item if one is available, without waiting.
     *
     * @return the next item, or {@code null} if the queue is empty (use {@link #isDrained()} to
     *     tell an empty open queue from the end of a closed one)
     */
    public @Nullable T poll() {
        lock.lock();
        return cast(takeOrEnqueueAndUnlock(false));
    }

    /**
     * Takes up to {@code max} items that are available now, without waiting. Waiting producers
     * move into the room freed, in order.
     *
     * @param max the most items to take, at least 1
     * @return the items in queue order; empty if there were none
     * @throws IllegalArgumentException if {@code max < 1}
     */
    public List<T> drain(int max) {
        Checks.positive(max, "max");
        List<T> out = new ArrayList<>(Math.min(max, 64));
        drainInto(out, max);
        return out;
    }

    /**
     * Waits for at least one item, then takes up to {@code max} that are available at that moment.
     *
     * <p>Completes with a non-empty list; fails with {@link ClosedException} once the queue is
     * closed and empty. Cancellation is as for {@link #take()}.
     *
     * @param max the most items to take, at least 1
     * @return a future completing with 1 to {@code max} items in queue order
     * @throws IllegalArgumentException if {@code max < 1}
     */
    public CompletableFuture<List<T>> takeBatch(int max) {
        Checks.positive(max, "max");
        List<T> out = new ArrayList<>(Math.min(max, 64));
        lock.lock();
        try {
            if (store.size == 0) {
                if (closed) {
                    return CompletableFuture.failedFuture(closedException("take"));
                }
                BatchWaiter<T> node = new BatchWaiter<>(this, max);
                takers.add(node);
                return node;
            }
        } finally {
            lock.unlock();
        }
        drainInto(out, max);
        if (out.isEmpty()) {
            return takeBatch(max); // someone else took them between the two lock sections
        }
        return CompletableFuture.completedFuture(out);
    }

    /**
     * Takes the next item, blocking the calling thread while the queue is empty. Meant for virtual
     * threads.
     *
     * <p>If interrupted while waiting, nothing is consumed and {@link InterruptedException} is
     * thrown; if an item was handed over at the same moment, it is returned with the interrupt
     * status set.
     *
     * @return the next item
     * @throws ClosedException once the queue is closed and empty
     * @throws InterruptedException if interrupted before an item was handed over
     */
    public T takeBlocking() throws InterruptedException {
        lock.lockInterruptibly(); // throws if interrupted: nothing was taken
        int n = store.size;
        if (n > 0 && n < capacity) { // the fast path: see the maintainer's note
            T item;
            try {
                item = takeLocked();
            } finally {
                lock.unlock();
            }
            return item;
        }
        Object got = takeOrEnqueueAndUnlock(true, true);
        if (got instanceof BlockingWaiter node) {
            Condition onLock = node.onLock;
            return onLock != null
                    ? awaitOnLock(node, onLock, "take") // the lock is still held: see takeOrEnqueueAndUnlock
                    : awaitBlocking(node, "take");
        }
        return cast(got);
    }

    /**
     * Takes the next item, blocking the calling thread for at most {@code timeout} (on the queue's
     * {@link TimeSource}). Meant for virtual threads.
     *
     * @param timeout how long to wait; zero or negative means "only if available now"
     * @return the next item
     * @throws NullPointerException if {@code timeout} is null
     * @throws TimeoutException if no item arrived in time (nothing consumed)
     * @throws ClosedException once the queue is closed and empty
     * @throws InterruptedException if interrupted before an item was handed over
     */
    public T takeBlocking(Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        lock.lockInterruptibly(); // throws if interrupted: nothing was taken
        Object got = takeOrEnqueueAndUnlock(true);
        if (!(got instanceof BlockingWaiter node)) {
            return cast(got);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            if (abandon(node, true)) {
                throw timeoutException(timeout);
            }
            return awaitBlocking(node, "take");
        }
        Cancellable timer = time.schedule(timeout, () -> {
            if (abandon(node, true)) {
                node.fire(); // an unpark: a timed take parks on its node, never on the lock
            }
        });
        try {
            return awaitBlocking(node, "take");
        } catch (NodeTimedOut timedOut) {
            throw timeoutException(timeout);
        } finally {
            timer.cancel();
        }
    }

    // ---------------------------------------------------------------- task tracking

    /**
     * Reports that one taken item has been fully processed (asyncio's {@code task_done}).
     *
     * @throws IllegalStateException if called more times than items were accepted
     */
    public void taskDone() {
        List<CompletableFuture<Void>> release;
        lock.lock();
        try {
            if (store.unfinished == 0) {
                throw new IllegalStateException(
                        "AsyncQueue[" + name + "]: taskDone() called more times than items were put");
            }
            if (--store.unfinished != 0 || joiners == null) {
                return;
            }
            release = joiners;
            joiners = null;
        } finally {
            lock.unlock();
        }
        release.forEach(f -> f.complete(null));
    }

    /**
     * A future that completes when every accepted item has been reported done with
     * {@link #taskDone()} (asyncio's {@code join}); at once if none is unfinished. Items dropped by
     * an overflow policy or discarded by {@link #closeExceptionally} count as done. Cancelling the
     * returned future affects nothing else.
     *
     * @return a future completing when no item is unfinished
     */
    public CompletableFuture<Void> join() {
        lock.lock();
        try {
            if (store.unfinished == 0) {
                return CompletableFuture.completedFuture(null);
            }
            if (joiners == null) {
                joiners = new ArrayList<>();
            } else if (joiners.size() >= 64) {
                joiners.removeIf(CompletableFuture::isDone);
            }
            var future = new CompletableFuture<Void>();
            joiners.add(future);
            return future;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * Closes the queue: new and waiting producers fail with {@link ClosedException}; buffered
     * items stay available to consumers, who get {@link ClosedException} once it is empty.
     * Idempotent; a no-op on a queue already closed (either way).
     */
    public void close() {
        closeInternal(null);
    }

    /**
     * Closes the queue because of {@code cause}: producers and consumers, waiting or new, fail at
     * once with a {@link ClosedException} whose cause is {@code cause}. Buffered items are
     * discarded (counted as dropped, not passed to the drop listener) and returned so the caller
     * can account for them. On a queue already closed by {@link #close()} it still discards what
     * is left (an abort after a graceful close); a no-op returning an empty list if the queue was
     * already closed exceptionally.
     *
     * @param cause why the queue is closed
     * @return the items that were buffered, in queue order
     * @throws NullPointerException if {@code cause} is null
     */
    public List<T> closeExceptionally(Throwable cause) {
        Objects.requireNonNull(cause, "cause");
        return closeInternal(cause);
    }

    private List<T> closeInternal(@Nullable Throwable cause) {
        SyncWaiter.Chain toFire = new SyncWaiter.Chain();
        int failedPutters = 0;
        int failedTakers = 0;
        List<T> discarded = new ArrayList<>();
        List<CompletableFuture<Void>> release = null;
        lock.lock();
        try {
            if (closed && (cause == null || closeCause != null)) {
                return discarded; // already closed that way (or more strongly)
            }
            closed = true;
            closeCause = cause;
            for (QueueWaiter<?> p; (p = putters.poll()) != null; ) {
                fail(p, "put");
                toFire.add(p);
                failedPutters++;
            }
            if (cause != null) {
                while (store.size > 0) {
                    try {
                        discarded.add(cast(store.poll()));
                    } catch (RuntimeException | Error comparatorFailed) {
                        store.removeAllInto(discarded); // the rest, unordered: close must not fail halfway
                    }
                }
                store.dropCount += discarded.size();
                store.unfinished -= discarded.size();
                if (store.unfinished == 0 && joiners != null) {
                    release = joiners;
                    joiners = null;
                }
            }
            if (store.size == 0) {
                for (QueueWaiter<?> t; (t = takers.poll()) != null; ) {
                    fail(t, "take");
                    toFire.add(t);
                    failedTakers++;
                }
            }
        } finally {
            lock.unlock();
        }
        LOG.debug(
                "AsyncQueue[{}] closed{}: {} waiting producers and {} consumers failed, {} items discarded",
                name,
                cause == null ? "" : " exceptionally",
                failedPutters,
                failedTakers,
                discarded.size());
        SyncWaiter.fireChain(toFire.first);
        if (release != null) {
            release.forEach(f -> f.complete(null));
        }
        return discarded;
    }

    // ---------------------------------------------------------------- state

    /**
     * Items buffered now.
     *
     * @return the current size
     */
    public int size() {
        lock.lock();
        try {
            return store.size;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The bound.
     *
     * @return the capacity, {@link Integer#MAX_VALUE} for an unbounded queue
     */
    public int capacity() {
        return capacity;
    }

    /**
     * Whether {@link #close()} or {@link #closeExceptionally} was called.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Whether the queue is closed and empty: no item will ever come out of it again.
     *
     * @return {@code true} at the end of the queue
     */
    public boolean isDrained() {
        // closed is monotonic and a closed queue only shrinks: reading it first makes this exact
        return closed && size() == 0;
    }

    /**
     * The queue's name, used in messages and stats.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * A consistent snapshot of the queue's state and counters.
     *
     * @return the stats
     */
    public Stats stats() {
        lock.lock();
        try {
            return new Stats(
                    name,
                    capacity,
                    store.size,
                    putters.size(),
                    takers.size(),
                    store.putCount,
                    store.takeCount,
                    store.dropCount,
                    store.unfinished,
                    closed);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        Stats s = stats();
        return "AsyncQueue[" + name + ", size=" + s.depth() + "/"
                + (capacity == Integer.MAX_VALUE ? "unbounded" : capacity) + (s.closed() ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------- internals (lock held)

    /** Puts an accepted item into the store and counts it; may throw (comparator): nothing changed then. */
    @GuardedBy("lock")
    private void acceptLocked(Object item) {
        store.add(item);
        store.putCount++;
        store.unfinished++;
    }

    @GuardedBy("lock")
    private T takeLocked() {
        T item = cast(store.poll()); // may throw (comparator): nothing changed then
        store.takeCount++;
        return item;
    }

    /**
     * After one item left the store: move the first waiting producer's item in. Returns the
     * waiters to fire outside the lock, linked by {@code next} (usually just one, no allocation):
     * the producer moved in and any before it whose item the comparator refused (those fail with
     * its exception); {@code null} if no producer waits.
     */
    @GuardedBy("lock")
    private @Nullable QueueWaiter<?> refillOne() {
        @Nullable QueueWaiter<?> first = null;
        QueueWaiter<?> putter;
        while ((putter = putters.poll()) != null) {
            try {
                acceptLocked(Objects.requireNonNull(putter.item)); // a waiting putter holds its item
                putter.state = QueueWaiter.DONE;
                putter.signalOnJoinLocked();
            } catch (RuntimeException | Error comparatorFailed) {
                putter.failure = comparatorFailed;
                putter.state = QueueWaiter.FAILED;
                putter.signalOnJoinLocked();
            }
            putter.item = null;
            putter.next = first; // pushed: the order in which they are fired does not matter
            first = putter;
            if (putter.state == QueueWaiter.DONE) {
                break;
            }
        }
        return first;
    }

    /**
     * Fires a chain of waiters outside the lock. A single blocked thread is unparked directly
     * (nothing user-supplied runs, so no trampoline is needed); futures go through
     * {@link SyncWaiter#fireChain}, so that hand-offs made by their dependents do not grow the stack.
     */
    private static void fire(@Nullable QueueWaiter<?> chain) {
        if (chain == null) {
            return;
        }
        if (chain.next == null && chain instanceof BlockingWaiter blocked) {
            blocked.fire();
        } else {
            SyncWaiter.fireChain(chain);
        }
    }

    @GuardedBy("lock")
    private void handOff(QueueWaiter<?> taker, Object item) {
        taker.item = item;
        taker.state = QueueWaiter.DONE;
        taker.signalOnJoinLocked();
        store.putCount++;
        store.takeCount++;
        store.unfinished++;
    }

    @GuardedBy("lock")
    private void fail(QueueWaiter<?> node, String operation) {
        node.failure = closedException(operation);
        node.state = QueueWaiter.FAILED;
        node.signalOnJoinLocked();
    }

    @GuardedBy("lock")
    private ClosedException closedException(String operation) {
        return closeCause == null
                ? new ClosedException("AsyncQueue[" + name + "] is closed: " + operation + " refused")
                : new ClosedException("AsyncQueue[" + name + "] is closed: " + operation + " refused", closeCause);
    }

    private TimeoutException timeoutException(Duration timeout) {
        return new TimeoutException("AsyncQueue[" + name + "]: no item within " + timeout);
    }

    // ---------------------------------------------------------------- internals (no lock held)

    void drainInto(List<T> out, int max) {
        SyncWaiter.Chain moved = new SyncWaiter.Chain();
        lock.lock();
        try {
            while (out.size() < max && store.size > 0) {
                T item;
                try {
                    item = takeLocked();
                } catch (RuntimeException | Error comparatorFailed) {
                    if (out.isEmpty()) {
                        throw comparatorFailed; // nothing taken: the queue is unchanged
                    }
                    break; // keep what was taken; the failing item stays for the next take
                }
                out.add(item);
                for (QueueWaiter<?> w = refillOne(), following; w != null; w = following) {
                    following = (QueueWaiter<?>) w.next;
                    moved.add(w);
                }
            }
        } finally {
            lock.unlock();
        }
        SyncWaiter.fireChain(moved.first);
    }

    /**
     * Called with the lock held, which it releases. Returns the next item; if there is none,
     * {@code null} ({@code wait} false, for poll) or a linked BlockingWaiter to wait on (for the
     * blocking takes; ClosedException if closed). The blocking takes acquire the lock with
     * lockInterruptibly (its interrupt check is the one their contract asks for: an interrupt
     * before the lock is held throws, nothing taken), poll with lock.
     */
    private @Nullable Object takeOrEnqueueAndUnlock(boolean wait) {
        return takeOrEnqueueAndUnlock(wait, false);
    }

    /**
     * As above; with {@code mayWaitOnLock}, a node enqueued for a platform thread on a large queue
     * waits on a Condition of the lock (see waitCondition), and then the lock is returned still
     * held, for awaitOnLock to release.
     */
    private @Nullable Object takeOrEnqueueAndUnlock(boolean wait, boolean mayWaitOnLock) {
        @Nullable QueueWaiter<?> moved;
        Object item;
        boolean keepLocked = false;
        try {
            if (store.size == 0) {
                if (!wait) {
                    return null;
                }
                if (closed) {
                    throw closedException("take");
                }
                BlockingWaiter node = new BlockingWaiter(this, null, mayWaitOnLock ? waitCondition() : null);
                takers.add(node);
                keepLocked = node.onLock != null;
                return node;
            }
            // putters wait only while the store is full (invariant 2): otherwise the putter
            // list is not read at all
            boolean wasFull = store.size == capacity;
            item = takeLocked(); // may throw (comparator): nothing changed then
            moved = wasFull ? refillOne() : null;
            if (moved != null && moved.next == null && signalLocked(moved)) {
                moved = null;
            }
        } finally {
            if (!keepLocked) {
                lock.unlock();
            }
        }
        fire(moved);
        return item;
    }

    /**
     * The Condition a blocked thread about to wait should wait on, or null to park on its node: a
     * Condition of the lock for a platform thread on a queue of at least LOCK_QUEUE_WAIT_CAPACITY.
     * Called holding the lock.
     */
    private @Nullable Condition waitCondition() {
        return waitsOnLock && !Thread.currentThread().isVirtual() ? lock.newCondition() : null;
    }

    /**
     * If {@code settled} (its fate just decided, under the lock) is a thread waiting on a Condition
     * of the lock, signals it now, saving the lock round trip its fire() would take; then it must
     * not be fired. Called holding the lock.
     */
    private static boolean signalLocked(QueueWaiter<?> settled) {
        if (settled instanceof BlockingWaiter blocked && blocked.onLock != null) {
            blocked.onLock.signal();
            return true;
        }
        return false;
    }

    /**
     * Whether a thread joining a waiting future of this queue waits on a Condition of the lock
     * (see awaitFateOnLock): a platform thread, on a queue of at least LOCK_QUEUE_WAIT_CAPACITY,
     * like the blocked threads of waitCondition.
     */
    boolean joinsOnLock() {
        return waitsOnLock && !Thread.currentThread().isVirtual();
    }

    /**
     * join() or get() of a waiting put or take future, on a platform thread of a queue that waits
     * on its lock (joinsOnLock; issue 20, ADR queues-0004): waits on a Condition of the lock until
     * the node's fate is decided, as a blocked thread does (awaitOnLock), then completes the
     * future from this thread, after releasing the lock, with what the node holds: a thread woken
     * by a direct unpark would find the lock busy and park on it again, this one is woken holding
     * it. fire() completes the same future with the same result a moment later and loses, or wins
     * first; either way the joiner no longer waits for it. Returns without waiting if another
     * thread already waits on the node this way (that thread then takes join's other path).
     * {@code interruptible} (get): an interrupt throws InterruptedException and leaves the node
     * and the future as they are; join waits on (awaitUninterruptibly keeps the interrupt status).
     */
    void awaitFateOnLock(QueueWaiter<?> node, boolean interruptible) throws InterruptedException {
        if (interruptible) {
            lock.lockInterruptibly();
        } else {
            lock.lock();
        }
        try {
            if (node.state == QueueWaiter.WAITING) {
                if (node.onJoin != null) {
                    return;
                }
                Condition onJoin = lock.newCondition();
                node.onJoin = onJoin;
                try {
                    while (node.state == QueueWaiter.WAITING && !node.isDone()) { // done: obtrude*, completeAsync
                        if (interruptible) {
                            onJoin.await();
                        } else {
                            onJoin.awaitUninterruptibly();
                        }
                    }
                } finally {
                    node.onJoin = null;
                }
            }
        } finally {
            lock.unlock();
        }
        node.completeAsJoiner();
    }

    /** Wakes a thread waiting in awaitFateOnLock on {@code node}, from outside the lock. */
    void signalOnJoin(QueueWaiter<?> node) {
        lock.lock();
        try {
            node.signalOnJoinLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Signals a Condition of the lock from outside it: BlockingWaiter.fire. */
    void signal(Condition condition) {
        lock.lock();
        try {
            condition.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits on {@code onLock} until the node's fate is decided; called holding the lock, releases
     * it. An interrupt abandons the node (nothing put, nothing taken) unless the transfer won.
     */
    private T awaitOnLock(BlockingWaiter node, Condition onLock, String operation) throws InterruptedException {
        try {
            while (node.state == QueueWaiter.WAITING) {
                onLock.await();
            }
        } catch (InterruptedException interrupted) {
            if (abandon(node, false)) {
                throw new InterruptedException("AsyncQueue[" + name + "]: " + operation + " interrupted");
            }
            Thread.currentThread().interrupt(); // the transfer won the race: finish it, keep the interrupt
        } finally {
            lock.unlock();
        }
        return outcome(node);
    }

    /** Parks until the node's fate is decided; handles interrupts; returns the taken item. */
    private T awaitBlocking(BlockingWaiter node, String operation) throws InterruptedException {
        node.spinBeforePark(); // a platform thread on a small queue: see the maintainer's note
        while (node.state == QueueWaiter.WAITING) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                if (abandon(node, false)) {
                    throw new InterruptedException("AsyncQueue[" + name + "]: " + operation + " interrupted");
                }
                // the transfer won the race: finish it, keep the interrupt for the caller
                Thread.currentThread().interrupt();
                break;
            }
        }
        return outcome(node);
    }

    /** The result of a blocked call whose node's fate is decided: the item taken, or the failure. */
    private T outcome(BlockingWaiter node) {
        int state = node.state;
        if (state == QueueWaiter.FAILED) {
            Throwable failure = node.failure; // the close, or the comparator refusing the item
            if (failure instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) failure;
        }
        if (state == QueueWaiter.ABANDONED && node.timedOut) {
            throw NodeTimedOut.INSTANCE;
        }
        return cast(node.item);
    }

    /** Unlinks a still-waiting node. Returns true if this call decided its fate. */
    boolean abandon(QueueWaiter<?> node, boolean timedOut) {
        lock.lock();
        try {
            if (node.state != QueueWaiter.WAITING) {
                return false;
            }
            (node.isPut() ? putters : takers).remove(node);
            node.timedOut = timedOut;
            node.state = QueueWaiter.ABANDONED;
            node.item = null;
            node.signalOnJoinLocked();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void reportDropped(@Nullable Object item) {
        if (item == null || onDropped == null) {
            return;
        }
        Listeners.notify(LOG, "AsyncQueue[" + name + "]", "drop", onDropped, QueueStore.<T>cast(item));
    }

    /** Internal signal from awaitBlocking to takeBlocking(Duration). */
    private static final class NodeTimedOut extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @SuppressWarnings(
                "StaticAssignmentOfThrowable") // stackless, never thrown to users: a preallocated internal signal
        static final NodeTimedOut INSTANCE = new NodeTimedOut();

        private NodeTimedOut() {
            super(null, null, false, false);
        }
    }

    // ---------------------------------------------------------------- builder

    /**
     * Configures a queue. Each setting may be given once; {@link #build()} may be called many
     * times, each call making an independent queue.
     *
     * @param <T> the element type
     */
    public static final class Builder<T> {
        private final int capacity;
        private @Nullable String name;
        private @Nullable Overflow overflow;
        private @Nullable Consumer<? super T> onDropped;
        private @Nullable Comparator<? super T> comparator;
        private @Nullable TimeSource time;

        private Builder(int capacity) {
            this.capacity = capacity;
        }

        /**
         * The name used in messages, logs and stats (default: {@code queue@<hash>}).
         *
         * @param name the name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank, longer than 200 characters or
         *     holds a control character
         * @throws IllegalStateException if already set
         */
        public Builder<T> name(String name) {
            Checks.name(name);
            Checks.unset(this.name, "name");
            this.name = name;
            return this;
        }

        /**
         * What {@link AsyncQueue#offer} does when the queue is full (default
         * {@link Overflow#BACKPRESSURE}).
         *
         * @param overflow the policy
         * @return this builder
         * @throws NullPointerException if {@code overflow} is null
         * @throws IllegalStateException if already set
         */
        public Builder<T> overflow(Overflow overflow) {
            this.overflow = Checks.setOnce(this.overflow, overflow, "overflow", "overflow");
            return this;
        }

        /**
         * Called with every item an overflow policy drops, on the thread that called
         * {@link AsyncQueue#offer}, outside the queue's
         * lock; it must not block. What it throws is logged once at WARN and ignored
         * ({@link VirtualMachineError}s are rethrown; ADR core-0002). Set once; combine several
         * listeners with {@link Consumer#andThen}.
         *
         * @param listener the drop listener
         * @return this builder
         * @throws NullPointerException if {@code listener} is null
         * @throws IllegalStateException if already set
         */
        public Builder<T> onDropped(Consumer<? super T> listener) {
            this.onDropped = Checks.setOnce(this.onDropped, listener, "listener", "onDropped");
            return this;
        }

        /**
         * Makes it a priority queue ordered by {@code order} (least first, FIFO among equals); see
         * {@link AsyncQueue#priority(int, Comparator)}.
         *
         * @param order the priority order
         * @return this builder
         * @throws NullPointerException if {@code order} is null
         * @throws IllegalStateException if already set
         */
        public Builder<T> priority(Comparator<? super T> order) {
            this.comparator = Checks.setOnce(this.comparator, order, "order", "priority");
            return this;
        }

        /**
         * The clock for timeouts (default {@link TimeSource#system()}).
         *
         * @param timeSource the time source
         * @return this builder
         * @throws NullPointerException if {@code timeSource} is null
         * @throws IllegalStateException if already set
         */
        public Builder<T> timeSource(TimeSource timeSource) {
            this.time = Checks.setOnce(this.time, timeSource, "timeSource", "timeSource");
            return this;
        }

        /**
         * Builds a new, open queue.
         *
         * @return the queue
         * @throws IllegalArgumentException if the priority order is combined with
         *     {@link Overflow#DROP_OLDEST}
         */
        public AsyncQueue<T> build() {
            if (comparator != null && overflow == Overflow.DROP_OLDEST) {
                throw new IllegalArgumentException("overflow DROP_OLDEST is not supported by a priority queue");
            }
            return new AsyncQueue<>(this);
        }
    }
}
