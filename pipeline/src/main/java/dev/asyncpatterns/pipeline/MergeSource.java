package dev.asyncpatterns.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * Merge in arrival order: {@link Pipeline#merge(Pipeline[])}.
 *
 * <p>Backpressure: polls the parts round-robin, one element per downstream request, so a fast
 * part cannot starve a slow one and no part runs ahead. Parts with async stages or boundaries
 * progress concurrently; purely synchronous parts interleave on the drain thread. Buffering:
 * none. Errors: the first failing part fails the run. Cancellation: each part is closed when it
 * ends, the rest when the run stops.
 */
final class MergeSource<T> extends Stage<T> {

    private final List<Stage<? extends T>> active;
    private final List<Stage<? extends T>> all;
    private int next;

    MergeSource(Ctx ctx, List<Stage<? extends T>> parts) {
        super(ctx, "merge(" + parts.size() + ")");
        this.active = new ArrayList<>(parts);
        this.all = parts;
    }

    @Override
    Object poll() {
        int checked = 0;
        while (checked < active.size()) {
            if (next >= active.size()) {
                next = 0;
            }
            Stage<? extends T> part = active.get(next);
            Object x = part.poll();
            if (x == END) {
                part.close();
                active.remove(next);
                continue;
            }
            next++;
            if (x != EMPTY) {
                out++;
                return x;
            }
            checked++;
        }
        return active.isEmpty() ? END : EMPTY;
    }

    @Override
    void closeUpstream() {
        for (Stage<? extends T> part : all) {
            part.close();
        }
    }
}
