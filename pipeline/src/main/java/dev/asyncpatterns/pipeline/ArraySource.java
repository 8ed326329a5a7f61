package dev.asyncpatterns.pipeline;

/**
 * Source over a defensive copy of an array: {@link Pipeline#of(Object...)}.
 *
 * <p>Backpressure: one element per downstream request. Buffering: the array itself. Errors:
 * none (nulls are rejected when the pipeline is described). Cancellation: nothing is produced
 * after the run stops.
 */
final class ArraySource<T> extends Stage<T> {

    private final Object[] elements;
    private int index;

    ArraySource(Ctx ctx, Object[] elements) {
        super(ctx, "of(" + elements.length + " elements)");
        this.elements = elements;
    }

    @Override
    Object poll() {
        int i = index;
        if (i < elements.length) {
            index = i + 1;
            out++;
            return elements[i];
        }
        return END;
    }

    @Override
    void release() {
        index = elements.length;
    }

    @Override
    void closeUpstream() {}
}
