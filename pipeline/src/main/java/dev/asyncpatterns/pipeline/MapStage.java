package dev.asyncpatterns.pipeline;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * {@link Pipeline#map(Function)}: one output per input, fused into the caller's drain loop.
 *
 * <p>Backpressure: pulls one element per downstream request. Buffering: none. Errors: per the
 * stage's {@link OnError} (fail fast by default); a {@code null} result is a failure.
 * (A retry policy turns the stage into a one-at-a-time {@code mapAsync}.) Cancellation: nothing
 * is held.
 */
final class MapStage<T, R> extends ElementStage<T, R> {

    private final Function<? super T, ? extends R> fn;
    private final @Nullable OnError<? super T, R> onError;

    MapStage(Ctx ctx, Stage<T> up, Function<? super T, ? extends R> fn, OnError<? super T, R> onError) {
        super(ctx, "map", up);
        this.fn = fn;
        this.onError = onError.failsFast() ? null : onError;
    }

    @Override
    @SuppressWarnings("unchecked")
    Object apply(T element) {
        if (onError == null) {
            return result(element);
        }
        try {
            return result(element);
        } catch (RuntimeException failure) { // an Error (OutOfMemoryError...) is never skipped
            failures++;
            return ((OnError<T, R>) onError).resolve(element, failure); // a value or SKIPPED (= DROP)
        }
    }

    private Object result(T element) {
        R r = fn.apply(element);
        if (r == null) {
            throw new NullPointerException("map function returned null for " + element);
        }
        return r;
    }
}
