package dev.asyncpatterns.cache;

import dev.asyncpatterns.core.internal.Failures;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * The future a MemoizedFunction stores in Caffeine for one load. Caffeine creates it inside its
 * map's compute (via the mapping function), where user code must not run; the load itself is
 * started later, outside the compute, by whichever caller first wins claimStart() (normally the
 * caller whose get created it, immediately after get returns).
 *
 * waiters counts the callers still interested in the result (the starter included: it attaches
 * before it starts the load, issue 21), and only matters with cancelAbandonedLoads. States:
 * n >= 0 live waiters; ABANDONED (-1) once the last waiter cancelled. ABANDONED means "the last
 * waiter is cancelling the load", not "cancelled": the load may have completed first, and the
 * cancel (MemoizedFunction.abandon) decides. attach() never moves the count off ABANDONED, so a
 * caller that races with abandonment sees attach fail, helps cancel, and either uses the completed
 * load or retries against a fresh entry; it never receives a cancelled future for a load it still
 * wants.
 *
 * Waiters (issue 20). Each caller that receives the load while it is in flight gets its own
 * Waiter, so its cancel never reaches the load. Rather than a CompletableFuture dependent per
 * caller (Futures.shield: a future, a lambda, a completion node and the future whenComplete
 * returns, ~100 B and an indirect call each), the load keeps its waiters on a Treiber stack
 * (head) and completes them itself: push() CASes a waiter on unless head is DONE; every way this
 * future can complete (complete, completeExceptionally, cancel; completeAsync and obtrude* are
 * refused) first sets the result, then swaps head to DONE and completes what it took off. A push
 * that lands before the swap is completed by it; a push that finds DONE fails and the caller uses
 * the load itself, which is done by then. Waiters complete in LIFO order on the completing thread,
 * as CompletableFuture's own dependents do.
 *
 * runner is the thread running the user's function for this load, set and cleared by that thread
 * only (MemoizedFunction.callFunction). It replaces a per-thread list of loading keys as the
 * recursion guard: apply(k) that finds k's load in flight with runner == the current thread is a
 * synchronous recursive load. The field is plain: a thread always sees its own last write to it,
 * and no other thread can ever see its own Thread there unless it wrote it, so a racy read can
 * only say "not me" wrongly for a thread that is not running the load, which is the right answer.
 *
 * Dependents created through thenApply & co. are plain CompletableFutures (the JDK's
 * newIncompleteFuture), so no one outside this package ever holds a LoadFuture while it is
 * incomplete, except through MemoizedFunction.cache() (documented: do not complete or cancel).
 */
/** A load shared by every caller of one key. Not part of the API. */
final class LoadFuture<K, V> extends CompletableFuture<V> {

    static final int ABANDONED = -1;

    private static final VarHandle STARTED;
    private static final VarHandle WAITERS;
    private static final VarHandle HEAD;
    /** The head of the waiter stack once the load is done: no push succeeds after it. */
    private static final Waiter<?> DONE = new Waiter<>(null);

