package dev.asyncpatterns.resilience;

import java.io.Serial;

/**
 * A {@link JobStore} could not carry out an operation (for a database: unreachable, connection
 * lost, statement failed). The message names the operation; the cause is the store's own error.
 * For {@link JobStore#add} it means the job was not acknowledged.
 *
 * @since 0.1.0
 */
public class JobStoreException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed
     * @param cause the store's error
     */
    public JobStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
