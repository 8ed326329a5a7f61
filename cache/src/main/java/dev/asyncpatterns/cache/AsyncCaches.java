package dev.asyncpatterns.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Entry points of the cache module: async caches on Caffeine, memoized async functions with
 * single-flight, refresh-ahead, stale-if-error and negative caching. Batching loaders are made by
 * {@link BatchLoader#builder(Function)}.
 *
 * {@snippet class=dev.asyncpatterns.cache.snippets.CacheSnippets region=memoizeThreeWays}
 *
 * @since 0.1.0
 */
public final class AsyncCaches {

    /** The size bound of a cache for which no bound was given: 10,000 entries. */
    public static final long DEFAULT_MAXIMUM_SIZE = 10_000;

    private AsyncCaches() {}

    /**
     * A new builder with no settings (bounded to {@link #DEFAULT_MAXIMUM_SIZE} entries unless a
     * bound is given).
     *
     * @return a new builder
     */
    public static AsyncCacheBuilder<Object, Object> builder() {
        return new AsyncCacheBuilder<>();
    }

    /**
     * Memoizes {@code function} with the defaults: at most {@link #DEFAULT_MAXIMUM_SIZE} entries
     * (W-TinyLFU eviction), no expiry, single-flight, failures not cached, statistics on, system
     * time. Same as {@code builder().memoize(function)}.
     *
     * @param function the async function to memoize
     * @param <K> the key type
     * @param <V> the value type
     * @return the memoized function
     * @throws NullPointerException if {@code function} is null
     */
    public static <K, V> MemoizedFunction<K, V> memoize(
            Function<? super K, ? extends CompletionStage<? extends V>> function) {
        return builder().memoize(function);
    }

    /**
     * Memoizes {@code function} in a Caffeine cache the caller built and configured (bounds,
     * expiry, listeners, ticker...). The result keeps the single-flight, shielding, {@code null}
     * and recursion rules of {@link MemoizedFunction}; refresh-ahead, stale-if-error, negative
     * caching and abandoned-load cancellation need {@link #builder()}. Do not let other code load
     * into {@code cache} through a loader of its own for the same keys.
     *
     * @param cache the cache to memoize into
     * @param function the async function to memoize
     * @param <K> the key type
     * @param <V> the value type
     * @return the memoized function
     * @throws NullPointerException if an argument is null
     */
    public static <K, V> MemoizedFunction<K, V> memoize(
            AsyncCache<K, V> cache, Function<? super K, ? extends CompletionStage<? extends V>> function) {
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(function, "function");
        return new MemoizedFunction<>(cache, function, MemoizedFunction.Settings.plain());
    }
}
