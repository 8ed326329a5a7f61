package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.time.Cancellable;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * Tick k (k = 1, 2, ...) is due at start + k * period on the run's time source. The timer task
 * (any thread) only bumps the volatile "fired" counter, schedules tick k+1 relative to the ideal
 * schedule (no drift) and signals the region. poll() (drain thread) emits the index of the newest
 * fired tick and counts skipped ones as dropped: a slow consumer sees fewer ticks, never a backlog.
 */
/**
 * Periodic source: {@link Pipeline#tick(Duration)}.
 *
 * <p>Backpressure: none possible for time; ticks that fire while downstream is busy are dropped
 * (counted as failures in the metrics), only the newest is kept. Buffering: one tick. Errors:
 * none. Cancellation: the pending timer is cancelled when the run stops.
 */
final class TickSource extends Stage<Long> {

    private final long periodNanos;
    private long startNanos;
    private volatile long fired;
    private volatile boolean stopped;
    private volatile @Nullable Cancellable timer;
    private long emitted;
    private boolean started;

    TickSource(Ctx ctx, Duration period) {
        super(ctx, "tick(" + Labels.of(period) + ")");
        this.periodNanos = Durations.toNanosSaturated(period);
    }

    @Override
    Object poll() {
        if (!started) {
            started = true;
            startNanos = run.time.nanoTime();
            schedule(1);
            return EMPTY;
        }
        long newest = fired;
        if (newest <= emitted) {
            return EMPTY;
        }
        failures += newest - emitted - 1;
        emitted = newest;
        out++;
        return newest - 1;
    }

    private void schedule(long tick) {
        long due = Durations.saturatedAdd(startNanos, multiplySaturated(periodNanos, tick));
        long delay = Math.max(0, due - run.time.nanoTime());
        timer = run.time.schedule(Duration.ofNanos(delay), () -> {
            if (stopped) {
                return;
            }
            fired = tick;
            schedule(tick + 1);
            region.signal();
        });
        if (stopped) {
            timer.cancel();
        }
    }

    private static long multiplySaturated(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return (high == 0 && low >= 0) ? low : Long.MAX_VALUE;
    }

    @Override
    void release() {
        stopped = true;
        Cancellable current = timer;
        if (current != null) {
            current.cancel();
        }
    }

    @Override
    void closeUpstream() {}
}
