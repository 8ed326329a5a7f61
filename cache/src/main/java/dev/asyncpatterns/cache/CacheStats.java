package dev.asyncpatterns.cache;

import java.time.Duration;

/**
 * An immutable snapshot of a cache's counters, cheap to take (contract rule 9). Counts only grow;
 * subtract two snapshots to get the activity in between.
 *
 * <p>Caffeine counts a request that joins a load already in flight as a <em>hit</em>: single-flight
 * means only the caller that started the load is a miss.
 *
 * @param hitCount requests answered by an entry present in the cache (completed or in flight)
 * @param missCount requests that started a load
 * @param loadSuccessCount loads and refreshes that produced a non-null value
 * @param loadFailureCount loads and refreshes that failed, were cancelled or produced {@code null}
 * @param totalLoadTime time spent loading; Caffeine measures it with the system clock
 *     ({@code System.nanoTime}), not the cache's {@code TimeSource}
 * @param evictionCount entries evicted by the size/weight bound or by expiry
 * @param evictionWeight total weight of evicted entries (the count when not weight-bounded)
 * @param refreshFailureCount background refreshes that failed (each also reported as a
 *     {@link CacheEvent.RefreshFailed} event)
 * @param negativeHitCount loads answered from the negative cache instead of calling the function
 * @param abandonedLoadCount loads cancelled because every caller waiting for them cancelled
 */
public record CacheStats(
        long hitCount,
        long missCount,
        long loadSuccessCount,
        long loadFailureCount,
        Duration totalLoadTime,
        long evictionCount,
        long evictionWeight,
        long refreshFailureCount,
        long negativeHitCount,
        long abandonedLoadCount) {

    /**
     * Validates the snapshot.
     *
     * @throws NullPointerException if {@code totalLoadTime} is null
     */
    public CacheStats {
        java.util.Objects.requireNonNull(totalLoadTime, "totalLoadTime");
    }

    /**
     * Hits plus misses.
     *
     * @return the number of requests
     */
    public long requestCount() {
        return hitCount + missCount;
    }

    /**
     * The fraction of requests that were hits; {@code 1.0} when there were no requests (as in
     * Caffeine).
     *
     * @return the hit ratio, between 0 and 1
     */
    public double hitRatio() {
        long requests = requestCount();
        return requests == 0 ? 1.0 : (double) hitCount / requests;
    }

    /**
     * The average time a load took.
     *
     * @return total load time divided by the number of loads, or zero if none completed
     */
    public Duration averageLoadPenalty() {
        long loads = loadSuccessCount + loadFailureCount;
        return loads == 0 ? Duration.ZERO : totalLoadTime.dividedBy(loads);
    }
}
