package dev.asyncpatterns.resilience;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/*
 * Maintainer's note.
 *
 * The "p95 so far" estimate for hedging. A ring of the last N successful latencies (plain
 * AtomicLongArray slots, written lock-free; a racing writer may overwrite a slot another writer
 * just filled, which only loses a sample). The percentile is recomputed (copy + sort of N longs)
 * every RECOMPUTE samples and published in a volatile, so readers on the hot path pay one
 * volatile read. Readers may see a slightly stale estimate; that is fine for a hedge trigger.
 */
/** Recent latencies and their percentile, for percentile-based hedging. */
final class LatencyWindow {

    private static final int RECOMPUTE = 32;

    private final AtomicLongArray slots;
    private final AtomicLong count = new AtomicLong();
    private final double percentile;
    private final int minSamples;
    private final long initialNanos;
    private volatile long estimateNanos;

    LatencyWindow(Hedging hedging) {
        this.slots = new AtomicLongArray(Hedging.LATENCY_WINDOW);
        this.percentile = hedging.percentile();
        this.minSamples = Math.min(hedging.minSamples(), Hedging.LATENCY_WINDOW);
        this.initialNanos = hedging.delay().toNanos();
        this.estimateNanos = initialNanos;
    }

    void record(long nanos) {
        long n = count.getAndIncrement();
        slots.set((int) (n % slots.length()), nanos);
        long seen = n + 1;
        if (seen >= minSamples && (seen == minSamples || seen % RECOMPUTE == 0)) {
            recompute((int) Math.min(seen, slots.length()));
        }
    }

    /** The current hedge delay in nanoseconds: the percentile, or the initial delay until known. */
    long delayNanos() {
        return estimateNanos;
    }

    private void recompute(int filled) {
        long[] copy = new long[filled];
        for (int i = 0; i < filled; i++) {
            copy[i] = slots.get(i);
        }
        Arrays.sort(copy);
        int index = (int) Math.ceil(percentile * filled) - 1;
        estimateNanos = Math.max(1, copy[Math.max(0, Math.min(filled - 1, index))]);
    }

    @Override
    public String toString() {
        return "LatencyWindow[p" + percentile + "=" + estimateNanos + "ns, samples=" + count.get() + ", initial="
                + initialNanos + "ns]";
    }
}
