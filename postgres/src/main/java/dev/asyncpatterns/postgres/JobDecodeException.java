package dev.asyncpatterns.postgres;

import java.io.Serial;

/**
 * A job's stored bytes could not be decoded by the store's {@link JobCodec}. The store
 * dead-letters such a job with this failure in its history (the cause is the codec's exception)
 * and goes on with the others.
 *
 * @since 0.1.0
 */
public final class JobDecodeException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which job, and the codec
     * @param cause the codec's exception
     */
    public JobDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
