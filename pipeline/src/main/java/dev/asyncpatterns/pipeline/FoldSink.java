package dev.asyncpatterns.pipeline;

import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * {@link Pipeline#fold(Object, BiFunction)}: the hot path of a CPU pipeline. Upstream pushes
 * each element into {@link #push} as an argument, so a boxed value that {@code fn} only unboxes
 * never reaches the heap; the accumulator is a field, as in any push-based fold.
 *
 * <p>Backpressure: takes elements as fast as upstream provides. Buffering: the accumulator.
 * Errors: a throwing or {@code null}-returning function fails the run. Cancellation: the run's
 * stop flag is read before the first element and after each one.
 */
final class FoldSink<T, R> extends LoopSink<T, R> {

    private final BiFunction<R, ? super T, R> fn;
    private @Nullable R acc;

    FoldSink(Ctx ctx, Stage<T> up, R seed, BiFunction<R, ? super T, R> fn) {
        super(ctx, "fold", up);
        this.acc = seed;
        this.fn = fn;
    }

    @Override
    @SuppressWarnings({"unchecked", "NullAway"}) // acc is null only after release, when nothing is pushed
    public boolean push(Object element) {
        R next = fn.apply(acc, (T) element);
        if (next == null) {
            throw new NullPointerException("fold function returned null");
        }
        acc = next;
        return more();
    }

    @Override
    @Nullable
    R result() {
        return acc;
    }

    @Override
    void release() {
        acc = null;
    }
}
