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
    public boolean push(Object element) {
        in++;
        OnError<? super T, R> handler = onError;
        if (handler != null) {
            return pushHandlingFailure(handler, (T) element);
        }
        R r = result((T) element);
        out++;
        return down.push(r); // the fast path has no merge of values, so a box can stay off the heap
    }

    @SuppressWarnings("unchecked")
    private boolean pushHandlingFailure(OnError<? super T, R> handler, T element) {
        Object r;
        try {
            r = result(element);
        } catch (RuntimeException failure) { // an Error (OutOfMemoryError...) is never skipped
            failures++;
            r = ((OnError<T, R>) handler).resolve(element, failure); // a value or SKIPPED
            if (r == OnError.SKIPPED) {
                return true;
            }
        }
        out++;
        return down.push(r); // outside the try: a downstream failure is not this function's
    }

    private R result(T element) {
        R r = fn.apply(element);
        if (r == null) {
            throw new NullPointerException("map function returned null for " + element);
        }
        return r;
    }
}
