package dev.asyncpatterns.cache;

import org.jspecify.annotations.Nullable;

/**
 * Something a memoized function wants its owner to know about, beyond Caffeine's removal
 * notifications. Register a listener with {@link AsyncCacheBuilder#onEvent}.
 *
 * <p>Listeners run synchronously on the thread that observed the event (the thread completing
 * a load, or the thread cancelling the last waiter), never under a lock; keep them short. A
 * listener that throws is logged once through SLF4J at warn level and otherwise ignored: it never
 * affects the cache (a {@link VirtualMachineError} is logged and rethrown; ADR core-0002).
 *
 * @param <K> the key type
 * @since 0.1.0
 */
public sealed interface CacheEvent<K> {

    /**
     * The key the event is about.
     *
     * @return the key
     */
    K key();

    /**
     * A background refresh ({@code refreshAfterWrite}) failed.
     *
     * @param key the key whose refresh failed
     * @param failure why it failed
     * @param servingStale {@code true} if the old value is kept and served (stale-if-error is on
     *     and the entry is younger than its hard expiry); {@code false} if the entry was removed
     *     so the next call loads again
     * @param <K> the key type
     */
    record RefreshFailed<K>(K key, Throwable failure, boolean servingStale) implements CacheEvent<K> {}

    /**
     * A failure or {@code null} result was remembered in the negative cache.
     *
     * @param key the key that failed
     * @param failure the failure remembered, or {@code null} if the load produced {@code null}
     * @param <K> the key type
     */
    record NegativeCached<K>(K key, @Nullable Throwable failure) implements CacheEvent<K> {}

    /**
     * Every caller waiting for a load cancelled, so the load was cancelled too (only with
     * {@link AsyncCacheBuilder#cancelAbandonedLoads()}).
     *
     * @param key the key whose load was abandoned
     * @param <K> the key type
     */
    record LoadAbandoned<K>(K key) implements CacheEvent<K> {}
}
