package dev.asyncpatterns.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * A CompletionStage may be a CompletableFuture (cancelling it reaches its source), a stage whose
 * toCompletableFuture() returns a linked future, or a stage that refuses toCompletableFuture()
 * with UnsupportedOperationException (minimal stages of other libraries). Every place that takes
 * a stage from users goes through here, so all of them treat the three kinds the same way.
 */
/** Turns the stages users hand us into futures, one way everywhere. Not part of the API. */
public final class Stages {

    private Stages() {}

    /**
     * The stage as a future: {@code toCompletableFuture()} (the stage itself when it is a
     * {@code CompletableFuture}, so cancelling it reaches the source), or, for a stage that refuses
     * that, a copy that completes with it (cancelling the copy cannot reach the source).
     *
     * @param <T> the result type
     * @param stage the stage
     * @return a future completing with the stage
     */
    @SuppressWarnings("unchecked") // a CompletableFuture<? extends T> read as CompletableFuture<T> is only read
    public static <T> CompletableFuture<T> toFuture(CompletionStage<? extends T> stage) {
        CompletableFuture<? extends T> linked = cancellable(stage);
        if (linked != null) {
            return (CompletableFuture<T>) linked;
        }
        CompletableFuture<T> copy = new CompletableFuture<>();
        stage.whenComplete((value, failure) -> {
            if (failure != null) {
                copy.completeExceptionally(failure);
            } else {
                copy.complete(value);
            }
        });
        return copy;
    }

    /**
     * The same stage, typed by its values' supertype: safe as long as the caller only reads from
     * it (never completes it).
     *
     * @param <T> the supertype
     * @param stage the stage
     * @return {@code stage}
     */
    @SuppressWarnings("unchecked") // a CompletionStage<? extends T> read as CompletionStage<T> is only read
    public static <T> CompletionStage<T> widen(CompletionStage<? extends T> stage) {
        return (CompletionStage<T>) stage;
    }

    /**
     * The future behind the stage, through which it can be cancelled, or {@code null} if the stage
     * refuses {@code toCompletableFuture()}.
     *
     * @param <T> the result type
     * @param stage the stage
     * @return the linked future, or {@code null}
     */
    public static <T> @Nullable CompletableFuture<T> cancellable(CompletionStage<T> stage) {
        if (stage.getClass() == CompletableFuture.class) {
            // exactly a CompletableFuture: toCompletableFuture() is the stage itself (subclasses,
            // such as the JDK's minimal stage, may return a copy or refuse, so they go the long way)
            return (CompletableFuture<T>) stage;
        }
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException notCancellable) {
            return null;
        }
    }
}
