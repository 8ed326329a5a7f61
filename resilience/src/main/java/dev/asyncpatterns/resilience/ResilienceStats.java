package dev.asyncpatterns.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of an {@link AsyncResilience} decorator's counters since it was built. Counters are
 * read one by one without a global lock, so a snapshot taken while calls run may be off by the
 * calls in flight; at quiescence it is exact.
 *
 * @param calls calls made through the decorator
 * @param succeeded calls that ended with a value (including by fallback)
 * @param failed calls that ended with an exception
 * @param cancelled calls cancelled by their caller
 * @param attempts attempts started, hedges included
 * @param retries retries scheduled
 * @param hedges hedged backup attempts started
 * @param hedgeWins calls won by a hedged backup rather than the primary attempt
 * @param fallbacks calls whose failure a fallback replaced
 * @param attemptFailures attempt failures by kind (every kind present, zero when none)
 * @param circuitTransitions circuit breaker state changes this decorator observed since it was
 *     built (see {@link ResilienceEvent.CircuitStateChanged} for what is observed)
 * @param circuitState the circuit breaker's state now, empty if none is configured
 */
public record ResilienceStats(long calls, long succeeded, long failed, long cancelled, long attempts, long retries,
        long hedges, long hedgeWins, long fallbacks, Map<FailureKind, Long> attemptFailures, long circuitTransitions,
        Optional<CircuitBreaker.State> circuitState) {

    /**
     * Copies the map so the snapshot is immutable.
     *
     * @throws NullPointerException if a map or optional is null
     */
    public ResilienceStats {
        attemptFailures = Map.copyOf(Objects.requireNonNull(attemptFailures, "attemptFailures"));
        Objects.requireNonNull(circuitState, "circuitState");
    }

    /**
     * Attempt failures of one kind.
     *
     * @param kind the kind
     * @return how many attempts failed that way
     */
    public long attemptFailures(FailureKind kind) {
        return attemptFailures.getOrDefault(Objects.requireNonNull(kind, "kind"), 0L);
    }

    /**
     * Calls not yet finished: {@code calls - succeeded - failed - cancelled}.
     *
     * @return calls in flight (approximate while calls run)
     */
    public long inFlight() {
        return calls - succeeded - failed - cancelled;
    }
}
