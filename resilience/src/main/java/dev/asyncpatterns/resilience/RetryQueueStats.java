package dev.asyncpatterns.resilience;

/**
 * A snapshot of a {@link RetryQueue}: its counters since it was built and the store's current
 * job counts. Read without a global lock: exact at quiescence, approximate while jobs run.
 *
 * @param submitted jobs acknowledged by {@code submit}
 * @param pending jobs waiting in the store (due now or after their backoff)
 * @param inFlight jobs being attempted
 * @param dead dead letters currently in the store
 * @param attempts attempts started
 * @param succeeded jobs that succeeded
 * @param retried failed attempts that were scheduled again
 * @param deadLettered jobs moved to the dead letters (replayed ones counted each time they died)
 * @param replayed dead letters replayed
 * @param purged dead letters purged
 * @param storeFailures store operations that failed (each one logged)
 */
public record RetryQueueStats(long submitted, long pending, long inFlight, long dead, long attempts, long succeeded,
        long retried, long deadLettered, long replayed, long purged, long storeFailures) {}
