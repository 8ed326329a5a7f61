package dev.asyncpatterns.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalListener;
import com.github.benmanes.caffeine.cache.Weigher;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * A mutable, single-threaded builder of settings; each terminal call (build, memoize) turns
 * them into a fresh Caffeine builder, so built caches share nothing and later setter calls do not
 * affect them. Validation happens in two places: each setter checks its own argument and that it
 * was not given before (throwing before any state changes); combination rules are checked by the
 * terminal call, which knows what is being built.
 *
 * The type parameters narrow the way Caffeine's do: setters taking typed callbacks return this
 * builder cast to the narrower type, which is safe because the builder never stores a K or V.
 */
/**
 * Configures async caches on Caffeine: bounds, expiry, refresh-ahead, stale-if-error, negative
 * caching, cancellation policy, a shared second level, time source, statistics and listeners. Start with
 * {@link AsyncCaches#builder()}, finish with {@link #memoize(Function)} (a memoized async function)
 * or {@link #build()} (a plain Caffeine {@link AsyncCache}, configured on our time source).
 *
 * {@snippet class=dev.asyncpatterns.cache.snippets.CacheSnippets region=quoteCache}
 *
 * <p><b>Bounds.</b> Bounded by default: with no bound given the cache holds at most
 * {@link AsyncCaches#DEFAULT_MAXIMUM_SIZE} entries. {@link #maximumSize(long)} uses Caffeine's
 * <em>W-TinyLFU</em> policy: admission by estimated frequency plus a small recency window. It is
 * not strict LRU: a burst of one-off keys does not flush popular ones, which is why it hits more
 * often on skewed traffic (see the {@code CacheHitRatioBenchmark}). Ask for no bound with
 * {@link #unbounded()}.
 *
 * <p>Each setting may be given once (a second call throws {@link IllegalStateException}). The
 * builder is not thread-safe; the caches it builds are, and are unaffected by later changes.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @since 0.1.0
 */
public final class AsyncCacheBuilder<K, V> {

    private @Nullable Long maximumSize;
    private @Nullable Long maximumWeight;
    private @Nullable Weigher<? super K, ? super V> weigher;
    private boolean unbounded;
    private @Nullable Duration expireAfterWrite;
    private @Nullable Duration expireAfterAccess;
    private @Nullable BiFunction<? super K, ? super V, Duration> expireAfter;
    private @Nullable Duration refreshAfterWrite;
    private @Nullable Duration staleIfError;
    private @Nullable Duration refreshRetryAfter;
    private @Nullable Duration negativeTtl;
    private @Nullable Predicate<? super Throwable> negativeIf;
    private boolean cancelAbandoned;
    private @Nullable TimeSource timeSource;
    private @Nullable Executor executor;
    private @Nullable RemovalListener<? super K, ? super V> removalListener;
    private @Nullable RemovalListener<? super K, ? super V> evictionListener;
    private @Nullable Consumer<? super CacheEvent<K>> eventListener;
    private @Nullable Boolean recordStats;
    private @Nullable String name;
    private @Nullable SecondLevel<?, ?> secondLevel;

    AsyncCacheBuilder() {}

    // ---------------------------------------------------------------- bounds

    /**
     * Bounds the cache to about {@code maximumSize} entries, evicting by Caffeine's W-TinyLFU
     * policy (frequency-aware admission plus a recency window; not strict LRU). The cache may
     * briefly exceed the bound while evictions are processed.
     *
     * @param maximumSize the most entries to keep, at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code maximumSize < 1}
     * @throws IllegalStateException if a size, weight or {@link #unbounded()} bound was already set
     */
    public AsyncCacheBuilder<K, V> maximumSize(long maximumSize) {
        Checks.positive(maximumSize, "maximumSize");
        requireNoBound("maximumSize");
        this.maximumSize = maximumSize;
        return this;
    }

