package dev.asyncpatterns.pipeline;

import java.util.Iterator;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * {@link Pipeline#flatMap(Function)}: each element to an {@link Iterable}, emitted in order.
 *
 * <p>Backpressure: the inner iterator is advanced one element per downstream request; the next
 * upstream element is pulled only when it is exhausted. Buffering: one inner iterator.
 * Errors: a throwing function or iterator, a {@code null} iterable or element, fails the run.
 * Cancellation: the inner iterator is dropped (closed if {@link AutoCloseable}).
 */
final class FlatMapStage<T, R> extends OperatorStage<T, R> {

    private final Function<? super T, ? extends Iterable<? extends R>> fn;
    private @Nullable Iterator<? extends R> current;

    FlatMapStage(Ctx ctx, Stage<T> up, Function<? super T, ? extends Iterable<? extends R>> fn) {
        super(ctx, "flatMap", up);
        this.fn = fn;
    }

    @Override
    @SuppressWarnings("unchecked")
    Object poll() {
        for (; ; ) {
            Iterator<? extends R> it = current;
            if (it != null) {
                if (it.hasNext()) {
                    R r = it.next();
                    if (r == null) {
                        throw new NullPointerException("flatMap: the iterable produced a null element");
                    }
                    out++;
                    return r;
                }
                current = null;
            }
            Object x = up.poll();
            if (x == EMPTY || x == END) {
                return x;
            }
            in++;
            Iterable<? extends R> iterable = fn.apply((T) x);
            if (iterable == null) {
                throw new NullPointerException("flatMap function returned null for " + x);
            }
            current = iterable.iterator();
        }
    }

    @Override
    void release() {
        Iterator<? extends R> it = current;
        current = null;
        if (it instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception failure) {
                throw propagate(failure);
            }
        }
    }
}
