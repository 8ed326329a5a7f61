package dev.asyncpatterns.benchmarks.sync;

import dev.asyncpatterns.core.future.Parallel;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bounded parallelism over {@value #CALLS} simulated calls whose latencies are drawn once
 * (seed 42) uniformly from 1-50 ms and realised with {@link TimeSource#system()} timers: wall
 * time of {@link Parallel#map} (sliding window, the default) versus {@link Parallel#batches}
 * (start {@code maxConcurrency} calls, wait for all, repeat; the tutorial pattern).
 *
 * <p>The ideal for a window of C is {@code max(sum(latency) / C, max(latency))}; setup prints it
 * ("ideal ms=...") so the report can state wall time / ideal. A sliding window stays close to
 * the ideal; batches pay for the slowest call of every batch.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar sync.ParallelMapBenchmark -f 1 -wi 1 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class ParallelMapBenchmark {

    static final int CALLS = 1_000;

    /** {@code slidingWindow} ({@code Parallel.map}) or {@code batches} ({@code Parallel.batches}). */
    @Param({"slidingWindow", "batches"})
    public String strategy;

    /** Calls in flight at most. */
    @Param({"10", "100"})
    public int maxConcurrency;

    private final TimeSource time = TimeSource.system();
    private List<Integer> items;
    private long[] latencyMs;

    @Setup
    public void setUp() {
        var random = new Random(42);
        latencyMs = new long[CALLS];
        long sum = 0;
        long max = 0;
        for (int i = 0; i < CALLS; i++) {
            latencyMs[i] = 1 + random.nextInt(50);
            sum += latencyMs[i];
            max = Math.max(max, latencyMs[i]);
        }
        items = IntStream.range(0, CALLS).boxed().toList();
        System.out.printf(
                "%n%s maxConcurrency=%d ideal ms=%.1f%n",
                strategy, maxConcurrency, Math.max((double) sum / maxConcurrency, max));
    }

    /** Runs the 1,000 calls and waits for all results. */
    @Benchmark
    public List<Integer> run() {
        return switch (strategy) {
            case "slidingWindow" ->
                Parallel.map(items, maxConcurrency, this::call).join();
            case "batches" ->
                Parallel.batches(items, maxConcurrency, this::call).join();
            default -> throw new IllegalArgumentException("strategy: " + strategy);
        };
    }

    private java.util.concurrent.CompletableFuture<Integer> call(Integer item) {
        return time.delay(Duration.ofMillis(latencyMs[item])).thenApply(ignored -> item);
    }
}
