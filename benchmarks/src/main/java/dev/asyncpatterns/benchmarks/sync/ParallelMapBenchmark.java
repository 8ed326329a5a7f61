package dev.asyncpatterns.benchmarks.sync;

import dev.asyncpatterns.core.future.Parallel;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
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
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Bounded parallelism over {@value #CALLS} simulated calls whose latencies are drawn once
 * (seed 42) uniformly from 1-50 ms and realised with {@link TimeSource#system()} timers: wall
 * time of {@link Parallel#map} against two real sliding windows doing the same job (every call
 * started as soon as a slot frees, results in input order).
 *
 * <ul>
 *   <li>{@code parallelMap}: {@code Parallel.map(items, C, call)} (ours);
 *   <li>{@code handWrittenWindow}: what a caller writes without the toolkit: a
 *       {@link Semaphore} of C permits, acquire before each call, release when it completes, then
 *       {@code allOf} and read the results in order (peer);
 *   <li>{@code reactorFlatMapSequential}: Reactor {@code flatMapSequential(call, C)} (peer;
 *       {@code flatMap} would return results in completion order);
 *   <li>{@code parallelBatches} (on request, {@code -p impl=parallelBatches}): our own
 *       {@code Parallel.batches}, start C calls, wait for all, repeat; shows what a window saves,
 *       but it is not a peer.
 * </ul>
 *
 * <p>The ideal for a window of C is {@link #idealMs(int) max(sum(latency) / C, max(latency))}; the
 * report judges every row against it (bar: ≤ 1.05 × ideal) and ours against each peer.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar sync.ParallelMapBenchmark -f 1 -wi 1 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class ParallelMapBenchmark {

    static final int CALLS = 1_000;
    private static final long[] LATENCY_MS = latencies();
    private static final List<Integer> ITEMS = IntStream.range(0, CALLS).boxed().toList();

    /** The implementation: see the class comment. */
    @Param({"parallelMap", "handWrittenWindow", "reactorFlatMapSequential"})
    public String impl;

    /** Calls in flight at most. */
    @Param({"100"})
    public int maxConcurrency;

    private final TimeSource time = TimeSource.system();

    private static long[] latencies() {
        var random = new Random(42);
        long[] latency = new long[CALLS];
        for (int i = 0; i < CALLS; i++) {
            latency[i] = 1 + random.nextInt(50);
        }
        return latency;
    }

    /**
     * The ideal wall time for a window of {@code maxConcurrency}: the calls' total latency spread
     * over the window, but never less than the slowest call.
     *
     * @param maxConcurrency calls in flight at most
     * @return the ideal in milliseconds
     */
    public static double idealMs(int maxConcurrency) {
        long sum = 0;
        long max = 0;
        for (long latency : LATENCY_MS) {
            sum += latency;
            max = Math.max(max, latency);
        }
        return Math.max((double) sum / maxConcurrency, max);
    }

    /**
     * Runs the {@value #CALLS} calls and waits for all results.
     *
     * @return the results in input order
     */
    @Benchmark
    public List<Integer> run() {
        return switch (impl) {
            case "parallelMap" ->
                Parallel.map(ITEMS, maxConcurrency, this::call).join();
            case "handWrittenWindow" -> handWrittenWindow();
            case "reactorFlatMapSequential" ->
                Flux.fromIterable(ITEMS)
                        .flatMapSequential(item -> Mono.fromFuture(call(item)), maxConcurrency)
                        .collectList()
                        .block();
            case "parallelBatches" ->
                Parallel.batches(ITEMS, maxConcurrency, this::call).join();
            default -> throw new IllegalArgumentException("impl: " + impl);
        };
    }

    private List<Integer> handWrittenWindow() {
        Semaphore slots = new Semaphore(maxConcurrency);
        List<CompletableFuture<Integer>> calls = new ArrayList<>(CALLS);
        for (Integer item : ITEMS) {
            slots.acquireUninterruptibly();
            CompletableFuture<Integer> call = call(item);
            call.whenComplete((value, failure) -> slots.release());
            calls.add(call);
        }
        CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).join();
        List<Integer> results = new ArrayList<>(CALLS);
        for (CompletableFuture<Integer> call : calls) {
            results.add(call.join());
        }
        return results;
    }

    private CompletableFuture<Integer> call(Integer item) {
        return time.delay(Duration.ofMillis(LATENCY_MS[item])).thenApply(ignored -> item);
    }
}
