package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.time.Cancellable;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collector;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * Windows are [start + k * length, start + (k + 1) * length) on the run's time source, start
 * being the stage's first poll. An element belongs to the window current when it was pulled.
 * The clock is read once per pulled element, so even an endless synchronous upstream closes
 * windows on time. A timer armed for the end of a non-empty window only signals the region, so
 * the window is emitted even when no further element arrives. Empty windows are not emitted.
 */
/**
 * {@link Pipeline#window(Duration, Collector)}: tumbling time windows, each reduced with a
 * {@link Collector}.
 *
 * <p>Backpressure: keeps pulling while the window is open; a finished window waits for
 * downstream, and elements are not pulled meanwhile (they land in the window current when they
 * are pulled). Buffering: one accumulation container. Errors: a failing collector function or
 * upstream fails the run. Cancellation: the open window and its timer are dropped. An upstream
 * end emits the last, partial window.
 */
final class WindowStage<T, A, R> extends OperatorStage<T, R> {

    private final long lengthNanos;
    private final Supplier<A> supplier;
    private final BiConsumer<A, ? super T> accumulator;
    private final Function<A, R> finisher;
    private boolean started;
    private long startNanos;
    private long windowEnd;
    private long count;
    private @Nullable A container;
    private long armedFor = Long.MIN_VALUE;
    private @Nullable Cancellable timer;
    private boolean done;

    @SuppressWarnings("unchecked")
    WindowStage(Ctx ctx, Stage<T> up, Duration length, Collector<? super T, A, R> collector) {
        super(ctx, "window(" + Labels.of(length) + ")", up);
        this.lengthNanos = Durations.toNanosSaturated(length);
        this.supplier = collector.supplier();
        this.accumulator = (BiConsumer<A, ? super T>) collector.accumulator();
        this.finisher = collector.finisher();
    }

    @Override
    @SuppressWarnings("unchecked")
    Object poll() {
        if (done) {
            return END;
        }
        if (!started) {
            started = true;
            startNanos = run.time.nanoTime();
        }
        for (; ; ) {
            long now = run.time.nanoTime();
            if (count > 0 && now - windowEnd >= 0) {
                return emit();
            }
            Object x = up.poll();
            if (x == EMPTY) {
                if (count > 0 && armedFor != windowEnd) {
                    armedFor = windowEnd;
                    timer = run.time.schedule(Duration.ofNanos(Math.max(0, windowEnd - now)), region::signal);
                }
                return EMPTY;
            }
            if (x == END) {
                done = true;
                return count > 0 ? emit() : END;
            }
            in++;
            if (count == 0) {
                long index = (now - startNanos) / lengthNanos;
                windowEnd = Durations.saturatedAdd(startNanos, saturatedMultiply(index + 1, lengthNanos));
                container = supplier.get();
            }
            accumulator.accept(container, (T) x);
            count++;
        }
    }

    private static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return (high == 0 && low >= 0) ? low : Long.MAX_VALUE;
    }

    private R emit() {
        cancelTimer();
        A finished = container;
        container = null;
        count = 0;
        R result = finisher.apply(finished);
        if (result == null) {
            throw new NullPointerException("window collector produced null");
        }
        out++;
        return result;
    }

    private void cancelTimer() {
        timer = cancel(timer);
    }

    @Override
    int depth() {
        return (int) Math.min(Integer.MAX_VALUE, count);
    }

    @Override
    void release() {
        done = true;
        cancelTimer();
        container = null;
    }
}
