/**
 * Redis-backed building blocks: {@link dev.asyncpatterns.redis.RedisSecondLevel}, a second cache
 * level shared by every instance (plugged under a memoized function with
 * {@code AsyncCaches.builder().secondLevel(...)}), and
 * {@link dev.asyncpatterns.redis.RedisRateLimiter}, a token bucket evaluated atomically in Redis.
 */
@NullMarked
package dev.asyncpatterns.redis;

import org.jspecify.annotations.NullMarked;
