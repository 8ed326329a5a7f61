package dev.asyncpatterns.pipeline;

import org.jspecify.annotations.Nullable;

/**
 * Source of {@code [start, end)} as boxed longs: {@link Pipeline#range(long, long)}.
 *
 * <p>Backpressure: one number per downstream request. Buffering: none. Errors: none.
 * Cancellation: no number is produced after the run stops.
 */
final class RangeSource extends Stage<Long> {

    private long next;
    private final long end;

    RangeSource(Ctx ctx, long start, long end) {
        super(ctx, "range(" + start + ", " + end + ")");
        this.next = start;
        this.end = end;
    }

    @Override
    Object poll() {
        long n = next;
        if (n < end) {
            next = n + 1;
            out++;
            return n;
        }
        return END;
    }

    @Override
    @Nullable
    Object pushTo(Downstream down) {
        final long end = this.end;
        long n = next;
        long start = n;
        try {
            while (n < end) {
                Long element = n++; // consumed even if push throws
                if (!down.push(element)) {
                    return null;
                }
            }
            return END;
        } finally {
            next = n;
            out += n - start;
        }
    }

    @Override
    void release() {
        next = end;
    }

    @Override
    void closeUpstream() {}
}
