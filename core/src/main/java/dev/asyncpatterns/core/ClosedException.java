package dev.asyncpatterns.core;

import java.io.Serial;

/**
 * Thrown, or used to fail a returned future, when work is offered to a component that has been
 * closed or shut down (a queue, pool, scope, supervisor, limiter...). The message names the
 * component and says that it is closed. Never used for any other condition.
 *
 * @since 0.1.0
 */
public class ClosedException extends IllegalStateException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was closed and what was refused, e.g. {@code "AsyncQueue[orders] is
     *     closed: put refused"}
     */
    public ClosedException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure that closed the component.
     *
     * @param message what was closed and what was refused
     * @param cause why it was closed, when it was closed exceptionally
     */
    public ClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
