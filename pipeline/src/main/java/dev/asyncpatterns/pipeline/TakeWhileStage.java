package dev.asyncpatterns.pipeline;

import java.util.function.Predicate;

/**
 * {@link Pipeline#takeWhile(Predicate)}: elements up to (excluding) the first that fails the
 * predicate.
 *
 * <p>Backpressure: one for one. Buffering: none. Errors: a throwing predicate fails the run.
 * Cancellation: upstream is closed as soon as the predicate first fails.
 */
final class TakeWhileStage<T> extends OperatorStage<T, T> {

    private final Predicate<? super T> predicate;
    private boolean done;

    TakeWhileStage(Ctx ctx, Stage<T> up, Predicate<? super T> predicate) {
        super(ctx, "takeWhile", up);
        this.predicate = predicate;
    }

    @Override
    @SuppressWarnings("unchecked")
    Object poll() {
        if (done) {
            return END;
        }
        Object x = up.poll();
        if (x == EMPTY || x == END) {
            return x;
        }
        in++;
        if (!predicate.test((T) x)) {
            done = true;
            up.close();
            return END;
        }
        out++;
        return x;
    }
}
