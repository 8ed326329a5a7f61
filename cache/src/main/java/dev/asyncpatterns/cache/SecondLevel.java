package dev.asyncpatterns.cache;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A second cache level under a memoized function's Caffeine level, shared by several instances
 * of a service (the {@code async-patterns-redis} module implements it on Redis). Plug one in with
 * {@link AsyncCacheBuilder#secondLevel(SecondLevel)}: a call then reads the first level, then
 * this level, then the function, still single-flight per key in each process.
 *
 * <p><b>Contract for implementations.</b> Every method is thread-safe and never blocks. Each
 * returned stage completes within a bounded time the implementation guarantees (a timeout on its
 * own {@code TimeSource}); the cache treats a failed stage, a {@code null} stage or an exception
 * thrown by a method as "the second level is unavailable": a {@link #get} failure becomes a miss
 * and the function is called, a {@link #put} failure is ignored. An implementation reports such
 * failures in its own statistics; it should not log them above debug level per call. A value it
 * cannot decode must be reported as a miss (completing with {@code null}), never as a value of
 * the wrong type.
 *
 * <p><b>Invalidation.</b> {@link #invalidate} removes the key from this level and tells every
 * other instance sharing it, whose caches then drop the key from their first level through the
 * {@link InvalidationListener} they registered with {@link #subscribe}.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @since 0.1.0
 */
public interface SecondLevel<K, V> {

    /**
     * Reads {@code key}.
     *
     * @param key the key, not null
     * @return a stage completed with the value, or with {@code null} on a miss (absent, expired or
     *     undecodable); failed if the level is unavailable
     */
    CompletionStage<V> get(K key);

    /**
     * Writes {@code value} for {@code key}.
     *
     * @param key the key, not null
     * @param value the value, not null
     * @param ttl how long the value may live in this level, or {@code null} for no expiry
     * @return a stage completed once written; failed if the level is unavailable
     */
    CompletionStage<Void> put(K key, V value, Duration ttl);

    /**
     * Removes {@code key} from this level and publishes the invalidation to every other instance.
     *
     * @param key the key, not null
     * @return a stage completed once removed and published; failed if the level is unavailable
     */
    CompletionStage<Void> invalidate(K key);

    /**
     * Registers the listener told of invalidations made by other instances. A cache calls this
     * once, when it is built; a second registration replaces the first.
     *
     * @param listener the listener; it is called on the implementation's thread and must not block
     */
    void subscribe(InvalidationListener<K> listener);

    /**
     * What a second level tells the first level of one instance.
     *
     * @param <K> the key type
     */
    interface InvalidationListener<K> {

        /**
         * Another instance invalidated {@code key}: drop it from the first level.
         *
         * @param key the key
         */
        void invalidated(K key);

        /**
         * Invalidations may have been missed (say, the subscription was lost and re-established):
         * drop every entry from the first level.
         */
        void invalidatedAll();
    }
}
