package dev.asyncpatterns.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/** The counters behind {@link AsyncResilience.Stats}: LongAdders, cheap under contention. */
final class Counters {

    final LongAdder calls = new LongAdder();
    final LongAdder succeeded = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder attempts = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder hedges = new LongAdder();
    final LongAdder hedgeWins = new LongAdder();
    final LongAdder fallbacks = new LongAdder();
    final LongAdder transitions = new LongAdder();
    private final LongAdder[] attemptFailures = new LongAdder[FailureKind.values().length];

    Counters() {
        for (int i = 0; i < attemptFailures.length; i++) {
            attemptFailures[i] = new LongAdder();
        }
    }

    @SuppressWarnings(
            "EnumOrdinal") // a LongAdder per FailureKind, indexed by ordinal (values() order is fixed within a run)
    void attemptFailed(FailureKind kind) {
        attemptFailures[kind.ordinal()].increment();
    }

    @SuppressWarnings("EnumOrdinal") // same ordinal-indexed adders as attemptFailed
    AsyncResilience.Stats snapshot(String name, @Nullable CircuitBreaker circuitBreaker) {
        Map<FailureKind, Long> byKind = new EnumMap<>(FailureKind.class);
        for (FailureKind kind : FailureKind.values()) {
            byKind.put(kind, attemptFailures[kind.ordinal()].sum());
        }
        return new AsyncResilience.Stats(
                name,
                calls.sum(),
                succeeded.sum(),
                failed.sum(),
                cancelled.sum(),
                attempts.sum(),
                retries.sum(),
                hedges.sum(),
                hedgeWins.sum(),
                fallbacks.sum(),
                byKind,
                transitions.sum(),
                circuitBreaker == null ? Optional.empty() : Optional.of(circuitBreaker.getState()));
    }
}