    static {
        try {
            var lookup = MethodHandles.lookup();
            STARTED = lookup.findVarHandle(LoadFuture.class, "started", boolean.class);
            WAITERS = lookup.findVarHandle(LoadFuture.class, "waiters", int.class);
            HEAD = lookup.findVarHandle(LoadFuture.class, "head", Waiter.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final K key;
    /** The function this load belongs to (abandonment, the recursion guard). */
    final MemoizedFunction<K, V> owner;

    private volatile boolean started;
    private volatile int waiters;
    private volatile @Nullable Waiter<V> head;
    /** The user's future for this load, cancelled when the load is abandoned (cancelAbandonedLoads only). */
    volatile @Nullable Future<?> source;
    /** Set by invalidate: a value produced after abandonment must not be cached. */
    volatile boolean invalidated;
    /** The thread running the user's function for this load, while it runs; see the note. */
    @Nullable
    Thread runner;

    LoadFuture(K key, MemoizedFunction<K, V> owner) {
        this.key = key;
        this.owner = owner;
    }

    /** Returns true for exactly one caller: the one that must run the load. */
    boolean claimStart() {
        return !started && STARTED.compareAndSet(this, false, true);
    }

    /** Returns true if a waiter was added; false if the load was already abandoned. */
    boolean attach() {
        for (; ; ) {
            int n = waiters;
            if (n == ABANDONED) {
                return false;
            }
            if (WAITERS.compareAndSet(this, n, n + 1)) {
                return true;
            }
        }
    }

    /** Returns true if this release abandoned the load (the caller then cancels it). */
    boolean release() {
        for (; ; ) {
            int n = waiters;
            if (n <= 0) {
                return false;
            }
            int next = n == 1 ? ABANDONED : n - 1;
            if (WAITERS.compareAndSet(this, n, next)) {
                return next == ABANDONED && !isDone();
            }
        }
    }

    /**
     * A caller's own future for this load: completed with the load's outcome, and cancelling it
     * never cancels the load. Returns the load itself if it is done by now (a completed future
     * needs no shield).
     *
     * @param counted whether the caller was attached (cancelAbandonedLoads): its cancel releases it
     */
    CompletableFuture<V> waiter(boolean counted) {
        if (isDone()) {
            return this;
        }
        var waiter = new Waiter<V>(counted ? this : null);
        for (; ; ) {
            Waiter<V> h = head;
            if (h == DONE) {
                return this; // completed meanwhile
            }
            waiter.next = h;
            if (HEAD.compareAndSet(this, h, waiter)) {
                return waiter;
            }
        }
    }

    @Override
    public boolean complete(@Nullable V value) {
        if (!super.complete(value)) {
            return false;
        }
        completeWaiters(value, null);
        return true;
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
        if (!super.completeExceptionally(failure)) {
            return false;
        }
        completeWaiters(null, Failures.unwrap(failure));
        return true;
    }

    /**
     * Cancels the load as {@link CompletableFuture#cancel} does (and returns what it returns: true
     * also if it was cancelled before), completing the waiters only on the call that cancelled.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        var cancellation = new CancellationException();
        if (super.completeExceptionally(cancellation)) { // the same result cancel sets, but says who set it
            completeWaiters(null, cancellation);
            return true;
        }
        return isCancelled();
    }

    /** Refused: a shared load completes only through complete, completeExceptionally or cancel. */
    @Override
    public CompletableFuture<V> completeAsync(Supplier<? extends V> supplier, Executor executor) {
        throw new UnsupportedOperationException("a memoized load is completed by its function");
    }

    /** Refused: a shared load completes only through complete, completeExceptionally or cancel. */
    @Override
    public CompletableFuture<V> completeAsync(Supplier<? extends V> supplier) {
        throw new UnsupportedOperationException("a memoized load is completed by its function");
    }

    /** Refused: the waiters already have the first outcome. */
    @Override
    public void obtrudeValue(@Nullable V value) {
        throw new UnsupportedOperationException("a memoized load's outcome cannot be replaced");
    }

    /** Refused: the waiters already have the first outcome. */
    @Override
    public void obtrudeException(Throwable failure) {
        throw new UnsupportedOperationException("a memoized load's outcome cannot be replaced");
    }

    @SuppressWarnings("unchecked")
    private void completeWaiters(@Nullable V value, @Nullable Throwable failure) {
        var w = (Waiter<V>) HEAD.getAndSet(this, DONE);
        while (w != null && w != DONE) {
            Waiter<V> next = w.next;
            w.next = null;
            w.relay(value, failure);
            w = next;
        }
    }

    @Override
    public String toString() {
        return "LoadFuture[key=" + key + ", " + super.toString() + "]";
    }

    /**
     * One caller's future for a load in flight. Completed by the load; cancelling it (or failing
     * it with a {@link CancellationException}) releases the caller's attachment, and abandons the
     * load if it was the last one (cancelAbandonedLoads).
     */
    static final class Waiter<V> extends CompletableFuture<V> {

        /** The load this caller is attached to, or null if it is not counted. */
        private final @Nullable LoadFuture<?, V> attachedTo;

        @Nullable
        Waiter<V> next;

        Waiter(@Nullable LoadFuture<?, V> attachedTo) {
            this.attachedTo = attachedTo;
        }

        void relay(@Nullable V value, @Nullable Throwable failure) {
            if (failure == null) {
                super.complete(value);
            } else {
                super.completeExceptionally(failure);
            }
        }

        /**
         * Cancels this caller's future only. Like {@link CompletableFuture#cancel} it also returns
         * true if the future was cancelled before, but only the call that cancelled it releases
         * the caller (a second cancel must not release it twice).
         */
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (super.completeExceptionally(new CancellationException())) { // what cancel sets, and who set it
                detach();
                return true;
            }
            return isCancelled();
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            boolean completed = super.completeExceptionally(failure);
            if (completed && failure instanceof CancellationException) {
                detach();
            }
            return completed;
        }

        private void detach() {
            if (attachedTo != null) {
                attachedTo.detached();
            }
        }
    }

    /** A counted waiter cancelled: release it, and abandon the load if it was the last one. */
    private void detached() {
        if (release()) {
            try {
                owner.abandon(this);
            } catch (VirtualMachineError alreadyLogged) {
                // a listener's, rethrown by Listeners.notify after logging it: the abandonment is
                // done by then, and the caller's cancel() must not throw it (issue 21)
            }
        }
    }
}
