package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Hedging, between retry and the per-attempt policies: an attempt still running after the hedge
 * delay gets a backup (see {@link HedgedRound}, which this policy starts). For percentile
 * hedging it is also an attempt policy, the outermost one, that feeds each successful call's
 * duration into the {@link LatencyWindow} the delay is read from.
 */
final class HedgingPolicy extends AttemptPolicy {

    final Hedging hedging;
    private final TimeSource time;
    private final @Nullable LatencyWindow latencies;

    HedgingPolicy(Hedging hedging, TimeSource time) {
        this.hedging = hedging;
        this.time = time;
        this.latencies = hedging.percentile() > 0 ? new LatencyWindow(hedging) : null;
    }

    /** Whether attempts must report their latencies to this policy (percentile hedging). */
    boolean observesAttempts() {
        return latencies != null;
    }

    /** How many backups one attempt may start. */
    int maxHedges() {
        return hedging.maxHedges();
    }

    /** Schedules {@code launch} after the current hedge delay. */
    Cancellable scheduleHedge(Runnable launch) {
        long delayNanos =
                latencies != null ? latencies.delayNanos() : hedging.delay().toNanos();
        return time.schedule(Duration.ofNanos(delayNanos), launch);
    }

    /** Races {@code primary}, still running, against its backups; null if it already reported. */
    <T> @Nullable HedgedRound<T> hedge(Execution<T> execution, int number, Attempt<T> primary) {
        HedgedRound<T> round = new HedgedRound<>(execution, this, number, primary);
        return primary.attach(round) ? round : null;
    }

    @Override
    void record(long latencyNanos, @Nullable Object value, @Nullable Throwable failure) {
        LatencyWindow window = latencies;
        if (failure == null && window != null) { // called only when observesAttempts()
            window.record(latencyNanos);
        }
    }

    @Override
    public String toString() {
        return "hedging=" + hedging;
    }
}
