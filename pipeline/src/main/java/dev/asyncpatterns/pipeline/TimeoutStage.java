package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.time.Cancellable;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * The clock for an element starts when this stage first asks upstream for it and finds nothing
 * ready (EMPTY); a timer then runs for `limit`. The timer task only records which wait it was
 * armed for and signals; poll() fails if that wait is still the current one. An element arriving
 * (or the end) cancels the timer and starts a new wait number, so a late timer is ignored.
 * Time spent while downstream is not asking is not counted.
 */
/**
 * {@link Pipeline#timeout(Duration)}: fails the run if upstream takes longer than the limit to
 * deliver an element once one has been asked for.
 *
 * <p>Backpressure: pass-through. Buffering: none. Errors: fails with a
 * {@link TimeoutException} naming the limit; upstream is then cancelled like on any failure.
 * Cancellation: the timer is cancelled.
 */
final class TimeoutStage<T> extends OperatorStage<T, T> {

    private final Duration limit;
    private long wait;
    private volatile long expired = -1;
    private @Nullable Cancellable timer;

    TimeoutStage(Ctx ctx, Stage<T> up, Duration limit) {
        super(ctx, "timeout(" + Labels.of(limit) + ")", up);
        this.limit = limit;
    }

    @Override
    Object poll() {
        if (expired == wait) {
            failures++;
            throw propagate(
                    new TimeoutException("no element within " + limit + " (Pipeline.timeout) after element " + in));
        }
        Object x = up.poll();
        if (x == EMPTY) {
            if (timer == null) {
                long armedFor = wait;
                timer = run.time.schedule(limit, () -> {
                    expired = armedFor;
                    region.signal();
                });
            }
            return EMPTY;
        }
        timer = cancel(timer);
        wait++;
        if (x != END) {
            in++;
            out++;
        }
        return x;
    }

    @Override
    void release() {
        timer = cancel(timer);
    }
}
