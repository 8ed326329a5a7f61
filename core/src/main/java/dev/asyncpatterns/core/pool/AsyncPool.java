package dev.asyncpatterns.core.pool;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.GuardedCall;
import dev.asyncpatterns.core.internal.SyncWaiter;
import dev.asyncpatterns.core.internal.WaitCounters;
import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * Accounting (all under `lock`): every live object is in exactly one place:
 *   idle (ArrayDeque, most recently returned first, so eviction takes the coldest from the back),
 *   borrowed (identity map object -> entry; proves a release is legitimate),
 *   inTransit (taken from idle, being validated outside the lock, on its way to one waiter),
 * and `creating` counts factory calls in flight. total = idle + borrowed + inTransit + creating,
 * and total <= maxSize always.
 *
 * Every acquire queues a SyncWaiter (FIFO); dispatchLocked() matches waiters with idle objects
 * (validated outside the lock, then granted, or destroyed and the waiter put back at the head)
 * and starts one creation per waiter not yet covered while total < maxSize. A created object goes
 * straight to the head waiter. A factory failure fails the head waiter (it surfaces, as asked)
 * and frees its slot, so the pool never shrinks for good; it is not retried by itself, so a dead
 * backend does not make the pool spin. User code (factory, validator, destroyer) and waiter
 * completions all run outside the lock; they are collected as actions while locked.
 *
 * A grant that loses to cancellation/timeout returns the object through release(), like any
 * other return. Idle eviction and max lifetime use one timer on the TimeSource, armed for the
 * earliest due idle entry; an idle-timeout is only due while total > minSize, so the timer
 * never spins on entries it may not evict. Borrowed objects past their lifetime are destroyed
 * when returned.
 *
 * shutdown(): fails waiters, destroys idle objects, and completes its future once every borrowed
 * object has been returned (and destroyed) and every creation has finished (and was destroyed).
 */
/**
 * An asynchronous pool of reusable resources (connections, sessions, clients), like an asyncpg
 * pool: {@link #acquire()} returns a future of an object, {@link #release} gives it back, and
 * {@link #withResource} does both around an asynchronous function.
 *
 * <p>The pool keeps between {@code minSize} and {@code maxSize} objects, creates them with the
 * asynchronous factory on demand, checks idle ones with the validator before lending them,
 * destroys objects idle for longer than {@code idleTimeout} (down to {@code minSize}) and
 * objects older than {@code maxLifetime}. A factory failure fails one waiting acquire with that
 * failure and frees the slot for the next attempt.
 *
 * <p><b>Fairness.</b> Waiters are served first-in, first-out.
 *
 * <p><b>Cancellation.</b> Cancelling (or timing out) a pending acquire withdraws it; an object
 * that was being handed to it at that moment goes back to the pool, never lost.
 *
 * <p><b>Linearizability.</b> With creations that complete later (the factory's stage), acquire,
 * release, invalidate and close are linearizable (Lincheck, {@code stress} module). The factory
 * and the validator run outside the pool's lock, so two windows are not, by design. With a
 * validator, an idle object leaves the lock to be checked on its way to a waiter, and a close in
 * that moment fails the waiter and destroys the object; without one, the object is lent under the
 * lock, so a close comes before or after that hand-off. A close that
 * comes between an acquire's decision to create and the factory's call fails that acquire, and
 * the object created anyway is destroyed: the factory ran for a request that no sequential order
 * lets it serve (a factory that completes at once; {@code created} counts factory calls):
 * <pre>
 * | acquire(0): void                                                   |                               |
 * | releaseOne(0): true                                                |                               |
 * | acquire(0): void                                                   | close(): void                 |
 * | acquire(0): void                                                   | invalidateOne(1): false       |
 * | releaseOne(0): true                                                | acquire(1): void              |
 * | borrowed(0): holding:0 ok:0 pending:0 cancelled:0 failed:1         |                               |
 * | borrowed(1): holding:0 ok:0 pending:0 cancelled:0 failed:1         |                               |
 * | counts(): size:0 idle:0 borrowed:0 waiting:0 created:2 destroyed:2 |                               |
 * </pre>
 * And an object released while a creation is in flight for the head waiter serves that waiter;
 * the creation, when it completes, goes to the next waiter or the idle set, so a request that
 * came in meanwhile waits where a sequential pool would have created for it at once. Cancelling
 * a waiter while an object is being handed to it returns the object, as described above.
 *
 * <p><b>Threads.</b> Thread-safe. The factory, validator and destroyer are called outside
 * internal locks, on the calling thread or the thread that completed a creation or returned an
 * object; they should be quick (the validator and destroyer are synchronous). Acquire futures
 * complete on those threads too.
 *
 * <p><b>Memory effects.</b> Actions before {@link #release} happen-before the completion of the
 * acquire future that receives the same object.
 *
 * <p><b>Shutting down.</b> {@link #shutdown()} refuses acquires, destroys idle objects and
 * completes its future once the borrowed ones are back and destroyed (the toolkit's owner rule,
 * ADR core-0002; a pool is not {@link AutoCloseable}).
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.QueueSnippets region=poolWithResource}
 *
 * @param <T> the resource type
 * @since 0.1.0
 */
