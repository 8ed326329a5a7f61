package dev.asyncpatterns.resilience;

import java.io.Serial;

/**
 * An attempt whose lease expired before its owner recorded an outcome: the owner crashed, hung,
 * lost its connection to the store or ran longer than its lease without a heartbeat. A
 * {@link JobStore} appends an attempt failed with this exception to the job's history when it
 * hands the job out again; a {@link RetryQueue} also fails a tracked job's outcome with it when
 * its own late result was fenced.
 *
 * @since 0.1.0
 */
public final class LeaseExpiredException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which lease expired, naming the owner
     */
    public LeaseExpiredException(String message) {
        super(message);
    }
}
