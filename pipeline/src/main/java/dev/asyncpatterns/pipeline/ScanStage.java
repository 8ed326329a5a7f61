package dev.asyncpatterns.pipeline;

import java.util.function.BiFunction;

/**
 * {@link Pipeline#scan(Object, BiFunction)}: emits the running accumulation after each element.
 *
 * <p>Backpressure: one for one. Buffering: the accumulator. Errors: a throwing function or a
 * {@code null} accumulation fails the run. Cancellation: nothing else is held.
 */
final class ScanStage<T, A> extends ElementStage<T, A> {

    private final BiFunction<? super A, ? super T, ? extends A> fn;
    private A acc;

    ScanStage(Ctx ctx, Stage<T> up, A seed, BiFunction<? super A, ? super T, ? extends A> fn) {
        super(ctx, "scan", up);
        this.acc = seed;
        this.fn = fn;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean push(Object element) {
        in++;
        A next = fn.apply(acc, (T) element);
        if (next == null) {
            throw new NullPointerException("scan function returned null for " + element);
        }
        acc = next;
        out++;
        return down.push(next);
    }
}