public final class AsyncPool<T> {

    /**
     * A consistent snapshot of a pool (ADR core-0003), read under its lock.
     *
     * @param name the pool's name
     * @param size live objects now: idle, borrowed, being validated or being created
     * @param idle idle objects now
     * @param borrowed objects lent out now
     * @param capacity the most objects alive at once ({@code maxSize})
     * @param waiters acquires waiting now
     * @param acquired objects lent, since creation
     * @param created objects the factory made, since creation
     * @param createFailures factory calls that failed, since creation
     * @param destroyed objects destroyed (invalid, expired, idle too long, broken or closed), since
     *     creation
     * @param timedOut acquires that timed out, since creation
     * @param cancelled acquires cancelled (or completed by their caller), since creation
     * @param closed whether the pool is closed
     */
    public record Stats(
            String name,
            int size,
            int idle,
            int borrowed,
            int capacity,
            int waiters,
            long acquired,
            long created,
            long createFailures,
            long destroyed,
            long timedOut,
            long cancelled,
            boolean closed) {}

    private static final Logger LOG = LoggerFactory.getLogger(AsyncPool.class);

    private final AsyncSupplier<? extends T> factory;
    private final Predicate<? super T> validator;
    /** Whether a validator was set: only then does an idle object leave the lock to be checked. */
    private final boolean validates;

    private final Consumer<? super T> destroyer;
    private final int minSize;
    private final int maxSize;
    private final long idleTimeoutNanos; // Long.MAX_VALUE: never
    private final long maxLifetimeNanos; // Long.MAX_VALUE: never
    private final TimeSource timeSource;

    private final ReentrantLock lock = new ReentrantLock();
    private final SyncWaiter.Queue<Waiter<T>> queue = new SyncWaiter.Queue<>();
    private final ArrayDeque<Entry<T>> idle = new ArrayDeque<>();
    private final IdentityHashMap<T, Entry<T>> borrowed = new IdentityHashMap<>();
    private int inTransit;
    private int creating;
    private boolean closed;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private @Nullable Cancellable sweepTimer;
    private long sweepDue;
    private final String name;

    @GuardedBy("lock")
    private final WaitCounters counters = new WaitCounters();

    @GuardedBy("lock")
    private long acquired;

    @GuardedBy("lock")
    private long created;

    @GuardedBy("lock")
    private long createFailures;

    @GuardedBy("lock")
    private long destroyed;

    private AsyncPool(Builder<T> b) {
        this.factory = b.factory;
        this.validator = b.validator != null ? b.validator : object -> true;
        this.validates = b.validator != null;
        this.destroyer = b.destroyer != null ? b.destroyer : AsyncPool::closeIfCloseable;
        this.minSize = b.minSize;
        this.maxSize = b.maxSize;
        this.idleTimeoutNanos = b.idleTimeoutNanos;
        this.maxLifetimeNanos = b.maxLifetimeNanos;
        this.timeSource = b.timeSource != null ? b.timeSource : TimeSource.system();
        this.name = b.name == null ? Checks.defaultName("pool", this) : b.name;
    }

    /**
     * Starts building a pool of objects made by {@code factory}.
     *
     * @param <T> the resource type
     * @param factory creates one object asynchronously; its stage must not complete with null
     * @return a new builder
     * @throws NullPointerException if {@code factory} is null
     */
    public static <T> Builder<T> builder(AsyncSupplier<? extends T> factory) {
        return new Builder<>(Objects.requireNonNull(factory, "factory"));
    }

