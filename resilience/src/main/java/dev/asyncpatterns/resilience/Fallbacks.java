package dev.asyncpatterns.resilience;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** The fallbacks of one decorator: by kind first, then by exception type in registration order. */
record Fallbacks<T>(Function<Throwable, ? extends CompletionStage<? extends T>> circuitOpen,
        Function<Throwable, ? extends CompletionStage<? extends T>> bulkheadFull,
        Function<Throwable, ? extends CompletionStage<? extends T>> timeout, List<ByType<T>> byType) {

    /** A type fallback; a synchronous one is wrapped to return a completed stage. */
    record ByType<T>(Class<? extends Throwable> type, Function<Throwable, ? extends CompletionStage<? extends T>> fallback) {}

    /** Wraps a synchronous fallback; an exception it throws still propagates from {@code apply}. */
    static <T> Function<Throwable, ? extends CompletionStage<? extends T>> sync(Function<Throwable, ? extends T> fallback) {
        return failure -> CompletableFuture.completedFuture(fallback.apply(failure));
    }

    Fallbacks {
        byType = List.copyOf(byType);
    }

    boolean isEmpty() {
        return circuitOpen == null && bulkheadFull == null && timeout == null && byType.isEmpty();
    }

    /** The fallback for this failure, or null. */
    Function<Throwable, ? extends CompletionStage<? extends T>> find(Throwable failure, FailureKind kind) {
        Function<Throwable, ? extends CompletionStage<? extends T>> byKind = switch (kind) {
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
