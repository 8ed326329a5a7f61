package dev.asyncpatterns.pipeline;

/**
 * A running stage that downstream pulls from.
 *
 * <p>{@link #poll()} returns the next element, {@link #EMPTY} when none is ready yet (the stage
 * then guarantees a later {@code region.signal()} when that may have changed), or {@link #END}
 * when the stage has no more elements, forever after. A failure is thrown; checked failures of
 * async calls travel wrapped in {@link java.util.concurrent.CompletionException}.
 *
 * @param <T> the element type
 */
abstract class Stage<T> extends Node {

    Stage(Ctx ctx, String name) {
        super(ctx, name);
    }

    /**
     * Pulls the next element.
     *
     * @return an element of type {@code T}, {@link #EMPTY} or {@link #END}
     */
    abstract Object poll();
}
