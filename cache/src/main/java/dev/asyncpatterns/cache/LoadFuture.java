package dev.asyncpatterns.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
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
 * Dependents created through thenApply & co. are plain CompletableFutures (the JDK's
 * newIncompleteFuture), so no one outside this package ever holds a LoadFuture while it is
 * incomplete.
 */
/** A load shared by every caller of one key. Not part of the API. */
final class LoadFuture<K, V> extends CompletableFuture<V> {

    static final int ABANDONED = -1;

    private static final VarHandle STARTED;
    private static final VarHandle WAITERS;

    static {
        try {
            var lookup = MethodHandles.lookup();
            STARTED = lookup.findVarHandle(LoadFuture.class, "started", boolean.class);
            WAITERS = lookup.findVarHandle(LoadFuture.class, "waiters", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final K key;
    private volatile boolean started;
    private volatile int waiters;
    /** The user's future for this load, cancelled when the load is abandoned. */
    volatile @Nullable Future<?> source;
    /** Set by invalidate: a value produced after abandonment must not be cached. */
    volatile boolean invalidated;

    LoadFuture(K key) {
        this.key = key;
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

    @Override
    public String toString() {
        return "LoadFuture[key=" + key + ", " + super.toString() + "]";
    }
}