    /**
     * Bounds the cache by total weight, each entry weighing what {@code weigher} says when it is
     * loaded (in-flight loads weigh 0). Eviction is W-TinyLFU, as for {@link #maximumSize(long)}.
     *
     * @param maximumWeight the most total weight to keep, at least 1
     * @param weigher the weight of one entry, non-negative, computed once per load
     * @param <K1> the key type the weigher accepts
     * @param <V1> the value type the weigher accepts
     * @return this builder
     * @throws NullPointerException if {@code weigher} is null
     * @throws IllegalArgumentException if {@code maximumWeight < 1}
     * @throws IllegalStateException if a bound was already set
     */
    public <K1 extends K, V1 extends V> AsyncCacheBuilder<K1, V1> maximumWeight(
            long maximumWeight, Weigher<? super K1, ? super V1> weigher) {
        Objects.requireNonNull(weigher, "weigher");
        Checks.positive(maximumWeight, "maximumWeight");
        requireNoBound("maximumWeight");
        AsyncCacheBuilder<K1, V1> self = narrow();
        self.maximumWeight = maximumWeight;
        self.weigher = weigher;
        return self;
    }

    /**
     * Asks, by name, for a cache without a size bound (contract rule 5). Entries then leave only
     * by expiry or invalidation.
     *
     * @return this builder
     * @throws IllegalStateException if a bound was already set
     */
    public AsyncCacheBuilder<K, V> unbounded() {
        requireNoBound("unbounded");
        this.unbounded = true;
        return this;
    }

    // ---------------------------------------------------------------- expiry and refresh

    /**
     * Expires an entry {@code ttl} after it was loaded or last replaced.
     *
     * @param ttl the time to live, positive
     * @return this builder
     * @throws NullPointerException if {@code ttl} is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     * @throws IllegalStateException if already set
     */
    public AsyncCacheBuilder<K, V> expireAfterWrite(Duration ttl) {
        Durations.requirePositive(ttl, "ttl");
        Checks.unset(expireAfterWrite, "expireAfterWrite");
        this.expireAfterWrite = ttl;
        return this;
    }

    /**
     * Expires an entry once {@code idle} has passed since it was last read or written. May be
     * combined with {@link #expireAfterWrite(Duration)}: whichever comes first wins.
     *
     * @param idle the idle time after which an entry expires, positive
     * @return this builder
     * @throws NullPointerException if {@code idle} is null
     * @throws IllegalArgumentException if {@code idle} is zero or negative
     * @throws IllegalStateException if already set
     */
    public AsyncCacheBuilder<K, V> expireAfterAccess(Duration idle) {
        Durations.requirePositive(idle, "idle");
        Checks.unset(expireAfterAccess, "expireAfterAccess");
        this.expireAfterAccess = idle;
        return this;
    }

    /**
     * Gives each entry its own time to live, computed from the loaded value (say, an HTTP
     * {@code max-age} or a token's expiry), when it is loaded or replaced; reads do not extend it.
     * Cannot be combined with {@code expireAfterWrite}/{@code expireAfterAccess} (Caffeine's rule):
     * fold those limits into the function instead.
     *
     * @param ttlOf the time to live of an entry; zero or negative expires it at once
     * @param <K1> the key type the function accepts
     * @param <V1> the value type the function accepts
     * @return this builder
     * @throws NullPointerException if {@code ttlOf} is null
     * @throws IllegalStateException if already set
     */
    public <K1 extends K, V1 extends V> AsyncCacheBuilder<K1, V1> expireAfter(
            BiFunction<? super K1, ? super V1, Duration> ttlOf) {
        Objects.requireNonNull(ttlOf, "ttlOf");
        Checks.unset(expireAfter, "expireAfter");
        AsyncCacheBuilder<K1, V1> self = narrow();
        self.expireAfter = ttlOf;
        return self;
    }

    /**
     * Refresh-ahead: the first read of an entry older than {@code interval} triggers a reload in
     * the background (on the executor) while that read, and every other until the reload
     * completes, gets the current value. A successful reload replaces the value. A failed reload
     * removes the entry, unless {@link #staleIfError(Duration)} is set. Only for
     * {@link #memoize(Function)}.
     *
     * @param interval the age after which an entry is refreshed, positive
     * @return this builder
     * @throws NullPointerException if {@code interval} is null
     * @throws IllegalArgumentException if {@code interval} is zero or negative
     * @throws IllegalStateException if already set
     */
    public AsyncCacheBuilder<K, V> refreshAfterWrite(Duration interval) {
        Durations.requirePositive(interval, "interval");
        Checks.unset(refreshAfterWrite, "refreshAfterWrite");
        this.refreshAfterWrite = interval;
        return this;
    }

