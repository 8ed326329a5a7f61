package dev.asyncpatterns.pipeline;

/**
 * A one-in, at-most-one-out operator that decides element by element ({@code map},
 * {@code filter}, {@code peek}, {@code scan}, {@code distinct}, {@code skip}): the pull loop and
 * its counting live here once, each operator says only what becomes of one element.
 *
 * <p>Backpressure: keeps pulling until an element comes out or upstream has none ready (EMPTY)
 * or no more (END), which pass through unchanged.
 *
 * @param <T> the upstream element type
 * @param <R> the element type this stage produces
 */
abstract class ElementStage<T, R> extends OperatorStage<T, R> {

    /** What {@link #apply} returns to drop the element (the same marker as a skipped failure). */
    static final Object DROP = OnError.SKIPPED;

    ElementStage(Ctx ctx, String name, Stage<T> up) {
        super(ctx, name, up);
    }

    /**
     * What becomes of one element: the element to emit, or {@link #DROP}. A throw fails the run.
     *
     * @param element the upstream element
     * @return the element to emit (never null), or {@link #DROP}
     */
    abstract Object apply(T element);

    @Override
    @SuppressWarnings("unchecked")
    final Object poll() {
        for (; ; ) {
            Object x = up.poll();
            if (x == EMPTY || x == END) {
                return x;
            }
            in++;
            Object r = apply((T) x);
            if (r != DROP) {
                out++;
                return r;
            }
        }
    }
}
