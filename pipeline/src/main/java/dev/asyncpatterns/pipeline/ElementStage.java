package dev.asyncpatterns.pipeline;

import org.jspecify.annotations.Nullable;

/**
 * A one-in, at-most-one-out operator that decides element by element ({@code map},
 * {@code filter}, {@code peek}, {@code scan}, {@code distinct}, {@code skip}): the loops live
 * here (pull) or in the source (push) once; each operator says only what becomes of one element
 * in {@link #push}, which counts it and hands its result, if any, to {@link #down}.
 *
 * <p>Pull mode ({@link #poll()}, when the consumer is another operator): {@code down} is a
 * one-element slot that {@code poll} empties. Push mode ({@link #pushTo}, when the consumer is a
 * sink that takes everything): {@code down} is the consumer for the duration of the call, and
 * this stage pushes itself into its upstream, so the whole synchronous chain runs inside the
 * source's loop with each element passed as an argument from operator to operator.
 *
 * <p>Backpressure: pull mode keeps pulling until an element comes out or upstream has none ready
 * (EMPTY) or no more (END), which pass through unchanged; push mode stops as soon as the
 * consumer says so.
 *
 * @param <T> the upstream element type
 * @param <R> the element type this stage produces
 */
abstract class ElementStage<T, R> extends OperatorStage<T, R> implements Stage.Downstream {

    /** Pull mode's hand-off: {@link #push} leaves at most one element here. */
    private static final class Slot implements Downstream {
        private Object value = EMPTY;

        @Override
        public boolean push(Object element) {
            value = element;
            return true;
        }
    }

    private final Slot slot = new Slot();

    /** Where {@link #push} sends what comes out: the slot, or a push-mode consumer. */
    Downstream down = slot;

    ElementStage(Ctx ctx, String name, Stage<T> up) {
        super(ctx, name, up);
    }

    /**
     * What becomes of one upstream element: count it ({@code in}), and for each result count it
     * ({@code out}) and return {@code down.push(result)}; a dropped element returns true. Each
     * operator calls {@code down.push} itself (not through a shared helper), so the JIT sees one
     * receiver type per call site. A throw fails the run.
     */
    @Override
    public abstract boolean push(Object element);

    @Override
    final Object poll() {
        final Slot slot = this.slot;
        for (; ; ) {
            Object x = up.poll();
            if (x == EMPTY || x == END) {
                return x;
            }
            push(x);
            Object r = slot.value;
            if (r != EMPTY) {
                slot.value = EMPTY;
                return r;
            }
        }
    }

    @Override
    final @Nullable Object pushTo(Downstream consumer) {
        down = consumer;
        try {
            return up.pushTo(this);
        } finally {
            down = slot;
        }
    }
}
