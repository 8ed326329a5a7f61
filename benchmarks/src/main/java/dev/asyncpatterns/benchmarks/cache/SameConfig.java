package dev.asyncpatterns.benchmarks.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asyncpatterns.cache.AsyncCacheBuilder;
import dev.asyncpatterns.cache.AsyncCaches;

/**
 * The one configuration the cache benchmarks give ours and Caffeine, so that their rows differ
 * only by code path: the same size bound (W-TinyLFU), statistics on (ours records them by
 * default), maintenance on the calling thread.
 */
final class SameConfig {

    private SameConfig() {}

    static Caffeine<Object, Object> caffeine(long maximumSize) {
        return Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .executor(Runnable::run)
                .recordStats();
    }

    /** The same without statistics: the peer of ours built with {@code disableStats()}. */
    static Caffeine<Object, Object> caffeineNoStats(long maximumSize) {
        return Caffeine.newBuilder().maximumSize(maximumSize).executor(Runnable::run);
    }

    static AsyncCacheBuilder<Object, Object> ours(long maximumSize) {
        return AsyncCaches.builder().maximumSize(maximumSize).executor(Runnable::run);
    }
}
