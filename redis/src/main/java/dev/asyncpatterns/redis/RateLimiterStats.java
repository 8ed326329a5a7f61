package dev.asyncpatterns.redis;

/**
 * An immutable snapshot of one process's view of a {@link RedisRateLimiter}. Counts only grow.
 *
 * @param grantedCount acquires (and successful tries) granted to this process
 * @param scriptCalls script calls sent to Redis, give-backs included
 * @param waitCount answers "not yet, due in w": each armed the one timer
 * @param refundCount grants given back because their waiter had left
 * @param errorCount script calls that failed, timeouts included
 * @param timeoutCount script calls that did not answer within the timeout
 * @param rejectedCount script calls not sent because the circuit was open
 * @param queueLength waiters queued in this process now
 * @param circuitState the circuit breaker's state now
 */
public record RateLimiterStats(
        long grantedCount,
        long scriptCalls,
        long waitCount,
        long refundCount,
        long errorCount,
        long timeoutCount,
        long rejectedCount,
        int queueLength,
        CircuitState circuitState) {

    /**
     * Validates the snapshot.
     *
     * @throws NullPointerException if {@code circuitState} is null
     */
    public RateLimiterStats {
        java.util.Objects.requireNonNull(circuitState, "circuitState");
    }
}