    /**
     * Stale-if-error: when a refresh fails, keep serving the old value, for at most
     * {@code maxStaleness} past the moment it was due for refresh. Each failure is counted
     * ({@link MemoizedFunction.Stats#refreshFailures()}) and reported as a {@link CacheEvent.RefreshFailed}
     * event. After a failed refresh, reads of that key serve the old value without calling the
     * function for one {@link #refreshAfterWrite(Duration)} interval; the first read after that
     * retries. A failing backend so sees at most one refresh per key per interval, however often
     * the key is read. When the staleness limit is reached the entry
     * expires and the next call loads afresh, seeing the failure if the backend still fails.
     *
     * <p>Requires {@link #refreshAfterWrite(Duration)}; sets the hard expiry to
     * {@code refreshAfterWrite + maxStaleness}, so it cannot be combined with
     * {@code expireAfterWrite} or {@code expireAfter}. Only for {@link #memoize(Function)}.
     *
     * @param maxStaleness how long past its refresh time a value may still be served, positive
     * @return this builder
     * @throws NullPointerException if {@code maxStaleness} is null
     * @throws IllegalArgumentException if {@code maxStaleness} is zero or negative
     * @throws IllegalStateException if already set
     */
    public AsyncCacheBuilder<K, V> staleIfError(Duration maxStaleness) {
        Durations.requirePositive(maxStaleness, "maxStaleness");
        Checks.unset(staleIfError, "staleIfError");
        this.staleIfError = maxStaleness;
        return this;
    }

    /**
     * Stale-if-error as {@link #staleIfError(Duration)}, with its own pause between refresh
     * attempts after a failure: after a failed refresh of a key, reads within {@code retryAfter}
     * serve the old value without calling the function.
     *
     * @param maxStaleness how long past its refresh time a value may still be served, positive
     * @param retryAfter how long after a failed refresh the next one may start, positive
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if an argument is zero or negative
     * @throws IllegalStateException if already set
     */
    public AsyncCacheBuilder<K, V> staleIfError(Duration maxStaleness, Duration retryAfter) {
        Durations.requirePositive(retryAfter, "retryAfter");
        staleIfError(maxStaleness);
        this.refreshRetryAfter = retryAfter;
        return this;
    }

    /**
     * Negative caching: remember every failed load, and every {@code null} result, for
     * {@code ttl}, answering calls for that key with the same failure (or {@code null}) without
     * calling the function. Failures are not cached at all without this. Cancellations are never
     * remembered. Only for {@link #memoize(Function)}.
     *
     * @param ttl how long to remember a failure, positive; keep it short
     * @return this builder
     * @throws NullPointerException if {@code ttl} is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     * @throws IllegalStateException if already set
     */
    public AsyncCacheBuilder<K, V> negativeCaching(Duration ttl) {
        return negativeCaching(ttl, failure -> true);
    }

    /**
     * Negative caching of the failures {@code which} accepts (say, "not found" but not timeouts),
     * and of {@code null} results, for {@code ttl}. See {@link #negativeCaching(Duration)}.
     *
     * @param ttl how long to remember a failure, positive
     * @param which which failures to remember (the cause, unwrapped from
     *     {@link java.util.concurrent.CompletionException})
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     * @throws IllegalStateException if already set
     */
    public AsyncCacheBuilder<K, V> negativeCaching(Duration ttl, Predicate<? super Throwable> which) {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(which, "which");
        Durations.requirePositive(ttl, "ttl");
        Checks.unset(negativeTtl, "negativeCaching");
        this.negativeTtl = ttl;
        this.negativeIf = which;
        return this;
    }

