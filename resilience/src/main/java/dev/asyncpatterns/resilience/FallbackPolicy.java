package dev.asyncpatterns.resilience;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The fallbacks of one decorator, outermost: they see the call's final failure, after retries,
 * whatever its kind. The fallback for a kind (open circuit, full bulkhead, timeout or deadline)
 * comes first, then those by exception type in registration order.
 */
record FallbackPolicy<T>(
        @Nullable Function<Throwable, ? extends CompletionStage<? extends T>> circuitOpen,
        @Nullable Function<Throwable, ? extends CompletionStage<? extends T>> bulkheadFull,
        @Nullable Function<Throwable, ? extends CompletionStage<? extends T>> timeout,
        List<ByType<T>> byType) {

    /** A type fallback; a synchronous one is wrapped to return a completed stage. */
    record ByType<T>(
            Class<? extends Throwable> type, Function<Throwable, ? extends CompletionStage<? extends T>> fallback) {}

    /** Wraps a synchronous fallback; an exception it throws still propagates from {@code apply}. */
    static <T> Function<Throwable, ? extends CompletionStage<? extends T>> sync(
            Function<Throwable, ? extends T> fallback) {
        return failure -> CompletableFuture.completedFuture(fallback.apply(failure));
    }

    FallbackPolicy {
        byType = List.copyOf(byType);
    }

    @Override
    public String toString() {
        return "fallbacks="
                + ((circuitOpen == null ? 0 : 1)
                        + (bulkheadFull == null ? 0 : 1)
                        + (timeout == null ? 0 : 1)
                        + byType.size());
    }

    boolean isEmpty() {
        return circuitOpen == null && bulkheadFull == null && timeout == null && byType.isEmpty();
    }

    /**
     * Starts the fallback for the call's final failure.
     *
     * <p>Whatever a synchronous fallback throws (or the NPE of an async one that returned null)
     * propagates from here.
     *
     * @return the replacement's future, or null if no fallback applies
     */
    @Nullable
    CompletableFuture<? extends T> replace(Throwable failure, FailureKind kind) {
        @Nullable Function<Throwable, ? extends CompletionStage<? extends T>> fallback = find(failure, kind);
        return fallback == null ? null : fallback.apply(failure).toCompletableFuture();
    }

    private @Nullable Function<Throwable, ? extends CompletionStage<? extends T>> find(
            Throwable failure, FailureKind kind) {
        @Nullable
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
