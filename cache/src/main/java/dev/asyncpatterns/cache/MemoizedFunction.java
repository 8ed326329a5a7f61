package dev.asyncpatterns.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.internal.CapturedContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * Storage, single-flight, eviction, expiry, refresh and statistics are Caffeine's: one
 * AsyncCache<K, V> (an AsyncLoadingCache when refreshAfterWrite is on) holds one future per key.
 * This class adds what Caffeine leaves to the caller:
 *
 * - Hit path: asMap().get (Caffeine's getIfPresent without statistics, which still updates the
 *   eviction policy, expiry and refresh) and, if the future is complete, return it and count the
 *   hit in fastHits. Everything else (absent, in flight) goes through cache.get(key, mapping),
 *   which counts its own hit or miss. This skips the System.nanoTime that Caffeine's get reads on
 *   every call to time a possible load (about half the cost of a hit on some machines); stats()
 *   adds fastHits to Caffeine's hit count.
 * - Loads start outside Caffeine's compute. The mapping function only creates a LoadFuture; the
 *   caller that gets it back claims it and runs the user's function after Caffeine's map lock is
 *   released. A function that memoizes other keys synchronously (fib(n) calling fib(n-1)) is
 *   therefore safe, where running it inside ConcurrentHashMap.compute would hit "Recursive update"
 *   or worse. See docs/adr/cache-0001-loads-start-outside-compute.md.
 * - Recursion guard: while this thread runs the function for key k, apply(k) on this thread fails
 *   fast with RecursiveLoadException instead of returning the in-flight future the load would then
 *   wait on forever (caffeine#89). A recursive call can only find k's entry in flight (or absent,
 *   which starts a nested load that then finds it in flight), so the per-thread check sits on the
 *   in-flight path and the hit path (a completed future) never pays for it.
 * - Shielding: a completed future is returned as is (cancel/complete are no-ops on it). An
 *   in-flight one is wrapped per caller, so one caller's cancel never cancels the load others
 *   share. With cancelAbandonedLoads the LoadFuture counts the waiters and cancels the load (and
 *   the user's future) when the last one cancels.
 * - Negative caching: a second, small Caffeine Cache<K, Negative> with its own TTL, consulted
 *   when a load starts (never on the hit path).
 * - Refresh: asyncReload runs the function on Caffeine's executor. A failure is reported and then
 *   either keeps the old value (stale-if-error; the hard expiry, refreshAfterWrite + maxStaleness,
 *   bounds how stale it gets) or removes the entry. Caffeine asks for a refresh again on every
 *   read of an entry still due, so with stale-if-error a failed key goes into refreshPauses (a
 *   small expiring Caffeine cache on the same clock) and reload answers "keep" without calling
 *   the function until the pause expires: a failing backend gets one refresh per key per pause. The failed reload future is handed back to
 *   Caffeine cancelled, which Caffeine treats as "keep the entry" without logging a warning: we
 *   already reported the failure.
 *
 * No lock of ours exists; user callbacks (the function, listeners) run on the caller's thread,
 * the thread completing the user's future, or Caffeine's executor, never inside Caffeine's compute.
 */
/**
 * An async function {@code K -> CompletableFuture<V>} memoized in a Caffeine cache: all
 * concurrent callers for one key share one call of the function (single-flight), failures are not
 * cached (unless negative caching is on), and every returned future is safe to cancel.
 *
 * {@snippet class=dev.asyncpatterns.cache.snippets.CacheSnippets region=memoizeUsers}
 *
 * <p><b>Null results.</b> A load that produces {@code null} completes every caller waiting for it
 * with {@code null} and caches nothing, so the next call loads again (Caffeine's rule). With
 * negative caching on, the {@code null} is remembered for the negative TTL like a failure.
 *
 * <p><b>Failures.</b> A failed load fails every caller that shared it with the same exception and
 * is removed from the cache at once; the next call loads again. A function that throws instead of
 * returning a failed future, or returns {@code null} instead of a future, fails the load the same
 * way (the latter with a {@link NullPointerException}). Caffeine itself logs each failed load at
 * {@code WARNING} through {@code System.Logger} (logger
 * {@code com.github.benmanes.caffeine.cache.LocalAsyncCache}); turn that logger down where failures
 * are routine. Failed refreshes are reported by this class instead, as {@link CacheEvent}s.
 *
 * <p><b>Cancellation.</b> Cancelling a returned future only detaches that caller; the shared load
 * goes on for the others and stays cached. If the cache was built with
 * {@link AsyncCacheBuilder#cancelAbandonedLoads()}, a load whose every caller has cancelled is
 * cancelled too (and the future the function returned is cancelled), and removed.
 *
 * <p><b>Recursion.</b> A function that synchronously asks for the key it is computing gets a future
 * failed with {@link RecursiveLoadException} instead of a deadlock. Asking for other keys is fine.
 * A load that waits for its own key <em>asynchronously</em> (in a later stage on another thread)
 * cannot be detected and never completes: do not do that.
 *
 * <p>Thread-safe. Memory effects: actions of the function before its future completes
 * happen-before the completion of every future returned for that load.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class MemoizedFunction<K, V> implements Function<K, CompletableFuture<V>> {

    private static final Logger LOG = LoggerFactory.getLogger(MemoizedFunction.class);

    private final AsyncCache<K, V> cache;
    private final java.util.concurrent.ConcurrentMap<K, CompletableFuture<V>> map;
    private final boolean recordingStats;
    private final LongAdder fastHits = new LongAdder();
    private final Function<? super K, ? extends CompletionStage<? extends V>> function;
    private final BiFunction<K, Executor, CompletableFuture<V>> mapping;
    private final boolean cancelAbandoned;
    private final Cache<K, Negative> negatives;
    private final Predicate<? super Throwable> negativeIf;
    private final Cache<K, Boolean> refreshPauses; // non-null exactly when stale-if-error is on
    private final Consumer<? super CacheEvent<K>> listener;
    private final ThreadLocal<ArrayList<Object>> loadingOnThisThread = ThreadLocal.withInitial(ArrayList::new);
    private final LongAdder refreshFailures = new LongAdder();
    private final LongAdder negativeHits = new LongAdder();
    private final LongAdder abandoned = new LongAdder();

    /** A remembered failure, or a remembered {@code null} when {@code failure} is null. */
    record Negative(Throwable failure) {}

    /** How a memoized function is put together; built by {@link AsyncCacheBuilder}. */
    record Settings<K>(
            boolean cancelAbandoned,
            Cache<K, Negative> negatives,
            Predicate<? super Throwable> negativeIf,
            Cache<K, Boolean> refreshPauses,
            Consumer<? super CacheEvent<K>> listener) {

        static <K> Settings<K> plain() {
            return new Settings<>(false, null, failure -> true, null, null);
        }
    }

    MemoizedFunction(
            AsyncCache<K, V> cache,
            Function<? super K, ? extends CompletionStage<? extends V>> function,
            Settings<K> settings) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.map = cache.asMap();
        this.recordingStats = cache.synchronous().policy().isRecordingStats();
        this.function = Objects.requireNonNull(function, "function");
        this.cancelAbandoned = settings.cancelAbandoned();
        this.negatives = settings.negatives();
        this.negativeIf = settings.negativeIf();
        this.refreshPauses = settings.refreshPauses();
        this.listener = settings.listener();
        this.mapping = (key, executor) -> new LoadFuture<>(key);
    }

    /**
     * Returns the value for {@code key}: the cached future if there is one, else a load that every
     * concurrent caller for the same key shares. Never blocks; the function, if called, runs on
     * this thread until it returns its future.
     *
     * <p>Cancelling the returned future never cancels the shared load (see the class comment for
     * {@code cancelAbandonedLoads}). A future that is already complete may be the same instance
     * other callers receive; completing or cancelling it has no effect.
     *
     * @param key the key, not null
     * @return the value's future; it fails with the load's exception, with
     *     {@link RecursiveLoadException} for a synchronous recursive load of {@code key}, or
     *     completes with {@code null} if the function produced {@code null}
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public CompletableFuture<V> apply(K key) {
        Objects.requireNonNull(key, "key");
        CompletableFuture<V> present = map.get(key); // hit path: no stats ticker read, see note
        if (present != null && present.isDone() && !isAbandoned(present)) {
            if (recordingStats) {
                fastHits.increment();
            }
            return present;
        }
        for (;;) {
            CompletableFuture<V> future = cache.get(key, mapping);
            if (future.isDone()) {
                if (!isAbandoned(future)) {
                    return future;
                }
                // read just before its last waiter abandoned it: never hand out the cancelled load
                map.remove(key, future);
                continue;
            }
            if (loadingOnThisThread.get().contains(key)) {
                return CompletableFuture.failedFuture(new RecursiveLoadException(key));
            }
            if (!(future instanceof LoadFuture<?, ?> raw)) {
                return Futures.shield(future); // put into the cache by someone else, through cache()
            }
            @SuppressWarnings("unchecked")
            var load = (LoadFuture<K, V>) raw;
            if (load.claimStart()) {
                start(load);
                if (load.isDone()) {
                    return load;
                }
            }
            if (!cancelAbandoned) {
                return Futures.shield(load);
            }
            if (load.attach()) {
                return waiter(load);
            }
            // lost a race with abandonment: that load is being cancelled; replace it
            if (load.isDone() && !load.isCancelled()) {
                return load;
            }
            map.remove(key, load);
        }
    }

    /**
     * Returns the cached future for {@code key} without loading: completed, in flight (shielded
     * like {@link #apply}), or {@code null} if absent. Counts as a hit or miss in {@link #stats()}.
     *
     * @param key the key, not null
     * @return the future, or {@code null} if the key is not cached
     * @throws NullPointerException if {@code key} is null
     */
    public CompletableFuture<V> getIfPresent(K key) {
        Objects.requireNonNull(key, "key");
        CompletableFuture<V> future = cache.getIfPresent(key);
        if (future == null || future.isDone()) {
            return future;
        }
        if (future instanceof LoadFuture<?, ?> raw && raw.claimStart()) {
            @SuppressWarnings("unchecked")
            var load = (LoadFuture<K, V>) raw;
            start(load); // created by a racing apply that has not claimed it yet: never strand it
        }
        return Futures.shield(future);
    }

    /**
     * Removes {@code key} from the cache (and from the negative cache). A load in flight goes on
     * for the callers already waiting, but its result is not cached.
     *
     * @param key the key, not null
     * @throws NullPointerException if {@code key} is null
     */
    public void invalidate(K key) {
        Objects.requireNonNull(key, "key");
        cache.synchronous().invalidate(key);
        if (negatives != null) {
            negatives.invalidate(key);
        }
    }

    /** Removes every entry, including negative ones. */
    public void invalidateAll() {
        cache.synchronous().invalidateAll();
        if (negatives != null) {
            negatives.invalidateAll();
        }
    }

    /**
     * The approximate number of entries, in flight ones included (Caffeine's estimate).
     *
     * @return the estimated size
     */
    public long estimatedSize() {
        return cache.synchronous().estimatedSize();
    }

    /**
     * A snapshot of the counters: Caffeine's statistics (all zero if the underlying cache does not
     * record them) plus this wrapper's own. Use this rather than Caffeine's {@code stats()} on
     * {@link #cache()}: hits on completed entries are counted here, not by Caffeine.
     *
     * @return the current statistics
     */
    public CacheStats stats() {
        var s = cache.synchronous().stats();
        return new CacheStats(
                s.hitCount() + fastHits.sum(),
                s.missCount(),
                s.loadSuccessCount(),
                s.loadFailureCount(),
                Duration.ofNanos(s.totalLoadTime()),
                s.evictionCount(),
                s.evictionWeight(),
                refreshFailures.sum(),
                negativeHits.sum(),
                abandoned.sum());
    }

    /**
     * The underlying Caffeine cache, for what this class does not wrap (policy inspection, bulk
     * reads, explicit puts). Futures it returns are the shared ones: do not cancel them.
     *
     * @return the Caffeine cache backing this function
     */
    public AsyncCache<K, V> cache() {
        return cache;
    }

    @Override
    public String toString() {
        return "MemoizedFunction[size=" + estimatedSize() + ", " + stats() + "]";
    }

    // ---------------------------------------------------------------- loading

    private void start(LoadFuture<K, V> load) {
        K key = load.key;
        if (negatives != null) {
            Negative negative = negatives.getIfPresent(key);
            if (negative != null) {
                negativeHits.increment();
                if (negative.failure() == null) {
                    load.complete(null);
                } else {
                    load.completeExceptionally(negative.failure());
                }
                return;
            }
        }
        CompletionStage<? extends V> stage = callFunction(key);
        if (stage instanceof Future<?> cancellable) {
            load.source = cancellable;
        }
        stage.whenComplete((value, failure) -> {
            if (failure != null) {
                remember(key, unwrap(failure));
                load.completeExceptionally(unwrap(failure));
            } else {
                if (value == null) {
                    remember(key, null);
                }
                load.complete(value);
            }
        });
    }

    /** Runs the user's function under the recursion guard; never throws. */
    private CompletionStage<? extends V> callFunction(K key) {
        ArrayList<Object> loading = loadingOnThisThread.get();
        loading.add(key);
        try {
            CompletionStage<? extends V> stage = function.apply(key);
            if (stage == null) {
                return CompletableFuture.failedFuture(
                        new NullPointerException("the memoized function returned null instead of a future for key " + key));
            }
            return stage;
        } catch (Throwable failure) {
            return CompletableFuture.failedFuture(failure);
        } finally {
            loading.remove(loading.size() - 1);
        }
    }

    private void remember(K key, Throwable failure) {
        if (negatives == null || failure instanceof CancellationException) {
            return;
        }
        if (failure != null && !negativeIf.test(failure)) {
            return;
        }
        negatives.put(key, new Negative(failure));
        emit(new CacheEvent.NegativeCached<>(key, failure));
    }

    /** Caffeine's asyncLoad, for its own entry points: a load started on Caffeine's executor. */
    CompletableFuture<V> loadOnExecutor(K key, Executor executor) {
        var load = new LoadFuture<K, V>(key);
        load.claimStart();
        try {
            executor.execute(CapturedContext.capture().wrap(() -> start(load))); // the caller's context
        } catch (RuntimeException rejected) {
            load.completeExceptionally(rejected);
        }
        return load;
    }

    /**
     * Caffeine's asyncReload: runs the function on Caffeine's executor, unless the key's last
     * refresh failed less than the retry pause ago (stale-if-error): then the old value stays
     * and nothing is called.
     */
    CompletableFuture<V> reload(K key, V oldValue, Executor executor) {
        var reloaded = new CompletableFuture<V>();
        if (refreshPauses != null && refreshPauses.getIfPresent(key) != null) {
            reloaded.cancel(false); // Caffeine keeps the entry; the next read past the pause retries
            return reloaded;
        }
        try {
            executor.execute(CapturedContext.capture().wrap(() -> callFunction(key).whenComplete((value, failure) -> {
                if (failure == null) {
                    if (refreshPauses != null) {
                        refreshPauses.invalidate(key);
                    }
                    reloaded.complete(value);
                } else {
                    refreshFailed(key, oldValue, unwrap(failure), reloaded);
                }
            }))); // the context of the read that triggered the refresh
        } catch (RuntimeException rejected) { // a saturated or shut-down executor: never strand the refresh
            refreshFailed(key, oldValue, rejected, reloaded);
        }
        return reloaded;
    }

    private void refreshFailed(K key, V oldValue, Throwable cause, CompletableFuture<V> reloaded) {
        refreshFailures.increment();
        boolean staleIfError = refreshPauses != null;
        if (staleIfError) {
            refreshPauses.put(key, Boolean.TRUE);
        } else {
            cache.synchronous().asMap().remove(key, oldValue);
        }
        LOG.debug("refresh of key {} failed; {}", key, staleIfError ? "serving the old value" : "entry removed", cause);
        emit(new CacheEvent.RefreshFailed<>(key, cause, staleIfError));
        reloaded.cancel(false);
    }

    // ---------------------------------------------------------------- shielding

    /**
     * A load cancelled because every caller abandoned it (only {@link #waiter} cancels a
     * LoadFuture). A racing {@code apply} may read it from the map just before the abandonment
     * removes and cancels it; it must load again instead of returning the cancelled future.
     */
    private static boolean isAbandoned(CompletableFuture<?> future) {
        return future instanceof LoadFuture<?, ?> && future.isCancelled();
    }

    private CompletableFuture<V> waiter(LoadFuture<K, V> load) {
        CompletableFuture<V> mine = Futures.shield(load);
        mine.whenComplete((value, failure) -> {
            if (mine.isCancelled() && load.release()) {
                abandoned.increment();
                map.remove(load.key, load);
                Future<?> source = load.source;
                load.cancel(false);
                if (source != null) {
                    source.cancel(true);
                }
                emit(new CacheEvent.LoadAbandoned<>(load.key));
            }
        });
        return mine;
    }

    private void emit(CacheEvent<K> event) {
        if (listener == null) {
            return;
        }
        try {
            listener.accept(event);
        } catch (Throwable failure) {
            LOG.warn("cache event listener threw on {}; ignored", event, failure);
        }
    }

    static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