    /**
     * Cancels a load once every caller waiting for it has cancelled its future: the load is
     * removed from the cache and the future the function returned is cancelled (with
     * interruption). Off by default: a load then completes and is cached even if nobody waits.
     * Only for {@link #memoize(Function)}.
     *
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public AsyncCacheBuilder<K, V> cancelAbandonedLoads() {
        Checks.once(cancelAbandoned, "cancelAbandonedLoads");
        this.cancelAbandoned = true;
        return this;
    }

    // ---------------------------------------------------------------- second level

    /**
     * Adds a second cache level under the Caffeine level, shared by every instance of the
     * service (say, Redis through the {@code async-patterns-redis} module). A call then reads
     * the first level, then {@code level}, then the function; the load of a key is still
     * single-flight in each process. A value the function produced is written to {@code level}
     * with the time to live of {@link #expireAfterWrite(Duration)} (or of
     * {@link #expireAfter(BiFunction)}, or {@code refreshAfterWrite + maxStaleness} with
     * stale-if-error), which is therefore required. A successful refresh writes there too.
     *
     * <p>{@link MemoizedFunction#invalidate(Object)} removes the key from {@code level} and, through
     * it, from every other instance's first level. When {@code level} fails or is slow (it bounds
     * its own time), calls go on from the first level or the function: a failed read is a miss,
     * a failed write is ignored. After a miss in {@code level} the function runs on the
     * {@link #executor(Executor)} (default {@link java.util.concurrent.ForkJoinPool#commonPool()}),
     * not on the thread that completed the read. Only for {@link #memoize(Function)}.
     *
     * {@snippet class=dev.asyncpatterns.cache.snippets.CacheSnippets region=secondLevel}
     *
     * @param level the second level; the built function registers its invalidation listener
     * @param <K1> the key type the level accepts
     * @param <V1> the value type the level holds
     * @return this builder
     * @throws NullPointerException if {@code level} is null
     * @throws IllegalStateException if already set
     */
    public <K1 extends K, V1 extends V> AsyncCacheBuilder<K1, V1> secondLevel(SecondLevel<K1, V1> level) {
        Objects.requireNonNull(level, "level");
        Checks.unset(secondLevel, "secondLevel");
        AsyncCacheBuilder<K1, V1> self = narrow();
        self.secondLevel = level;
        return self;
    }

    // ---------------------------------------------------------------- time, threads, observation

    /**
     * The clock for expiry and refresh, and the timer for prompt eviction of
     * expired entries (passed to Caffeine as its {@code Ticker} and {@code Scheduler}). Default
     * {@link TimeSource#system()}; use the testkit's {@code VirtualClock} in tests.
     *
     * @param timeSource the time source
     * @return this builder
     * @throws NullPointerException if {@code timeSource} is null
     * @throws IllegalStateException if already set
     */
    public AsyncCacheBuilder<K, V> timeSource(TimeSource timeSource) {
        this.timeSource = Checks.setOnce(this.timeSource, timeSource, "timeSource", "timeSource");
        return this;
    }

    /**
     * The executor Caffeine uses for refreshes, removal listeners and maintenance. Default
     * {@link java.util.concurrent.ForkJoinPool#commonPool()}; {@code Runnable::run} makes tests
     * deterministic.
     *
     * @param executor the executor
     * @return this builder
     * @throws NullPointerException if {@code executor} is null
     * @throws IllegalStateException if already set
     */
    public AsyncCacheBuilder<K, V> executor(Executor executor) {
        this.executor = Checks.setOnce(this.executor, executor, "executor", "executor");
        return this;
    }

    /**
     * Turns statistics off (they are on by default and cost a few nanoseconds per call);
     * {@code stats()} then reports zeros for Caffeine's counters.
     *
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public AsyncCacheBuilder<K, V> disableStats() {
        Checks.unset(recordStats, "disableStats");
        this.recordStats = false;
        return this;
    }

    /**
     * Caffeine's removal listener: told of every removal (eviction, expiry, explicit, replaced),
     * asynchronously on the executor, after the fact.
     *
     * @param listener the listener; its exceptions are logged by Caffeine and ignored
     * @param <K1> the key type the listener accepts
     * @param <V1> the value type the listener accepts
     * @return this builder
     * @throws NullPointerException if {@code listener} is null
     * @throws IllegalStateException if already set
     */
    public <K1 extends K, V1 extends V> AsyncCacheBuilder<K1, V1> removalListener(
            RemovalListener<? super K1, ? super V1> listener) {
        Objects.requireNonNull(listener, "listener");
        Checks.unset(removalListener, "removalListener");
        AsyncCacheBuilder<K1, V1> self = narrow();
        self.removalListener = listener;
        return self;
    }

