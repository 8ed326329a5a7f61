package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.time.Cancellable;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * GCRA (the virtual-scheduling form of a token bucket): T = period / elements is the emission
 * interval, tau = T * (elements - 1) the burst tolerance, tat the theoretical arrival time of
 * the next element. An element may pass at `now` iff now >= tat - tau; passing sets
 * tat = max(tat, now) + T. Arithmetic in nanoseconds on the run's time source. When not allowed,
 * one timer is armed for the moment it will be, and nothing is pulled meanwhile.
 */
/**
 * {@link Pipeline#throttle(int, Duration)}: at most {@code elements} per {@code period}, with
 * bursts of up to {@code elements}.
 *
 * <p>Backpressure: does not pull from upstream until the rate allows the next element, so a
 * fast upstream is slowed down, not buffered. Buffering: none. Errors: upstream failures pass
 * through. Cancellation: the wake-up timer is cancelled.
 */
final class ThrottleStage<T> extends OperatorStage<T, T> {

    private final long interval;
    private final long tolerance;
    private long tat;
    private boolean started;
    private @Nullable Cancellable timer;
    private long armedFor = Long.MIN_VALUE;

    ThrottleStage(Ctx ctx, Stage<T> up, int elements, Duration period) {
        super(ctx, "throttle(" + elements + " per " + Labels.of(period) + ")", up);
        long periodNanos = period.toNanos();
        this.interval = Math.max(1, periodNanos / elements);
        this.tolerance = interval * (elements - 1L);
    }

    @Override
    Object poll() {
        long now = run.time.nanoTime();
        if (!started) {
            started = true;
            tat = now;
        }
        long allowedAt = tat - tolerance;
        if (now - allowedAt < 0) {
            if (armedFor != allowedAt) {
                armedFor = allowedAt;
                timer = run.time.schedule(Duration.ofNanos(allowedAt - now), region::signal);
            }
            return EMPTY;
        }
        Object x = up.poll();
        if (x == EMPTY || x == END) {
            return x;
        }
        in++;
        out++;
        tat = Math.max(tat, now) + interval;
        return x;
    }

    @Override
    void release() {
        timer = cancel(timer);
    }
}
