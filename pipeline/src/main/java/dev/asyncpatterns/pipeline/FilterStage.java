package dev.asyncpatterns.pipeline;

import java.util.function.Predicate;

/**
 * {@link Pipeline#filter(Predicate)}, fused into the drain loop.
 *
 * <p>Backpressure: keeps pulling until an element passes or upstream has none ready.
 * Buffering: none. Errors: a throwing predicate fails the run. Cancellation: nothing is held.
 */
final class FilterStage<T> extends ElementStage<T, T> {

    private final Predicate<? super T> predicate;

    FilterStage(Ctx ctx, Stage<T> up, Predicate<? super T> predicate) {
        super(ctx, "filter", up);
        this.predicate = predicate;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean push(Object element) {
        in++;
        if (!predicate.test((T) element)) {
            return true;
        }
        out++;
        return down.push(element);
    }
}