    /**
     * Caffeine's eviction listener: told of evictions (size, weight, expiry) synchronously, while
     * the entry is being removed. Keep it short and never call the cache from it.
     *
     * @param listener the listener; its exceptions are logged by Caffeine and ignored
     * @param <K1> the key type the listener accepts
     * @param <V1> the value type the listener accepts
     * @return this builder
     * @throws NullPointerException if {@code listener} is null
     * @throws IllegalStateException if already set
     */
    public <K1 extends K, V1 extends V> AsyncCacheBuilder<K1, V1> evictionListener(
            RemovalListener<? super K1, ? super V1> listener) {
        Objects.requireNonNull(listener, "listener");
        Checks.unset(evictionListener, "evictionListener");
        AsyncCacheBuilder<K1, V1> self = narrow();
        self.evictionListener = listener;
        return self;
    }

    /**
     * Listens to {@link CacheEvent}s (refresh failures, negative entries, abandoned loads). See
     * {@link CacheEvent} for the thread it runs on; what it throws is logged once at WARN and
     * ignored ({@link VirtualMachineError}s are rethrown). Set once; combine several listeners
     * with {@link Consumer#andThen}. Only for {@link #memoize(Function)}.
     *
     * @param listener the listener
     * @param <K1> the key type the listener accepts
     * @return this builder
     * @throws NullPointerException if {@code listener} is null
     * @throws IllegalStateException if already set
     */
    public <K1 extends K> AsyncCacheBuilder<K1, V> onEvent(Consumer<? super CacheEvent<K1>> listener) {
        Objects.requireNonNull(listener, "listener");
        Checks.unset(eventListener, "onEvent");
        AsyncCacheBuilder<K1, V> self = narrow();
        self.eventListener = listener;
        return self;
    }

    // ---------------------------------------------------------------- terminal operations

    /**
     * The name of the memoized function this builder makes, used in logs, {@code toString} and
     * {@link MemoizedFunction#stats()} (default {@code memo@<hash>}). Only {@link #memoize} uses
     * it: a plain Caffeine cache from {@link #build()} has no name.
     *
     * @param name the name
     * @return this builder
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank, longer than 200 characters or
     *     holds a control character
     * @throws IllegalStateException if already set
     */
    public AsyncCacheBuilder<K, V> name(String name) {
        Checks.name(name);
        Checks.once(this.name != null, "name");
        this.name = name;
        return this;
    }

    /**
     * Memoizes {@code function} in a new cache with these settings. See {@link MemoizedFunction}
     * for single-flight, failure, {@code null} and cancellation rules.
     *
     * @param function the async function to memoize; called at most once at a time per key
     * @param <K1> the key type
     * @param <V1> the value type
     * @return the memoized function
     * @throws NullPointerException if {@code function} is null
     * @throws IllegalStateException if the settings do not combine (the message says which)
     */
    public <K1 extends K, V1 extends V> MemoizedFunction<K1, V1> memoize(
            Function<? super K1, ? extends CompletionStage<? extends V1>> function) {
        Objects.requireNonNull(function, "function");
        checkCombinations(true);
        AsyncCacheBuilder<K1, V1> self = narrow();
        Caffeine<K1, V1> caffeine = self.caffeine();
        com.github.benmanes.caffeine.cache.Cache<K1, MemoizedFunction.Negative> negatives =
                negativeTtl == null ? null : this.<K1>negativeCache();
        @SuppressWarnings("unchecked")
        Consumer<? super CacheEvent<K1>> events = (Consumer<? super CacheEvent<K1>>) eventListener;
        com.github.benmanes.caffeine.cache.Cache<K1, Boolean> refreshPauses =
                staleIfError == null ? null : this.<K1>refreshPauses();
        @SuppressWarnings("unchecked")
        SecondLevel<K1, V1> level = (SecondLevel<K1, V1>) secondLevel;
        var settings = new MemoizedFunction.Settings<K1, V1>(
                name,
                cancelAbandoned,
                negatives,
                negativeIf == null ? f -> true : negativeIf,
                refreshPauses,
                events,
                level,
                level == null ? null : this.<K1, V1>secondLevelTtl(),
                executor != null ? executor : ForkJoinPool.commonPool());
        if (refreshAfterWrite == null) {
            return new MemoizedFunction<>(caffeine.buildAsync(), function, settings);
        }
        var holder = new MemoizedFunction<?, ?>[1];
        AsyncCacheLoader<K1, V1> loader = new AsyncCacheLoader<>() {
            @Override
            @SuppressWarnings("unchecked")
            public CompletableFuture<? extends V1> asyncLoad(K1 key, Executor executor) {
                // reached only through Caffeine's own entry points (refresh of an absent key,
                // getAll); apply() passes its own mapping function
                return ((MemoizedFunction<K1, V1>) holder[0]).loadOnExecutor(key, executor);
            }

            @Override
            @SuppressWarnings("unchecked")
            public CompletableFuture<? extends V1> asyncReload(K1 key, V1 oldValue, Executor executor) {
                return ((MemoizedFunction<K1, V1>) holder[0]).reload(key, oldValue, executor);
            }
        };
        var memo = new MemoizedFunction<K1, V1>(caffeine.buildAsync(loader), function, settings);
        holder[0] = memo;
        return memo;
    }

