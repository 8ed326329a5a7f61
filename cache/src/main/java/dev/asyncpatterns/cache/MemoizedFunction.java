package dev.asyncpatterns.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.internal.CapturedContext;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Failures;
import dev.asyncpatterns.core.internal.Listeners;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * Storage, single-flight, eviction, expiry, refresh and statistics are Caffeine's: one
 * AsyncCache<K, V> (an AsyncLoadingCache when refreshAfterWrite is on) holds one future per key.
 * This class adds what Caffeine leaves to the caller:
 *
 * - Hit path: cache.getIfPresent, the very call a Caffeine user makes for a hit (it updates the
 *   eviction policy, expiry and refresh, and counts the hit in Caffeine's own statistics when
 *   they are on), and, if the future is complete, return it. What the hit adds to
 *   getIfPresent: a null check and two reads of the future's state (done, not abandoned). It
 *   skips the System.nanoTime that Caffeine's get reads on every call to time a possible load.
 *   (Issue 20: the hit used to read asMap().get, which counts nothing, and count the hit in a
 *   LongAdder of ours; that counter cost more than Caffeine's own count, which rides on the read
 *   it already does: about 11-13 against 9.3 CPU ns per hit on one thread.) A load of ours found
 *   in flight is joined without going back to Caffeine (a second lookup): Caffeine has already
 *   counted it as a hit, as its get would. Only an absent key (or a future someone else put
 *   there, or an abandoned load) goes through cache.get(key, mapping), which counts that request
 *   again: applySlowly then takes the probe's count back (probeCounts, subtracted in stats()), so
 *   each request is counted once, as a miss only if it started a load. Those counts are written
 *   by loads only, never by a hit, and sit on cache lines of their own (padding in an
 *   AtomicLongArray), so a load running next to hot hits does not invalidate a line the hits use. Caffeine's
 *   own stats() on cache() therefore counts such a request twice; ours is the one to read. The
 *   in-flight join and the load loop live in applySlowly so that apply stays small.
 * - Loads start outside Caffeine's compute. The mapping function only creates a LoadFuture; the
 *   caller that gets it back claims it and runs the user's function after Caffeine's map lock is
 *   released. A function that memoizes other keys synchronously (fib(n) calling fib(n-1)) is
 *   therefore safe, where running it inside ConcurrentHashMap.compute would hit "Recursive update"
 *   or worse. See docs/adr/cache-0001-loads-start-outside-compute.md.
 * - Recursion guard: while this thread runs the function for key k, apply(k) on this thread fails
 *   fast with RecursiveLoadException instead of returning the in-flight future the load would then
 *   wait on forever (caffeine#89). A recursive call can only find k's entry in flight (or absent,
 *   which starts a nested load that then finds it in flight), so the check sits on the in-flight
 *   path and the hit path (a completed future) never pays for it. The check is one field of the
 *   load, LoadFuture.runner (the thread running its function), not a per-thread list of keys:
 *   no ThreadLocal lookup per joining caller, and no ThreadLocal entry per function per thread.
 * - Shielding: a completed future is returned as is (cancel/complete are no-ops on it). An
 *   in-flight one is given per caller as a LoadFuture.Waiter that the load completes itself (no
 *   CompletableFuture dependent per caller), so one caller's cancel never cancels the load others
 *   share. With cancelAbandonedLoads the LoadFuture counts the waiters and cancels the load (and
 *   the user's future) when the last one cancels (Waiter.cancel releases its count).
 * - Abandonment (cancelAbandonedLoads), as fixed for issue 21:
 *   . Every caller that will receive the load attaches as a waiter BEFORE it may start it, the
 *     starter included. The starter used to attach only after start() returned, so a second
 *     caller could attach, cancel and abandon the load while the first was still inside the
 *     user's function: the first caller, who never cancelled, got the cancelled load, and the
 *     user's future (not yet recorded in load.source) was never cancelled. Now the starter's own
 *     attachment keeps the load alive through start(). getIfPresent attaches the same way.
 *   . The decision is the LoadFuture's own completion: the last waiter's release() moves the
 *     count to ABANDONED, then abandon() tries load.cancel(false). If the load completed first,
 *     cancel fails and the load stays cached (a produced value is never thrown away); if it wins,
 *     the load is removed and the user's future cancelled. A caller that meets an ABANDONED load
 *     still in flight helps (load.cancel) so it knows which way it went: cancelled -> replace it,
 *     completed -> use it. Nobody spins and no user code runs between the two steps.
 *   . The user's future may still produce a value after the load was cancelled (it completed
 *     just before our cancel reached it, or is a stage that cannot be cancelled). That value was
 *     paid for: the completion callback puts it in the cache in place of the abandoned load
 *     (keepAbandonedValue), unless the key was invalidated meanwhile, so the next call does not
 *     load again.
 *   . load.source (written only with cancelAbandonedLoads: nothing else reads it, and a volatile
 *     write per miss is not free) is published by start() and read by abandon(): start writes source then reads
 *     the load's state, abandon writes the state (cancel) then reads source, both volatile, so
 *     at least one of them sees the other and cancels the user's future.
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
 * - Second level (optional SecondLevel SPI, e.g. Redis): the load, once claimed, reads the second
 *   level before calling the function; the LoadFuture is in Caffeine all the while, so
 *   single-flight per key holds across both. A hit completes the load (on the level's thread); a
 *   miss or failure runs the function (on the caller's thread if the read answered at once, else
 *   on the executor, never on the level's I/O thread). A value the function produced, or a
 *   refresh, is written back with the first level's TTL, fire-and-forget (the level counts its
 *   own failures). invalidate() removes locally, then asks the level to remove and publish; the
 *   level calls our InvalidationListener for other instances' invalidations. Known window: a load
 *   in flight while another instance invalidates may write its (older) value to the level.
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
 * <p><b>Linearizability.</b> With {@code cancelAbandonedLoads}, concurrent calls and cancels of
 * one key are linearizable against a model of single-flight with abandonment (Lincheck,
 * {@code stress} module), except where the last caller's cancel races with the load's completion.
 * Abandoning is a step after the cancel: if the load completes in between, the value is kept and
 * cached (the cancelled caller just does not get it), and a value that arrives after the load was
 * abandoned is cached too, unless a new load for the key has started meanwhile: then the new
 * load wins and the late value is dropped. In this history (the function's calls completed by the
 * test, oldest first) the first load's value arrives while thread 1, whose cancel abandoned it,
 * is already starting the second:
 * <pre>
 * | apply(0): void                                                                            |                      |
 * | cancelNewest(0): void                                                                     | completeLoad(): true |
 * | apply(0): void                                                                            |                      |
 * | completeLoad(): true                                                                      |                      |
 * | apply(0): void                                                                            |                      |
 * | noValueThrownAway(): load 0 produced a value, yet the function was called again 1 time(s) |                      |
 * </pre>
 * A call made after both the cancel and the completion returned finds the value.
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
 * @since 0.1.0
 */
public final class MemoizedFunction<K, V> implements Function<K, CompletableFuture<V>> {

    /**
     * A snapshot of a memoized function's counters (ADR core-0003), cheap to take: Caffeine's
     * own statistics plus ours, each read on its own (approximate while requests run, exact at
     * quiescence). Counts only grow; subtract two snapshots to get the activity in between.
     *
     * <p>Caffeine counts a request that joins a load already in flight as a <em>hit</em>:
     * single-flight means only the caller that started the load is a miss.
     *
     * @param name the function's name ({@link AsyncCacheBuilder#name})
     * @param size the estimated number of entries now
     * @param hits requests answered by an entry present in the cache (completed or in flight)
     * @param misses requests that started a load
     * @param loadSuccesses loads and refreshes that produced a non-null value
     * @param loadFailures loads and refreshes that failed, were cancelled or produced {@code null}
     * @param loadTime time spent loading; Caffeine measures it with the system clock
     *     ({@code System.nanoTime}), not the cache's {@code TimeSource}
     * @param evictions entries evicted by the size/weight bound or by expiry
     * @param evictionWeight total weight of evicted entries (the count when not weight-bounded)
     * @param refreshFailures background refreshes that failed (each also reported as a
     *     {@link CacheEvent.RefreshFailed} event)
     * @param negativeHits loads answered from the negative cache instead of calling the function
     * @param abandonedLoads loads cancelled because every caller waiting for them cancelled
     */
    public record Stats(
            String name,
            long size,
            long hits,
            long misses,
            long loadSuccesses,
            long loadFailures,
            Duration loadTime,
            long evictions,
            long evictionWeight,
            long refreshFailures,
            long negativeHits,
            long abandonedLoads) {

        /**
         * Validates the snapshot.
         *
         * @throws NullPointerException if {@code name} or {@code loadTime} is null
         */
        public Stats {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(loadTime, "loadTime");
        }

        /**
         * Hits plus misses.
         *
         * @return the number of requests
         */
        public long requests() {
            return hits + misses;
        }

        /**
         * The fraction of requests that were hits; {@code 1.0} when there were no requests (as in
         * Caffeine).
         *
         * @return the hit ratio, between 0 and 1
         */
        public double hitRatio() {
            long requests = requests();
            return requests == 0 ? 1.0 : (double) hits / requests;
        }

        /**
         * The average time a load took.
         *
         * @return total load time divided by the number of loads, or zero if none completed
         */
        public Duration averageLoadTime() {
            long loads = loadSuccesses + loadFailures;
            return loads == 0 ? Duration.ZERO : loadTime.dividedBy(loads);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(MemoizedFunction.class);

    private final AsyncCache<K, V> cache;
    private final java.util.concurrent.ConcurrentMap<K, CompletableFuture<V>> map;
    private final boolean recordingStats;
    /** Longs between two probe counts and around them: 128 bytes, two cache lines (adjacent-line prefetch). */
    private static final int PROBE_SPACING = 16;
    /** Index in probeCounts of getIfPresent misses followed by cache.get. */
    private static final int PROBE_MISSES = PROBE_SPACING;
    /** Index in probeCounts of getIfPresent hits followed by cache.get. */
    private static final int PROBE_HITS = 2 * PROBE_SPACING;
    /**
     * The probe counts stats() takes back (see the note), each padded onto cache lines of its own:
     * loads write them, and they must not share a line with anything a concurrent hit reads or
     * writes (a LongAdder's base sits next to whatever was allocated beside it, here this object).
     */
    private final AtomicLongArray probeCounts = new AtomicLongArray(3 * PROBE_SPACING);

    private final Function<? super K, ? extends CompletionStage<? extends V>> function;
    private final BiFunction<K, Executor, CompletableFuture<V>> mapping;
    private final boolean cancelAbandoned;
    private final String name;
    private final @Nullable Cache<K, Negative> negatives;
    private final Predicate<? super Throwable> negativeIf;
    private final @Nullable Cache<K, Boolean> refreshPauses; // non-null exactly when stale-if-error is on
    private final @Nullable Consumer<? super CacheEvent<K>> listener;
    private final LongAdder refreshFailures = new LongAdder();
    private final LongAdder negativeHits = new LongAdder();
    private final LongAdder abandoned = new LongAdder();
    private final @Nullable SecondLevel<K, V> secondLevel; // null without a second level
    private final @Nullable BiFunction<K, V, Duration> secondLevelTtl;
    private final @Nullable Executor executor; // runs the function after a second-level miss

    /** A remembered failure, or a remembered {@code null} when {@code failure} is null. */
    record Negative(@Nullable Throwable failure) {}

    /** How a memoized function is put together; built by {@link AsyncCacheBuilder}. */
    record Settings<K, V>(
            @Nullable String name,
            boolean cancelAbandoned,
            @Nullable Cache<K, Negative> negatives,
            Predicate<? super Throwable> negativeIf,
            @Nullable Cache<K, Boolean> refreshPauses,
            @Nullable Consumer<? super CacheEvent<K>> listener,
            @Nullable SecondLevel<K, V> secondLevel,
            @Nullable BiFunction<K, V, Duration> secondLevelTtl,
            @Nullable Executor executor) {

        static <K, V> Settings<K, V> plain() {
            return new Settings<>(null, false, null, failure -> true, null, null, null, null, null);
        }
    }

    MemoizedFunction(
            AsyncCache<K, V> cache,
            Function<? super K, ? extends CompletionStage<? extends V>> function,
            Settings<K, V> settings) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.map = cache.asMap();
        this.recordingStats = cache.synchronous().policy().isRecordingStats();
        this.function = Objects.requireNonNull(function, "function");
        this.name = settings.name() == null ? Checks.defaultName("memo", this) : settings.name();
        this.cancelAbandoned = settings.cancelAbandoned();
        this.negatives = settings.negatives();
        this.negativeIf = settings.negativeIf();
        this.refreshPauses = settings.refreshPauses();
        this.listener = settings.listener();
        this.secondLevel = settings.secondLevel();
        this.secondLevelTtl = settings.secondLevelTtl();
        this.executor = settings.executor();
        if (secondLevel != null) {
            secondLevel.subscribe(new SecondLevel.InvalidationListener<>() {
                @Override
                public void invalidated(K key) {
                    invalidateFirstLevel(key);
                }

                @Override
                public void invalidatedAll() {
                    invalidateAllFirstLevel();
                }
            });
        }
        this.mapping = (key, executor) -> new LoadFuture<>(key, this);
    }

    /**
     * Returns the value for {@code key}: the cached future if there is one, else a load that every
     * concurrent caller for the same key shares. Never blocks; the function, if called, runs on
     * this thread until it returns its future (with a second level that did not answer at once,
     * on the executor after the second level's miss).
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
        CompletableFuture<V> future = cache.getIfPresent(key); // counts the hit; no stats ticker read, see the note
        if (future != null && future.isDone() && !isAbandoned(future)) {
            return future;
        }
        return applySlowly(key, future); // kept apart so that the hit above stays small enough to inline
    }

    private CompletableFuture<V> applySlowly(K key, @Nullable CompletableFuture<V> present) {
        if (present instanceof LoadFuture<?, ?> raw && raw.owner == this && !present.isDone()) {
            @SuppressWarnings("unchecked")
            var load = (LoadFuture<K, V>) raw;
            CompletableFuture<V> joined = join(load); // in flight: a hit (Caffeine's rule), counted by the probe
            if (joined != null) {
                return joined;
            }
        }
        if (recordingStats) { // cache.get below counts this request again: take the probe's count back
            probeCounts.getAndIncrement(present == null ? PROBE_MISSES : PROBE_HITS);
        }
        for (; ; ) {
            CompletableFuture<V> future = cache.get(key, mapping); // counts its own hit or miss
            if (future.isDone()) {
                if (!isAbandoned(future)) {
                    return future;
                }
                // read just before its last waiter abandoned it: never hand out the cancelled load
                map.remove(key, future);
                continue;
            }
            if (!(future instanceof LoadFuture<?, ?> raw)) {
                return Futures.shield(future); // put into the cache by someone else, through cache()
            }
            @SuppressWarnings("unchecked")
            var load = (LoadFuture<K, V>) raw;
            CompletableFuture<V> joined = join(load);
            if (joined != null) {
                return joined;
            }
            map.remove(key, load); // abandoned meanwhile: replace it
        }
    }

    /**
     * The caller's future for a load in flight: fails at once for a synchronous recursive load of
     * the key, else starts the load if nobody has and returns the caller's own future for it.
     * Returns null if the load was abandoned (cancelAbandonedLoads) before the caller could attach.
     */
    private @Nullable CompletableFuture<V> join(LoadFuture<K, V> load) {
        if (load.runner == Thread.currentThread()) {
            return CompletableFuture.failedFuture(new RecursiveLoadException(load.key));
        }
        if (cancelAbandoned) {
            return attachAndStart(load);
        }
        if (load.claimStart()) {
            start(load);
        }
        return load.waiter(false);
    }

    /**
     * Returns the cached future for {@code key} without loading: completed, in flight (shielded
     * like {@link #apply}), or {@code null} if absent. Counts as a hit or miss in {@link #stats()}.
     *
     * @param key the key, not null
     * @return the future, or {@code null} if the key is not cached
     * @throws NullPointerException if {@code key} is null
     */
    public @Nullable CompletableFuture<V> getIfPresent(K key) {
        Objects.requireNonNull(key, "key");
        CompletableFuture<V> future = cache.getIfPresent(key);
        if (future == null || future.isDone()) {
            return isAbandoned(future) ? null : future;
        }
        if (!(future instanceof LoadFuture<?, ?> raw)) {
            return Futures.shield(future);
        }
        @SuppressWarnings("unchecked")
        var load = (LoadFuture<K, V>) raw;
        if (cancelAbandoned) {
            return attachAndStart(load); // null if abandoned meanwhile: as good as absent
        }
        if (load.claimStart()) {
            start(load); // created by a racing apply that has not claimed it yet: never strand it
        }
        return load.waiter(false);
    }

    /**
     * Removes {@code key} from the cache (and from the negative cache). A load in flight goes on
     * for the callers already waiting, but its result is not cached. With a
     * {@linkplain AsyncCacheBuilder#secondLevel(SecondLevel) second level}, the key is also
     * removed there and from the first level of every other instance sharing it.
     *
     * <p>Thread-safe. The local removal is done when this method returns; the returned future
     * tells when the second level has removed and published it (at once without one).
     *
     * @param key the key, not null
     * @return a future completed once the key is gone everywhere this cache can reach; failed
     *     with the second level's error if it could not be told (the local removal stands)
     * @throws NullPointerException if {@code key} is null
     */
    public CompletableFuture<Void> invalidate(K key) {
        Objects.requireNonNull(key, "key");
        invalidateFirstLevel(key);
        if (secondLevel == null) {
            return CompletableFuture.completedFuture(null);
        }
        return safely(() -> secondLevel.invalidate(key));
    }

    /**
     * Removes every entry, including negative ones, from this instance. A second level is not
     * cleared (other instances share it); use its own API for that.
     */
    public void invalidateAll() {
        invalidateAllFirstLevel();
    }

    private void invalidateFirstLevel(K key) {
        // only abandonment reads the flag; without it, no lookup (a read Caffeine would record in
        // its read buffer and replay in maintenance, which concurrent hits share)
        if (cancelAbandoned && map.get(key) instanceof LoadFuture<?, ?> inFlight) {
            inFlight.invalidated = true; // an abandoned load's late value must not come back
        }
        cache.synchronous().invalidate(key);
        if (negatives != null) {
            negatives.invalidate(key);
        }
    }

    private void invalidateAllFirstLevel() {
        if (cancelAbandoned) {
            for (CompletableFuture<V> future : map.values()) {
                if (future instanceof LoadFuture<?, ?> inFlight) {
                    inFlight.invalidated = true;
                }
            }
        }
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
     * {@link #cache()}: a request that finds no usable entry is counted there twice (a lookup,
     * then the load), and once here.
     *
     * @return the current statistics
     */
    public Stats stats() {
        // ours first: a probe's count taken back here was made in Caffeine before, so it shows in s
        long takenBackHits = probeCounts.get(PROBE_HITS);
        long takenBackMisses = probeCounts.get(PROBE_MISSES);
        var s = cache.synchronous().stats();
        return new Stats(
                name,
                cache.synchronous().estimatedSize(),
                Math.max(0, s.hitCount() - takenBackHits),
                Math.max(0, s.missCount() - takenBackMisses),
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
     * reads, explicit puts). Futures it returns are the shared ones: do not complete or cancel
     * them (on a load of this function, {@code completeAsync} and {@code obtrude*} throw
     * {@link UnsupportedOperationException}).
     *
     * @return the Caffeine cache backing this function
     */
    public AsyncCache<K, V> cache() {
        return cache;
    }

    @Override
    public String toString() {
        return "MemoizedFunction[" + name + ", size=" + estimatedSize() + ", " + stats() + "]";
    }

    /**
     * The function's name, for logs and metrics ({@link AsyncCacheBuilder#name}, default
     * {@code memo@<hash>}).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    // ---------------------------------------------------------------- loading

    private void start(LoadFuture<K, V> load) {
        K key = load.key;
        if (load.isDone()) {
            return; // abandoned before it started (loadOnExecutor): do not call the function
        }
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
        if (secondLevel != null) {
            startFromSecondLevel(load);
            return;
        }
        callLoader(load);
    }

    private void callLoader(LoadFuture<K, V> load) {
        K key = load.key;
        CompletionStage<? extends V> stage = callFunction(load);
        if (cancelAbandoned && stage instanceof Future<?> cancellable) { // only abandon() reads source
            load.source = cancellable;
            if (load.isCancelled()) {
                cancellable.cancel(true); // abandoned before source was published, see the note
            }
        }
        stage.whenComplete((value, failure) -> {
            if (failure != null) {
                remember(key, Failures.unwrap(failure));
                load.completeExceptionally(Failures.unwrap(failure));
            } else {
                if (value == null) {
                    remember(key, null);
                } else {
                    writeSecondLevel(key, value);
                }
                if (!load.complete(value) && value != null && isAbandoned(load)) {
                    keepAbandonedValue(load, value);
                }
            }
        });
    }

    /**
     * Reads the second level first; a hit completes the load, a miss or failure calls the
     * function: on this thread if the read answered at once (say, an open circuit), else on the
     * executor, never on the second level's I/O thread.
     */
    private void startFromSecondLevel(LoadFuture<K, V> load) {
        SecondLevel<K, V> level = Objects.requireNonNull(secondLevel); // only called with a second level
        CompletableFuture<V> read = safely(() -> level.get(load.key));
        load.source = read;
        if (load.isCancelled()) {
            read.cancel(true); // abandoned before source was published, as in callLoader
        }
        if (read.isDone()) {
            secondLevelAnswered(
                    load, read.isCompletedExceptionally() ? null : read.getNow(null), true); // failed = miss
            return;
        }
        read.whenComplete((value, failure) -> secondLevelAnswered(load, failure == null ? value : null, false));
    }

    private void secondLevelAnswered(LoadFuture<K, V> load, @Nullable V value, boolean onCallerThread) {
        if (value != null) {
            load.complete(value);
            return;
        }
        if (load.isDone()) {
            return; // abandoned while reading the second level
        }
        if (onCallerThread) {
            callLoader(load);
            return;
        }
        try {
            Objects.requireNonNull(executor).execute(() -> callLoader(load)); // set whenever there is a second level
        } catch (RuntimeException rejected) {
            load.completeExceptionally(rejected);
        }
    }

    private void writeSecondLevel(K key, V value) {
        if (secondLevel == null) {
            return;
        }
        Duration ttl;
        try {
            ttl = Objects.requireNonNull(secondLevelTtl).apply(key, value);
        } catch (RuntimeException failure) {
            LOG.debug("second-level time to live for key {} could not be computed; not written", key, failure);
            return;
        }
        if (ttl == null || ttl.isZero() || ttl.isNegative()) {
            return; // expires at once in the first level too
        }
        safely(() -> secondLevel.put(key, value, ttl)); // failures are the level's to count
    }

    /** Calls the second level; a throw or a null stage becomes a failed future. */
    private static <T> CompletableFuture<T> safely(java.util.function.Supplier<? extends CompletionStage<T>> call) {
        try {
            CompletionStage<T> stage = call.get();
            if (stage == null) {
                return CompletableFuture.failedFuture(new NullPointerException("second level returned a null stage"));
            }
            return stage.toCompletableFuture();
        } catch (RuntimeException failure) {
            return CompletableFuture.failedFuture(failure);
        }
    }

    /** Runs the user's function for a load under the recursion guard (LoadFuture.runner); never throws. */
    private CompletionStage<? extends V> callFunction(LoadFuture<K, V> load) {
        load.runner = Thread.currentThread(); // a load's function runs once: nothing to restore
        try {
            return callFunction(load.key);
        } finally {
            load.runner = null;
        }
    }

    /** Runs the user's function; never throws. */
    private CompletionStage<? extends V> callFunction(K key) {
        try {
            CompletionStage<? extends V> stage = function.apply(key);
            if (stage == null) {
                return CompletableFuture.failedFuture(new NullPointerException(
                        "the memoized function returned null instead of a future for key " + key));
            }
            return stage;
        } catch (Throwable failure) {
            return CompletableFuture.failedFuture(failure);
        }
    }

    private void remember(K key, @Nullable Throwable failure) {
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
        var load = new LoadFuture<K, V>(key, this);
        load.claimStart();
        try {
            executor.execute(CapturedContext.capture().wrap(() -> start(load))); // the caller's context
        } catch (RuntimeException | Error rejected) { // e.g. OutOfMemoryError: no native thread; never strand the load
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
            executor.execute(CapturedContext.capture()
                    .wrap(() -> callFunction(key).whenComplete((value, failure) -> {
                        if (failure == null) {
                            if (refreshPauses != null) {
                                refreshPauses.invalidate(key);
                            }
                            if (value != null) {
                                writeSecondLevel(key, value);
                            }
                            reloaded.complete(value);
                        } else {
                            refreshFailed(key, oldValue, Failures.unwrap(failure), reloaded);
                        }
                    }))); // the context of the read that triggered the refresh
        } catch (RuntimeException | Error rejected) { // saturated, shut down, out of threads: never strand the refresh
            refreshFailed(key, oldValue, rejected, reloaded);
        }
        return reloaded;
    }

    private void refreshFailed(K key, V oldValue, Throwable cause, CompletableFuture<V> reloaded) {
        refreshFailures.increment();
        boolean staleIfError = refreshPauses != null;
        if (staleIfError) {
            Objects.requireNonNull(refreshPauses).put(key, Boolean.TRUE);
        } else {
            cache.synchronous().asMap().remove(key, oldValue);
        }
        LOG.debug("refresh of key {} failed; {}", key, staleIfError ? "serving the old value" : "entry removed", cause);
        emit(new CacheEvent.RefreshFailed<>(key, cause, staleIfError));
        reloaded.cancel(false);
    }

    // ---------------------------------------------------------------- shielding

    /**
     * A load cancelled because every caller abandoned it (only {@link #abandon} cancels a
     * LoadFuture). A racing {@code apply} may read it from the map just before the abandonment
     * removes and cancels it; it must load again instead of returning the cancelled future.
     */
    private static boolean isAbandoned(@Nullable CompletableFuture<?> future) {
        return future instanceof LoadFuture<?, ?> && future.isCancelled();
    }

    /**
     * With cancelAbandonedLoads: attaches the caller to {@code load}, starts it if nobody has
     * (the starter is attached first, see the note), and returns the caller's future: the load
     * itself once done, else a shielded waiter. Returns null if the load was abandoned (cancelled)
     * before the caller could attach.
     */
    private @Nullable CompletableFuture<V> attachAndStart(LoadFuture<K, V> load) {
        if (!load.attach()) {
            // the last waiter just left: make its decision final ourselves to know which way it went
            load.cancel(false);
            return load.isCancelled() ? null : load; // completed first: the value stands
        }
        if (load.claimStart()) {
            start(load);
        }
        return load.waiter(true);
    }

    /** The last waiter left: cancel the load unless it completed first (then it stays cached). */
    void abandon(LoadFuture<K, V> load) {
        if (!load.cancel(false)) {
            return; // completed first: nothing was abandoned, the value stays cached
        }
        abandoned.increment();
        map.remove(load.key, load);
        Future<?> source = load.source;
        if (source != null) {
            source.cancel(true);
        }
        emit(new CacheEvent.LoadAbandoned<>(load.key));
    }

    /**
     * The user's future produced {@code value} although its load had been abandoned: cache the
     * value in the load's place (or in the empty slot) rather than throw it away, unless the key
     * was invalidated since.
     */
    private void keepAbandonedValue(LoadFuture<K, V> load, V value) {
        if (load.invalidated) {
            return;
        }
        CompletableFuture<V> done = CompletableFuture.completedFuture(value);
        if (!map.replace(load.key, load, done)) {
            map.putIfAbsent(load.key, done);
        }
    }

    private void emit(CacheEvent<K> event) {
        if (listener == null) {
            return;
        }
        Listeners.notify(LOG, "MemoizedFunction", "cache event", listener, event);
    }
}
