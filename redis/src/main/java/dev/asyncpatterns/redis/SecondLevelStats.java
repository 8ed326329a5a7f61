package dev.asyncpatterns.redis;

/**
 * An immutable snapshot of a {@link RedisSecondLevel}'s counters, cheap to take. Counts only
 * grow; subtract two snapshots to get the activity in between.
 *
 * @param hitCount reads answered with a value
 * @param missCount reads that found no value (absent or expired)
 * @param corruptCount reads that found a value that could not be decoded, or decoded to the wrong
 *     type; answered as misses and logged at debug level
 * @param errorCount calls that failed in Redis or in transit, timeouts included
 * @param timeoutCount calls that did not answer within the configured timeout
 * @param rejectedCount calls refused without a round trip because the circuit was open
 * @param putCount values written
 * @param invalidationsPublished invalidations this instance removed and published
 * @param invalidationsReceived invalidations received from other instances
 * @param resyncCount times the subscription was re-established and the first level cleared,
 *     because invalidations may have been missed while it was down
 * @param circuitState the circuit breaker's state now
 */
public record SecondLevelStats(
        long hitCount,
        long missCount,
        long corruptCount,
        long errorCount,
        long timeoutCount,
        long rejectedCount,
        long putCount,
        long invalidationsPublished,
        long invalidationsReceived,
        long resyncCount,
        CircuitState circuitState) {

    /**
     * Validates the snapshot.
     *
     * @throws NullPointerException if {@code circuitState} is null
     */
    public SecondLevelStats {
        java.util.Objects.requireNonNull(circuitState, "circuitState");
    }
}