    /**
     * Builds a plain Caffeine {@link AsyncCache} with the bounds, expiry, time source, executor,
     * statistics and listeners set here, for code that wants Caffeine's own API. Memoization-only
     * settings (refresh, stale-if-error, negative caching, abandoned-load cancellation, events)
     * are rejected.
     *
     * @param <K1> the key type
     * @param <V1> the value type
     * @return a new Caffeine async cache
     * @throws IllegalStateException if a memoization-only setting was given
     */
    public <K1 extends K, V1 extends V> AsyncCache<K1, V1> build() {
        checkCombinations(false);
        AsyncCacheBuilder<K1, V1> self = narrow();
        return self.caffeine().buildAsync();
    }

    // ---------------------------------------------------------------- internals

    private Caffeine<K, V> caffeine() {
        TimeSource time = timeSource != null ? timeSource : TimeSource.system();
        Caffeine<Object, Object> raw =
                Caffeine.newBuilder().ticker(CaffeineTime.ticker(time)).scheduler(CaffeineTime.scheduler(time));
        if (executor != null) {
            raw.executor(executor);
        }
        if (recordStats == null || recordStats) {
            raw.recordStats();
        }
        if (maximumSize != null) {
            raw.maximumSize(maximumSize);
        } else if (!unbounded && maximumWeight == null) {
            raw.maximumSize(AsyncCaches.DEFAULT_MAXIMUM_SIZE);
        }
        if (expireAfterAccess != null) {
            raw.expireAfterAccess(expireAfterAccess);
        }
        Duration writeTtl =
                staleIfError != null ? Objects.requireNonNull(refreshAfterWrite).plus(staleIfError) : expireAfterWrite;
        if (writeTtl != null) {
            raw.expireAfterWrite(writeTtl);
        }
        if (refreshAfterWrite != null) {
            raw.refreshAfterWrite(refreshAfterWrite);
        }
        Caffeine<K, V> typed = narrowCaffeine(raw);
        if (maximumWeight != null) {
            typed = typed.maximumWeight(maximumWeight).weigher(Objects.requireNonNull(weigher, "weigher"));
        }
        if (expireAfter != null) {
            BiFunction<? super K, ? super V, Duration> ttlOf = expireAfter;
            typed = typed.expireAfter(Expiry.writing((K key, V value) -> Objects.requireNonNull(
                    ttlOf.apply(key, value), "expireAfter function returned null for key " + key)));
        }
        if (removalListener != null) {
            typed = typed.removalListener(removalListener);
        }
        if (evictionListener != null) {
            typed = typed.evictionListener(evictionListener);
        }
        return typed;
    }

    private <K1> com.github.benmanes.caffeine.cache.Cache<K1, MemoizedFunction.Negative> negativeCache() {
        TimeSource time = timeSource != null ? timeSource : TimeSource.system();
        long bound = maximumSize != null ? maximumSize : AsyncCaches.DEFAULT_MAXIMUM_SIZE;
        return Caffeine.newBuilder()
                .ticker(CaffeineTime.ticker(time))
                .executor(Runnable::run)
                .maximumSize(bound)
                .expireAfterWrite(Objects.requireNonNull(negativeTtl))
                .<K1, MemoizedFunction.Negative>build();
    }