    /**
     * Borrows an object: an idle one that passes validation, a new one if the pool is below
     * {@code maxSize}, or the next one returned. Never blocks the caller.
     *
     * <p>Thread-safe; FIFO among waiters. The future fails with the factory's failure if the
     * creation made for this request fails, or with {@link ClosedException} if the pool is or
     * gets closed. Cancelling it withdraws the request.
     *
     * @return a future of the borrowed object; give it back with {@link #release}
     */
    public CompletableFuture<T> acquire() {
        return acquire(Long.MAX_VALUE);
    }

    /**
     * As {@link #acquire()}, but fails with a {@link TimeoutException} if no object was lent
     * within {@code timeout}. A zero or negative timeout only succeeds if an object can be lent
     * at once (an idle one that validates synchronously).
     *
     * @param timeout the longest time to wait
     * @return a future of the borrowed object
     * @throws NullPointerException if {@code timeout} is null
     */
    public CompletableFuture<T> acquire(Duration timeout) {
        return acquire(Math.max(0, Durations.toNanosSaturated(Objects.requireNonNull(timeout, "timeout"))));
    }

    /**
     * Returns a borrowed object to the pool (or destroys it if the pool is closed or the object
     * outlived {@code maxLifetime}). It is lent to the next waiter after validation.
     *
     * @param object the object obtained from {@link #acquire()}
     * @throws NullPointerException if {@code object} is null
     * @throws IllegalArgumentException if {@code object} is not currently borrowed from this
     *     pool (never borrowed, or already released); nothing changes then
     */
    public void release(T object) {
        giveBack(object, false);
    }

    /**
     * Returns a borrowed object that is broken: it is destroyed instead of reused, and its slot
     * is free for a new object.
     *
     * @param object the object obtained from {@link #acquire()}
     * @throws NullPointerException if {@code object} is null
     * @throws IllegalArgumentException if {@code object} is not currently borrowed from this pool
     */
    public void invalidate(T object) {
        giveBack(object, true);
    }

    /**
     * Borrows an object, applies {@code fn} to it, and returns the object when the stage
     * {@code fn} returned completes, whatever the outcome (same rules as
     * {@link AsyncSemaphore#withPermit}: cancelling the result withdraws the acquire or cancels
     * the stage; a function that throws or returns {@code null} fails the result and returns the
     * object at once).
     *
     * @param <R> the result type
     * @param fn the asynchronous function of the object
     * @return a future completed like the function's stage
     * @throws NullPointerException if {@code fn} is null
     */
    public <R> CompletableFuture<R> withResource(Function<? super T, ? extends CompletionStage<? extends R>> fn) {
        Objects.requireNonNull(fn, "fn");
        return GuardedCall.run(acquire(), this::release, fn::apply);
    }

