package dev.asyncpatterns.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link Pipeline#distinct(int)}: drops elements equal to one seen recently.
 *
 * <p>Bounded: remembers at most {@code maxRemembered} distinct elements, least recently seen
 * evicted first (an access-ordered {@link LinkedHashMap}); an element equal to one that was
 * evicted passes again. Backpressure: keeps pulling past duplicates. Buffering: the memory of
 * seen elements (keys only, no elements held for emission). Errors: a throwing
 * {@code equals}/{@code hashCode} fails the run. Cancellation: the memory is dropped.
 */
final class DistinctStage<T> extends ElementStage<T, T> {

    private final int maxRemembered;
    private Map<Object, Boolean> seen;

    DistinctStage(Ctx ctx, Stage<T> up, int maxRemembered) {
        super(ctx, "distinct(" + maxRemembered + ")", up);
        this.maxRemembered = maxRemembered;
        this.seen = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Boolean> eldest) {
                return size() > DistinctStage.this.maxRemembered;
            }
        };
    }

    @Override
    public boolean push(Object element) {
        in++;
        if (seen.put(element, Boolean.TRUE) != null) {
            return true;
        }
        out++;
        return down.push(element);
    }

    @Override
    int depth() {
        Map<Object, Boolean> current = seen;
        return current == null ? 0 : current.size();
    }

    @Override
    void release() {
        seen = Map.of();
    }
}
