/**
 * Async caching on Caffeine: the patterns a plain memo map gets wrong (two concurrent misses
 * calling the backend twice, cached failures, stale entries never refreshed, unbounded growth).
 *
 * <ul>
 *   <li>{@link dev.asyncpatterns.cache.AsyncCaches} and {@link dev.asyncpatterns.cache.AsyncCacheBuilder}:
 *       bounded (W-TinyLFU) or weighted caches with expiry, per-entry TTL, refresh-ahead,
 *       stale-if-error and negative caching, all timed on an injectable
 *       {@link dev.asyncpatterns.core.time.TimeSource};
 *   <li>{@link dev.asyncpatterns.cache.MemoizedFunction}: {@code K -> CompletableFuture<V>} with
 *       single-flight, shielded per-caller futures and a recursion guard;
 *   <li>{@link dev.asyncpatterns.cache.BatchLoader}: the DataLoader pattern, coalescing single-key
 *       loads into bulk calls;
 *   <li>{@link dev.asyncpatterns.cache.MemoizedFunction.Stats} and {@link dev.asyncpatterns.cache.CacheEvent}:
 *       what happened, for monitoring.
 * </ul>
 *
 * <p>Storage, eviction, expiry and refresh scheduling are Caffeine's own (its
 * {@code AsyncCache}/{@code AsyncLoadingCache}); this package adds the async contract around them.
 */
package dev.asyncpatterns.cache;
