package dev.asyncpatterns.resilience;

/**
 * Identifies a job in a {@link RetryQueue} and its {@link JobStore}. Assigned by the store when
 * the job is added; unique within that store.
 *
 * @param value the store's identifier
 * @since 0.1.0
 */
public record JobId(long value) {

    @Override
    public String toString() {
        return "job-" + value;
    }
}
