package dev.asyncpatterns.resilience;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * Why an attempt or a call failed, as counted in {@link AsyncResilience.Stats} and reported in
 * {@link ResilienceEvent}s. Fallbacks can be registered per kind for {@link #CIRCUIT_OPEN},
 * {@link #BULKHEAD_FULL} and the two timeout kinds.
 *
 * @since 0.1.0
 */
public enum FailureKind {
    /** The call itself failed (any exception not covered by another kind). */
    ERROR,
    /** The circuit breaker refused the attempt ({@link CallNotPermittedException}). */
    CIRCUIT_OPEN,
    /** The bulkhead had no free permit ({@link BulkheadFullException}). */
    BULKHEAD_FULL,
    /**
     * The rate limiter failed to grant a permit (for example because it was closed); the
     * limiter's own exception is passed on unchanged.
     */
    RATE_LIMITED,
    /** The attempt ran longer than the per-attempt timeout ({@link TimeoutException}). */
    TIMEOUT,
    /** The whole call ran past its overall deadline ({@link DeadlineExceededException}). */
    DEADLINE,
    /** The call was cancelled by its caller, or the attempt by the decorator (hedge loser). */
    CANCELLED;

    /**
     * Classifies a failure by its type. Rate-limiter failures cannot be told apart by type; the
     * decorator tags them where they happen.
     *
     * @param failure the exception, already unwrapped from {@code CompletionException}
     * @return its kind; {@link #ERROR} for anything not listed
     */
    static FailureKind of(Throwable failure) {
        if (failure instanceof CallNotPermittedException) {
            return CIRCUIT_OPEN;
        }
        if (failure instanceof BulkheadFullException) {
            return BULKHEAD_FULL;
        }
        if (failure instanceof DeadlineExceededException) {
            return DEADLINE;
        }
        if (failure instanceof TimeoutException) {
            return TIMEOUT;
        }
        if (failure instanceof CancellationException) {
            return CANCELLED;
        }
        return ERROR;
    }
}
