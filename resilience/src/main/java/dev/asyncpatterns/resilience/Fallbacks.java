package dev.asyncpatterns.resilience;

import java.util.List;
import java.util.function.Function;

/** The fallbacks of one decorator: by kind first, then by exception type in registration order. */
record Fallbacks<T>(Function<Throwable, ? extends T> circuitOpen, Function<Throwable, ? extends T> bulkheadFull,
        Function<Throwable, ? extends T> timeout, List<ByType<T>> byType) {

    record ByType<T>(Class<? extends Throwable> type, Function<Throwable, ? extends T> fallback) {}

    Fallbacks {
        byType = List.copyOf(byType);
    }

    boolean isEmpty() {
        return circuitOpen == null && bulkheadFull == null && timeout == null && byType.isEmpty();
    }

    /** The fallback for this failure, or null. */
    Function<Throwable, ? extends T> find(Throwable failure, FailureKind kind) {
        Function<Throwable, ? extends T> byKind = switch (kind) {
            case CIRCUIT_OPEN -> circuitOpen;
            case BULKHEAD_FULL -> bulkheadFull;
            case TIMEOUT, DEADLINE -> timeout;
            default -> null;
        };
        if (byKind != null) {
            return byKind;
        }
        for (ByType<T> candidate : byType) {
            if (candidate.type().isInstance(failure)) {
                return candidate.fallback();
            }
        }
        return null;
    }
}
