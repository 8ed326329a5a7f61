package dev.asyncpatterns.resilience;

import java.io.Serial;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Fails a decorated call whose overall deadline passed (see
 * {@link AsyncResilience.Builder#deadline(Duration)}). It is a {@link TimeoutException}, so a
 * fallback for timeouts covers it too; the last attempt's failure, if any, is its cause.
 *
 * @since 0.1.0
 */
public final class DeadlineExceededException extends TimeoutException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what ran out of time, naming the decorator and the deadline
     * @param lastFailure the failure of the last attempt, or {@code null} if none failed yet
     */
    public DeadlineExceededException(String message, @Nullable Throwable lastFailure) {
        super(message);
        if (lastFailure != null) {
            initCause(lastFailure);
        }
    }
}
