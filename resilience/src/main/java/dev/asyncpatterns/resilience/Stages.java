package dev.asyncpatterns.resilience;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Helpers for the stages users and stores hand us. */
final class Stages {

    private Stages() {}

    /**
     * The same stage, typed by its values' supertype: safe since we only read from it (never
     * complete it).
     */
    @SuppressWarnings("unchecked")
    static <V> CompletionStage<V> widen(CompletionStage<? extends V> stage) {
        return (CompletionStage<V>) stage;
    }

    /**
     * The stage as a CompletableFuture: itself when it is one (so cancelling it reaches the
     * source), else a copy for stages that refuse {@code toCompletableFuture()}.
     */
    static <V> CompletableFuture<V> toFuture(CompletionStage<V> stage) {
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException notConvertible) {
            CompletableFuture<V> copy = new CompletableFuture<>();
            stage.whenComplete((value, failure) -> {
                if (failure != null) {
                    copy.completeExceptionally(failure);
                } else {
                    copy.complete(value);
                }
            });
            return copy;
        }
    }
}
