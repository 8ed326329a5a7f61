package dev.asyncpatterns.postgres;

import java.io.Serial;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A failed attempt's exception as read back from the database: its class name and message (the
 * stack trace and cause are not kept). Found in the {@link dev.asyncpatterns.resilience.JobAttempt}s
 * of records a {@link PostgresJobStore} returns, except for lease expiries, which come back as
 * {@link dev.asyncpatterns.resilience.LeaseExpiredException}.
 *
 * @since 0.1.0
 */
public final class RecordedFailure extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String className;

    /**
     * Creates the failure.
     *
     * @param className the original exception's class name
     * @param message the original message, may be null
     * @throws NullPointerException if {@code className} is null
     */
    public RecordedFailure(String className, @Nullable String message) {
        super(message, null, false, false);
        this.className = Objects.requireNonNull(className, "className");
    }

    /**
     * The original exception's class name.
     *
     * @return the fully qualified name
     */
    public String className() {
        return className;
    }

    @Override
    @SuppressWarnings("OverrideThrowableToString") // prints the recorded class name, as the original exception did
    public String toString() {
        String message = getMessage();
        return message == null ? className : className + ": " + message;
    }
}
