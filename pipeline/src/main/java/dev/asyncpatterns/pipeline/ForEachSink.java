package dev.asyncpatterns.pipeline;

import java.util.function.Consumer;

/**
 * {@link Pipeline#forEach(Consumer)}: a synchronous action per element.
 *
 * <p>Backpressure: the next element is pulled when the action returns. Buffering: none.
 * Errors: a throwing action fails the run. Cancellation: the stop flag is read before every
 * element.
 */
final class ForEachSink<T> extends LoopSink<T, Void> {

    private final Consumer<? super T> action;

    ForEachSink(Ctx ctx, Stage<T> up, Consumer<? super T> action) {
        super(ctx, "forEach", up);
        this.action = action;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean push(Object element) {
        action.accept((T) element);
        return more();
    }

    @Override
    Void result() {
        return null;
    }
}
