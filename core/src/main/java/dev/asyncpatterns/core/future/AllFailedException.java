package dev.asyncpatterns.core.future;

import java.io.Serial;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Every alternative failed: thrown (or used to fail a future) by {@code Futures.any} and by a
 * {@code TaskScope.Policy.FIRST_SUCCESS} scope when no input succeeded. The cause is the first
 * failure to happen; every failure, in input order, is in {@link #failures()} and also attached
 * as suppressed, so a stack trace shows them all.
 *
 * @since 0.1.0
 */
public final class AllFailedException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Not serialized: a deserialized exception still has its cause and suppressed list. */
    private final transient List<Throwable> failures;

    /**
     * Creates the exception.
     *
     * @param message what failed
     * @param first the first failure to happen, or null if there were no inputs
     * @param failures every failure in input order (cancellations included), copied
     * @throws NullPointerException if {@code failures} or an element is null
     */
    public AllFailedException(String message, @Nullable Throwable first, List<? extends Throwable> failures) {
        super(message, first);
        this.failures = List.copyOf(Objects.requireNonNull(failures, "failures"));
        for (Throwable failure : this.failures) {
            if (failure != first && failure != this) {
                addSuppressed(failure);
            }
        }
    }

    /**
     * Every failure, in input order.
     *
     * @return an immutable list of the failures
     */
    public List<Throwable> failures() {
        return failures == null ? List.of() : failures;
    }
}
