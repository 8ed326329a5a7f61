package dev.asyncpatterns.pipeline;

import java.util.Optional;
import java.util.function.BinaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * {@link Pipeline#reduce(BinaryOperator)}: like fold, seeded with the first element; empty if
 * there was none.
 *
 * <p>Backpressure: pulls as fast as upstream provides. Buffering: the accumulator. Errors: a
 * throwing or {@code null}-returning operator fails the run. Cancellation: the stop flag is read
 * before every element.
 */
final class ReduceSink<T> extends LoopSink<T, Optional<T>> {

    private final BinaryOperator<T> op;
    private @Nullable T acc;

    ReduceSink(Ctx ctx, Stage<T> up, BinaryOperator<T> op) {
        super(ctx, "reduce", up);
        this.op = op;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean push(Object element) {
        T next = acc == null ? (T) element : op.apply(acc, (T) element);
        if (next == null) {
            throw new NullPointerException("reduce operator returned null");
        }
        acc = next;
        return more();
    }

    @Override
    Optional<T> result() {
        return Optional.ofNullable(acc);
    }

    @Override
    void release() {
        acc = null;
    }
}
