package dev.asyncpatterns.pipeline;

import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * {@link Pipeline#fold(Object, BiFunction)}: the hot loop of a CPU pipeline. The accumulator
 * and the element count live in locals while the loop runs, which is why this sink repeats
 * {@link LoopSink}'s loop instead of extending it (that would write the accumulator to a field
 * through an {@code accept} call per element, in the loop {@code CpuPipelineBenchmark} measures).
 *
 * <p>Backpressure: pulls as fast as upstream provides. Buffering: the accumulator. Errors: a
 * throwing or {@code null}-returning function fails the run. Cancellation: the run's stop flag
 * is read before every element.
 */
final class FoldSink<T, R> extends Sink<T, R> {

    private final BiFunction<R, ? super T, R> fn;
    private @Nullable R acc;

    FoldSink(Ctx ctx, Stage<T> up, R seed, BiFunction<R, ? super T, R> fn) {
        super(ctx, "fold", up);
        this.acc = seed;
        this.fn = fn;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void pump() {
        final Stage<T> up = this.up;
        final Run<?> run = this.run;
        final BiFunction<R, ? super T, R> fn = this.fn;
        R acc = this.acc;
        long n = 0;
        try {
            for (; ; ) {
                if (run.stopping) {
                    return;
                }
                Object x = up.poll();
                if (x == EMPTY) {
                    return;
                }
                if (x == END) {
                    finish(acc);
                    return;
                }
                n++;
                acc = fn.apply(acc, (T) x);
                if (acc == null) {
                    throw new NullPointerException("fold function returned null");
                }
            }
        } finally {
            this.acc = acc;
            in += n;
        }
    }

    @Override
    void release() {
        acc = null;
    }
}