    /**
     * Shuts the pool down gracefully: pending and later acquires fail with
     * {@link ClosedException}, idle objects are destroyed now, borrowed ones when they are
     * returned (the pool cannot take them back, so there is no {@code shutdownNow()}).
     * Idempotent; never blocks.
     *
     * @return a future completed when every object has been destroyed; cancelling it affects
     *     nothing else
     */
    public CompletableFuture<Void> shutdown() {
        List<Runnable> actions = new ArrayList<>();
        SyncWaiter.Chain failed = new SyncWaiter.Chain();
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                Waiter<T> w;
                while ((w = queue.poll()) != null) {
                    failed.add(w);
                }
                for (Entry<T> e : idle) {
                    destroyLater(actions, e.object);
                }
                idle.clear();
                cancelSweepLocked();
                maybeFinishCloseLocked(actions);
            }
        } finally {
            lock.unlock();
        }
        SyncWaiter.failChain(failed.first, () -> new ClosedException("AsyncPool is shut down: acquire refused"));
        actions.forEach(Runnable::run);
        return closeFuture.copy();
    }

    /**
     * The live objects: idle, borrowed, being validated or being created. A snapshot.
     *
     * @return the pool size
     */
    public int size() {
        lock.lock();
        try {
            return totalLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The idle objects. A snapshot.
     *
     * @return the number of idle objects
     */
    public int idleCount() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The borrowed objects. A snapshot.
     *
     * @return the number of objects lent out
     */
    public int borrowedCount() {
        lock.lock();
        try {
            return borrowed.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The waiting acquires. A snapshot.
     *
     * @return the number of queued waiters
     */
    public int waiters() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The pool's name, for logs and metrics (default {@code pool@<hash>}).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * A consistent snapshot of the pool's objects, waiters and counters. Takes the internal lock
     * briefly (never held while user code runs); allocates only the record.
     *
     * @return the stats
     */
    public Stats stats() {
        lock.lock();
        try {
            return new Stats(
                    name,
                    totalLocked(),
                    idle.size(),
                    borrowed.size(),
                    maxSize,
                    queue.size(),
                    acquired,
                    created,
                    createFailures,
                    destroyed,
                    counters.timedOut(),
                    counters.cancelled(),
                    closed);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "AsyncPool[" + name + ", size=" + totalLocked() + ", idle=" + idle.size() + ", borrowed="
                    + borrowed.size() + ", waiters=" + queue.size() + (closed ? ", closed" : "") + "]";
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- internals

    private int totalLocked() {
        return idle.size() + borrowed.size() + inTransit + creating;
    }

    private CompletableFuture<T> acquire(long timeoutNanos) {
        List<Runnable> actions = new ArrayList<>();
        var w = new Waiter<>(this);
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new ClosedException("AsyncPool is shut down: acquire refused"));
            }
            queue.add(w);
            dispatchLocked(actions);
        } finally {
            lock.unlock();
        }
        actions.forEach(Runnable::run);
        if (!w.isDone()) {
            if (timeoutNanos <= 0) {
                w.completeExceptionally(new TimeoutException("AsyncPool: no object available at once"));
            } else if (timeoutNanos != Long.MAX_VALUE) {
                w.startTimer(timeSource, timeoutNanos, "AsyncPool.acquire");
            }
        }
        return w;
    }

    /**
     * Matches waiters with idle objects and starts creations; collects the work to do. Without a
     * validator an idle object is lent here (its waiter's future completes in the actions, after
     * the lock); with one it goes out to be validated (validateAndLend).
     */
    @GuardedBy("lock")
    private void dispatchLocked(List<Runnable> actions) {
        boolean destroyedExpired = false;
        while (!queue.isEmpty() && !idle.isEmpty()) {
            Entry<T> e = idle.pollFirst();
            if (!validates) { // nothing user-supplied to run: decide here, under the lock
                if (expired(e, timeSource.nanoTime())) {
                    destroyLater(actions, e.object);
                    destroyedExpired = true;
                    continue;
                }
                Waiter<T> w = Objects.requireNonNull(queue.poll(), "waiter"); // non-empty: checked by the loop
                borrowed.put(e.object, e);
                acquired++;
                actions.add(() -> w.lend(e.object)); // a lost grant gives it back (Waiter.fire)
                continue;
            }
            Waiter<T> w = Objects.requireNonNull(queue.poll(), "waiter"); // non-empty: checked by the loop
            inTransit++;
            actions.add(() -> validateAndLend(e, w));
        }
        if (destroyedExpired) {
            ensureMinLocked(actions);
        }
        int uncovered = queue.size() - creating;
        while (uncovered-- > 0 && totalLocked() < maxSize) {
            creating++;
            actions.add(this::create);
        }
        armSweepLocked();
    }

    private void ensureMinLocked(List<Runnable> actions) {
        while (!closed && totalLocked() < minSize) {
            creating++;
            actions.add(this::create);
        }
    }

    private void validateAndLend(Entry<T> e, Waiter<T> w) {
        boolean valid = !expired(e, timeSource.nanoTime());
        if (valid) {
            try {
                valid = validator.test(e.object);
            } catch (Throwable failure) {
                LOG.debug("AsyncPool validator threw; destroying the object", failure);
                valid = false;
            }
        }
        List<Runnable> actions = new ArrayList<>();
        boolean lend = false;
        lock.lock();
        try {
            inTransit--;
            if (!valid || closed) {
                destroyLater(actions, e.object);
                if (closed) {
                    actions.add(() -> w.fail(new ClosedException("AsyncPool is shut down: acquire refused")));
                    maybeFinishCloseLocked(actions);
                } else {
                    if (!w.isDone()) {
                        queue.addFirst(w); // keeps its turn
                    }
                    dispatchLocked(actions);
                    ensureMinLocked(actions);
                }
            } else {
                borrowed.put(e.object, e);
                acquired++;
                lend = true;
            }
        } finally {
            lock.unlock();
        }
        if (lend) {
            w.lend(e.object);
        }
        actions.forEach(Runnable::run);
    }

    private void create() {
        CompletionStage<? extends T> stage;
        try {
            stage = Objects.requireNonNull(factory.get(), "factory returned a null stage");
        } catch (Throwable failure) {
            createFailed(failure);
            return;
        }
        stage.whenComplete((object, failure) -> {
            if (failure != null) {
                createFailed(failure);
            } else if (object == null) {
                createFailed(new NullPointerException("factory produced null"));
            } else {
                created(object);
            }
        });
    }

    /** A creation produced {@code object}: lend it to the first waiter, or keep it idle. */
    private void created(T object) {
        List<Runnable> actions = new ArrayList<>();
        Waiter<T> lendTo = null;
        lock.lock();
        try {
            creating--;
            created++;
            if (closed) {
                destroyLater(actions, object);
                maybeFinishCloseLocked(actions);
            } else {
                long now = timeSource.nanoTime();
                var e = new Entry<>(object, now);
                lendTo = queue.poll();
                if (lendTo != null) {
                    borrowed.put(object, e);
                    acquired++;
                } else {
                    idle.addFirst(e);
                }
                dispatchLocked(actions);
            }
        } finally {
            lock.unlock();
        }
        if (lendTo != null) {
            lendTo.lend(object);
        }
        actions.forEach(Runnable::run);
    }

    /** A creation failed: the failure surfaces to the first waiter; the slot is free again. */
    private void createFailed(Throwable failure) {
        List<Runnable> actions = new ArrayList<>();
        Waiter<T> failTo;
        lock.lock();
        try {
            creating--;
            createFailures++;
            failTo = queue.poll();
            if (closed) {
                maybeFinishCloseLocked(actions);
            }
        } finally {
            lock.unlock();
        }
        if (failTo != null) {
            failTo.fail(failure);
        } else {
            LOG.debug("AsyncPool factory failed with nobody waiting", failure);
        }
        actions.forEach(Runnable::run);
    }

    private void giveBack(T object, boolean broken) {
        Objects.requireNonNull(object, "object");
        List<Runnable> actions = new ArrayList<>();
        lock.lock();
        try {
            Entry<T> e = borrowed.remove(object);
            if (e == null) {
                throw new IllegalArgumentException(
                        "object is not borrowed from this pool (never acquired, or already released): " + object);
            }
            long now = timeSource.nanoTime();
            if (broken || closed || expired(e, now)) {
                destroyLater(actions, object);
                if (closed) {
                    maybeFinishCloseLocked(actions);
                } else {
                    dispatchLocked(actions);
                    ensureMinLocked(actions);
                }
            } else {
                e.idleSince = now;
                idle.addFirst(e);
                dispatchLocked(actions);
            }
        } finally {
            lock.unlock();
        }
        actions.forEach(Runnable::run);
    }

    private void withdraw(Waiter<T> w) {
        lock.lock();
        try {
            if (queue.remove(w)) {
                counters.abandoned(w);
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean expired(Entry<T> e, long now) {
        return maxLifetimeNanos != Long.MAX_VALUE && now - e.createdAt >= maxLifetimeNanos;
    }

    @GuardedBy("lock")
    private void destroyLater(List<Runnable> actions, T object) {
        destroyed++;
        actions.add(() -> destroy(object));
    }

    private void destroy(T object) {
        try {
            destroyer.accept(object);
        } catch (Throwable failure) {
            LOG.warn("AsyncPool destroyer failed for {}", object, failure);
        }
    }

    private void maybeFinishCloseLocked(List<Runnable> actions) {
        if (closed && borrowed.isEmpty() && creating == 0 && inTransit == 0) {
            actions.add(() -> closeFuture.complete(null));
        }
    }

    // ---------------------------------------------------------------- eviction timer

    /** Arms the sweep for the earliest idle entry that is (or will be) evictable. */
    private void armSweepLocked() {
        long due = Long.MAX_VALUE;
        if (!closed) {
            boolean aboveMin = totalLocked() > minSize;
            for (Entry<T> e : idle) {
                if (maxLifetimeNanos != Long.MAX_VALUE) {
                    due = Math.min(due, Durations.saturatedAdd(e.createdAt, maxLifetimeNanos));
                }
                if (aboveMin && idleTimeoutNanos != Long.MAX_VALUE) {
                    due = Math.min(due, Durations.saturatedAdd(e.idleSince, idleTimeoutNanos));
                }
            }
        }
        if (due == Long.MAX_VALUE) {
            cancelSweepLocked();
            return;
        }
        if (sweepTimer != null && sweepDue <= due) {
            return;
        }
        cancelSweepLocked();
        sweepDue = due;
        sweepTimer = timeSource.schedule(Duration.ofNanos(Math.max(0, due - timeSource.nanoTime())), this::sweep);
    }

    private void cancelSweepLocked() {
        if (sweepTimer != null) {
            sweepTimer.cancel();
            sweepTimer = null;
        }
    }

    private void sweep() {
        List<Runnable> actions = new ArrayList<>();
        lock.lock();
        try {
            sweepTimer = null;
            if (closed) {
                return;
            }
            long now = timeSource.nanoTime();
            // coldest first: the back of the deque
            for (Iterator<Entry<T>> it = idle.descendingIterator(); it.hasNext(); ) {
                Entry<T> e = it.next();
                boolean idleTooLong = idleTimeoutNanos != Long.MAX_VALUE
                        && now - e.idleSince >= idleTimeoutNanos
                        && totalLocked() > minSize;
                if (expired(e, now) || idleTooLong) {
                    it.remove();
                    destroyLater(actions, e.object);
                }
            }
            ensureMinLocked(actions);
            dispatchLocked(actions);
        } finally {
            lock.unlock();
        }
        actions.forEach(Runnable::run);
    }

    private static void closeIfCloseable(Object object) {
        if (object instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception failure) {
                LOG.warn("AsyncPool failed to close {}", object, failure);
            }
        }
    }

    private static final class Entry<T> {
        final T object;
        final long createdAt;
        long idleSince; // guarded by the pool's lock

        Entry(T object, long now) {
            this.object = object;
            this.createdAt = now;
            this.idleSince = now;
        }
    }

    private static final class Waiter<T> extends SyncWaiter<T> {
        final AsyncPool<T> owner;

        @Nullable
        T lent;

        Waiter(AsyncPool<T> owner) {
            this.owner = owner;
        }

        /** Hands {@code object} (already counted as borrowed) to this waiter. */
        void lend(T object) {
            lent = object;
            SyncWaiter.fireChain(this);
        }

        @Override
        public void fire() {
            T object = Objects.requireNonNull(lent); // fire() follows lend(), which sets it
            lent = null;
            if (!grant(object)) {
                owner.release(object); // the caller gave up at the moment of the hand-off
            }
        }

        @Override
        public void abandoned() {
            owner.withdraw(this);
        }
    }

    /**
     * Configures an {@link AsyncPool}. Each setting may be given once; {@link #build()} snapshots
     * them.
     *
     * @param <T> the resource type
     */
    public static final class Builder<T> {
        private final AsyncSupplier<? extends T> factory;
        private @Nullable Predicate<? super T> validator;
        private @Nullable Consumer<? super T> destroyer;
        private int minSize;
        private int maxSize = DEFAULT_MAX_SIZE;
        private boolean minSet;
        private boolean maxSet;
        private long idleTimeoutNanos = Long.MAX_VALUE;
        private long maxLifetimeNanos = Long.MAX_VALUE;
        private @Nullable TimeSource timeSource;
        private @Nullable String name;

        /** The default {@code maxSize}. */
        public static final int DEFAULT_MAX_SIZE = 10;

        private Builder(AsyncSupplier<? extends T> factory) {
            this.factory = factory;
        }

        /**
         * Objects to keep even when idle; created at {@link #build()} in the background.
         * Default 0.
         *
         * @param minSize zero or more, at most {@code maxSize}
         * @return this builder
         * @throws IllegalArgumentException if negative
         * @throws IllegalStateException if already set
         */
        public Builder<T> minSize(int minSize) {
            Checks.nonNegative(minSize, "minSize");
            Checks.once(minSet, "minSize");
            minSet = true;
            this.minSize = minSize;
            return this;
        }

        /**
         * The most objects alive at once (the bound). Default {@value #DEFAULT_MAX_SIZE}.
         *
         * @param maxSize at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxSize < 1}
         * @throws IllegalStateException if already set
         */
        public Builder<T> maxSize(int maxSize) {
            Checks.positive(maxSize, "maxSize");
            Checks.once(maxSet, "maxSize");
            maxSet = true;
            this.maxSize = maxSize;
            return this;
        }

        /**
         * Checks an idle object before lending it; objects that fail (or whose check throws) are
         * destroyed. Must be quick and must not block. Default: every object is valid.
         *
         * @param validator the check
         * @return this builder
         * @throws NullPointerException if null
         * @throws IllegalStateException if already set
         */
        public Builder<T> validator(Predicate<? super T> validator) {
            Objects.requireNonNull(validator, "validator");
            Checks.unset(this.validator, "validator");
            this.validator = validator;
            return this;
        }

        /**
         * Disposes of an object the pool drops. Exceptions are logged. Default: close it if it
         * is {@link AutoCloseable}.
         *
         * @param destroyer the disposal action
         * @return this builder
         * @throws NullPointerException if null
         * @throws IllegalStateException if already set
         */
        public Builder<T> destroyer(Consumer<? super T> destroyer) {
            Objects.requireNonNull(destroyer, "destroyer");
            Checks.unset(this.destroyer, "destroyer");
            this.destroyer = destroyer;
            return this;
        }

        /**
         * Destroys objects idle this long, down to {@code minSize}. Default: never.
         *
         * @param idleTimeout positive
         * @return this builder
         * @throws IllegalArgumentException if zero or negative
         * @throws NullPointerException if null
         * @throws IllegalStateException if already set
         */
        public Builder<T> idleTimeout(Duration idleTimeout) {
            Durations.requirePositive(idleTimeout, "idleTimeout");
            Checks.once(idleTimeoutNanos != Long.MAX_VALUE, "idleTimeout");
            idleTimeoutNanos = Durations.toNanosSaturated(idleTimeout);
            return this;
        }

        /**
         * Destroys objects this old (when idle, or when returned). Default: never.
         *
         * @param maxLifetime positive
         * @return this builder
         * @throws IllegalArgumentException if zero or negative
         * @throws NullPointerException if null
         * @throws IllegalStateException if already set
         */
        public Builder<T> maxLifetime(Duration maxLifetime) {
            Durations.requirePositive(maxLifetime, "maxLifetime");
            Checks.once(maxLifetimeNanos != Long.MAX_VALUE, "maxLifetime");
            maxLifetimeNanos = Durations.toNanosSaturated(maxLifetime);
            return this;
        }

        /**
         * The clock for timeouts, idle eviction and lifetimes. Default {@link TimeSource#system()}.
         *
         * @param timeSource the time source
         * @return this builder
         * @throws NullPointerException if null
         * @throws IllegalStateException if already set
         */
        public Builder<T> timeSource(TimeSource timeSource) {
            Objects.requireNonNull(timeSource, "timeSource");
            Checks.unset(this.timeSource, "timeSource");
            this.timeSource = timeSource;
            return this;
        }

        /**
         * The name used in logs, {@link AsyncPool#toString()} and {@link AsyncPool#stats()}
         * (default {@code pool@<hash>}).
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
            Checks.once(this.name != null, "name");
            this.name = name;
            return this;
        }

        /**
         * Builds the pool and starts creating {@code minSize} objects.
         *
         * @return the pool
         * @throws IllegalArgumentException if {@code minSize > maxSize}
         */
        public AsyncPool<T> build() {
            if (minSize > maxSize) {
                throw new IllegalArgumentException("minSize must not exceed maxSize " + maxSize + ", was " + minSize);
            }
            var pool = new AsyncPool<T>(this);
            List<Runnable> actions = new ArrayList<>();
            pool.lock.lock();
            try {
                pool.ensureMinLocked(actions);
            } finally {
                pool.lock.unlock();
            }
            actions.forEach(Runnable::run);
            return pool;
        }
    }
}
