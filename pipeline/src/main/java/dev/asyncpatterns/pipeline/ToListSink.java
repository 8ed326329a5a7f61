package dev.asyncpatterns.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@link Pipeline#toList(int)}: collects into an unmodifiable list of at most {@code limit}.
 *
 * <p>Backpressure: pulls as fast as upstream provides. Buffering: the list, at most
 * {@code limit} elements. Errors: an element beyond the limit fails the run with an
 * {@link IllegalStateException} naming the limit (upstream is cancelled, never drained).
 * Cancellation: the partial list is dropped.
 */
final class ToListSink<T> extends LoopSink<T, List<T>> {

    private final int limit;
    private ArrayList<T> list = new ArrayList<>();

    ToListSink(Ctx ctx, Stage<T> up, int limit) {
        super(ctx, "toList(" + limit + ")", up);
        this.limit = limit;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean push(Object element) {
        if (list.size() >= limit) {
            throw new IllegalStateException("toList(" + limit + "): the pipeline produced more than " + limit
                    + " elements; use take(n) to keep only the first n");
        }
        list.add((T) element);
        return more();
    }

    @Override
    List<T> result() {
        return Collections.unmodifiableList(list);
    }

    @Override
    int depth() {
        return (int) in;
    }

    @Override
    void release() {
        list = new ArrayList<>(0); // a result already handed over keeps its own reference
    }
}
