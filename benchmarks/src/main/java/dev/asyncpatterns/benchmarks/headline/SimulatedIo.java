package dev.asyncpatterns.benchmarks.headline;

import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The latency model: a call completes after a fixed latency on a {@link TimeSource} timer. No
 * thread waits for the I/O to "happen" (like a real non-blocking socket), so a benchmark measures
 * only the cost of starting, waiting for and combining the calls. The blocking form blocks the
 * caller on the same future, like a blocking driver.
 */
public final class SimulatedIo implements Backend {

    private final TimeSource time;
    private final Duration latency;
    private final String kind;

    /**
     * Creates the model.
     *
     * @param time the timers to use ({@link TimeSource#system()} in benchmarks)
     * @param latency how long each call takes
     * @param kind the answer prefix, e.g. {@code "row"}
     */
    public SimulatedIo(TimeSource time, Duration latency, String kind) {
        this.time = Objects.requireNonNull(time, "time");
        this.latency = Objects.requireNonNull(latency, "latency");
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    @Override
    public CompletableFuture<String> callAsync(int i) {
        return time.delay(latency).thenApply(ignored -> kind + "-" + i);
    }

    @Override
    public String call(int i) {
        return callAsync(i).join();
    }

    @Override
    public void close() {
        // nothing to release: pending timers complete on their own
    }

    @Override
    public String toString() {
        return "SimulatedIo[" + kind + ", " + latency.toMillis() + " ms]";
    }
}
