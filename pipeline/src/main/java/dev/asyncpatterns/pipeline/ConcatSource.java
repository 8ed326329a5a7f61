package dev.asyncpatterns.pipeline;

import java.util.List;

/**
 * Concatenation: {@link Pipeline#concat(Pipeline[])}.
 *
 * <p>Backpressure: pulls from one part at a time, in order. Buffering: none. Errors: a failing
 * part fails the run. Cancellation: each part is closed when it ends, the rest when the run
 * stops.
 */
final class ConcatSource<T> extends Stage<T> {

    private final List<Stage<? extends T>> parts;
    private int current;

    ConcatSource(Ctx ctx, List<Stage<? extends T>> parts) {
        super(ctx, "concat(" + parts.size() + ")");
        this.parts = parts;
    }

    @Override
    Object poll() {
        while (current < parts.size()) {
            Stage<? extends T> part = parts.get(current);
            Object x = part.poll();
            if (x != END) {
                if (x != EMPTY) {
                    out++;
                }
                return x;
            }
            part.close();
            current++;
        }
        return END;
    }

    @Override
    void closeUpstream() {
        for (Stage<? extends T> part : parts) {
            part.close();
        }
    }
}