    /** Keys whose refresh failed recently: a refresh of one of them is skipped until it expires. */
    private <K1> com.github.benmanes.caffeine.cache.Cache<K1, Boolean> refreshPauses() {
        return Caffeine.newBuilder()
                .ticker(CaffeineTime.ticker(timeSource != null ? timeSource : TimeSource.system()))
                .executor(Runnable::run)
                .maximumSize(maximumSize != null ? maximumSize : AsyncCaches.DEFAULT_MAXIMUM_SIZE)
                .expireAfterWrite(
                        refreshRetryAfter != null ? refreshRetryAfter : Objects.requireNonNull(refreshAfterWrite))
                .<K1, Boolean>build();
    }

    /** The time to live of a value written to the second level: that of the first level. */
    private <K1, V1> BiFunction<K1, V1, Duration> secondLevelTtl() {
        if (expireAfter != null) {
            @SuppressWarnings("unchecked")
            BiFunction<? super K1, ? super V1, Duration> ttlOf =
                    (BiFunction<? super K1, ? super V1, Duration>) expireAfter;
            return ttlOf::apply;
        }
        Duration ttl =
                staleIfError != null ? Objects.requireNonNull(refreshAfterWrite).plus(staleIfError) : expireAfterWrite;
        return (key, value) -> ttl;
    }

    private void checkCombinations(boolean memoizing) {
        if (secondLevel != null && expireAfterWrite == null && expireAfter == null && staleIfError == null) {
            throw new IllegalStateException("secondLevel needs a time to live for the values it shares:"
                    + " set expireAfterWrite (or expireAfter, or refreshAfterWrite + staleIfError)");
        }
        if (expireAfter != null && (expireAfterWrite != null || expireAfterAccess != null)) {
            throw new IllegalStateException(
                    "expireAfter(ttlOf) cannot be combined with expireAfterWrite/expireAfterAccess;"
                            + " fold those limits into the function");
        }
        if (staleIfError != null) {
            if (refreshAfterWrite == null) {
                throw new IllegalStateException("staleIfError(" + staleIfError
                        + ") requires refreshAfterWrite: it keeps" + " serving the old value when a refresh fails");
            }
            if (expireAfterWrite != null || expireAfter != null) {
                throw new IllegalStateException(
                        "staleIfError sets the hard expiry itself (refreshAfterWrite + maxStaleness);"
                                + " remove expireAfterWrite/expireAfter");
            }
        }
        if (refreshAfterWrite != null
                && expireAfterWrite != null
                && expireAfterWrite.compareTo(refreshAfterWrite) <= 0) {
            throw new IllegalStateException(
                    "refreshAfterWrite (" + refreshAfterWrite + ") must be shorter than expireAfterWrite ("
                            + expireAfterWrite + "), or entries expire before they are ever refreshed");
        }
        if (!memoizing) {
            String memoOnly = refreshAfterWrite != null
                    ? "refreshAfterWrite"
                    : staleIfError != null
                            ? "staleIfError"
                            : negativeTtl != null
                                    ? "negativeCaching"
                                    : cancelAbandoned
                                            ? "cancelAbandonedLoads"
                                            : eventListener != null
                                                    ? "onEvent"
                                                    : secondLevel != null ? "secondLevel" : null;
            if (memoOnly != null) {
                throw new IllegalStateException(memoOnly + " applies to memoize(...), not to build()");
            }
        }
    }

    private void requireNoBound(String setting) {
        if (maximumSize != null || maximumWeight != null || unbounded) {
            String existing = maximumSize != null
                    ? "maximumSize(" + maximumSize + ")"
                    : maximumWeight != null ? "maximumWeight(" + maximumWeight + ")" : "unbounded()";
            throw new IllegalStateException(setting + " cannot be set: the bound was already set by " + existing);
        }
    }

    @SuppressWarnings("unchecked")
    private <K1 extends K, V1 extends V> AsyncCacheBuilder<K1, V1> narrow() {
        return (AsyncCacheBuilder<K1, V1>) this;
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Caffeine<K, V> narrowCaffeine(Caffeine<Object, Object> caffeine) {
        return (Caffeine<K, V>) (Caffeine<?, ?>) caffeine;
    }
}
