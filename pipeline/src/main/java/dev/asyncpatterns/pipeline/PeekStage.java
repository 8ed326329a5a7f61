package dev.asyncpatterns.pipeline;

import java.util.function.Consumer;

/**
 * {@link Pipeline#peek(Consumer)}: runs an action on each element passing by.
 *
 * <p>Backpressure: one for one. Buffering: none. Errors: a throwing action fails the run.
 * Cancellation: nothing is held.
 */
final class PeekStage<T> extends ElementStage<T, T> {

    private final Consumer<? super T> action;

    PeekStage(Ctx ctx, Stage<T> up, Consumer<? super T> action) {
        super(ctx, "peek", up);
        this.action = action;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean push(Object element) {
        in++;
        action.accept((T) element);
        out++;
        return down.push(element);
    }
}
