package dev.asyncpatterns.pipeline;

import java.util.function.Predicate;

/**
 * {@link Pipeline#filter(Predicate)}, fused into the drain loop.
 *
 * <p>Backpressure: keeps pulling until an element passes or upstream has none ready.
 * Buffering: none. Errors: a throwing predicate fails the run. Cancellation: nothing is held.
 */
final class FilterStage<T> extends OperatorStage<T, T> {

    private final Predicate<? super T> predicate;

    FilterStage(Ctx ctx, Stage<T> up, Predicate<? super T> predicate) {
        super(ctx, "filter", up);
        this.predicate = predicate;
    }

    @Override
    @SuppressWarnings("unchecked")
    Object poll() {
        for (; ; ) {
            Object x = up.poll();
            if (x == EMPTY || x == END) {
                return x;
            }
            in++;
            if (predicate.test((T) x)) {
                out++;
                return x;
            }
        }
    }
}
