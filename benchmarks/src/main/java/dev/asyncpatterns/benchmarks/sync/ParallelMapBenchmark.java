package dev.asyncpatterns.benchmarks.sync;

import dev.asyncpatterns.core.future.Parallel;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
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
 * Bounded parallelism: wall time of {@link Parallel#map} against two real sliding windows doing the
 * same job (every call started as soon as a slot frees, results in input order), on simulated
 * calls realised with {@link TimeSource#system()} timers. Two workloads ({@code workload}):
 *
 * <ul>
 *   <li>{@code UNIFORM_1_TO_50_MS}: {@value #CALLS} calls whose latencies are drawn once (seed 42)
 *       uniformly from 1-50 ms, at most 100 in flight;
 *   <li>{@code FIXED_20_MS}: DESIGN.md's reference case, 100 calls of 20 ms, at most 10 in flight.
 * </ul>
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
 * <p>The ideal is {@link Workload#idealMs()}: the wall time of an in-order sliding window of C
 * with zero overhead, simulated over the workload's own latencies (each call starts when the
 * earliest of the C slots frees). For {@code FIXED_20_MS} that is {@code ceil(N / C) × L}. The
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

    /** A batch of simulated calls and the window they run in. */
    public enum Workload {
        /** 1,000 calls of 1-50 ms (uniform, seed 42), at most 100 in flight. */
        UNIFORM_1_TO_50_MS(uniform(CALLS, 42), 100),
        /** 100 calls of 20 ms, at most 10 in flight (DESIGN.md's reference for the bounded bar). */
        FIXED_20_MS(fixed(100, 20), 10);

        private final long[] latencyMs;
        private final int maxConcurrency;
        private final List<Integer> items;

        Workload(long[] latencyMs, int maxConcurrency) {
            this.latencyMs = latencyMs;
            this.maxConcurrency = maxConcurrency;
            this.items = IntStream.range(0, latencyMs.length).boxed().toList();
        }

        /**
         * Calls in flight at most.
         *
         * @return C
         */
        public int maxConcurrency() {
            return maxConcurrency;
        }

        /**
         * The number of calls.
         *
         * @return N
         */
        public int calls() {
            return latencyMs.length;
        }

        /**
         * The ideal wall time: an in-order sliding window of {@link #maxConcurrency()} with zero
         * overhead, simulated over this workload's latencies.
         *
         * @return the ideal in milliseconds
         */
        public double idealMs() {
            return idealWindowMs(latencyMs, maxConcurrency);
        }
    }

    /** The workload: see the class comment. */
    @Param({"UNIFORM_1_TO_50_MS", "FIXED_20_MS"})
    public Workload workload;

    /** The implementation: see the class comment. */
    @Param({"parallelMap", "handWrittenWindow", "reactorFlatMapSequential"})
    public String impl;

    private final TimeSource time = TimeSource.system();

    private static long[] uniform(int calls, long seed) {
        var random = new Random(seed);
        long[] latency = new long[calls];
        for (int i = 0; i < calls; i++) {
            latency[i] = 1 + random.nextInt(50);
        }
        return latency;
    }

    private static long[] fixed(int calls, long latencyMs) {
        long[] latency = new long[calls];
        Arrays.fill(latency, latencyMs);
        return latency;
    }

    /**
     * The wall time of an in-order sliding window with zero overhead: call {@code i} starts when
     * the earliest of the {@code maxConcurrency} slots frees (all free at time 0) and occupies it
     * for its latency; the batch ends when the last call ends. This is the physical limit of any
     * window that starts calls in input order, which {@code max(sum / C, max)} is not: with
     * unequal latencies the slots do not empty at the same time.
     *
     * @param latencyMs the calls' latencies in input order
     * @param maxConcurrency calls in flight at most (C)
     * @return the ideal in milliseconds
     */
    public static double idealWindowMs(long[] latencyMs, int maxConcurrency) {
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("maxConcurrency: " + maxConcurrency);
        }
        var slots = new PriorityQueue<Long>();
        for (int i = 0; i < Math.min(maxConcurrency, latencyMs.length); i++) {
            slots.add(0L);
        }
        long end = 0;
        for (long latency : latencyMs) {
            long finish = slots.remove() + latency;
            end = Math.max(end, finish);
            slots.add(finish);
        }
        return end;
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
                Parallel.map(workload.items, workload.maxConcurrency, this::call)
                        .join();
            case "handWrittenWindow" -> handWrittenWindow();
            case "reactorFlatMapSequential" ->
                Flux.fromIterable(workload.items)
                        .flatMapSequential(item -> Mono.fromFuture(call(item)), workload.maxConcurrency)
                        .collectList()
                        .block();
            case "parallelBatches" ->
                Parallel.batches(workload.items, workload.maxConcurrency, this::call)
                        .join();
            default -> throw new IllegalArgumentException("impl: " + impl);
        };
    }

    private List<Integer> handWrittenWindow() {
        Semaphore slots = new Semaphore(workload.maxConcurrency);
        List<CompletableFuture<Integer>> calls = new ArrayList<>(workload.calls());
        for (Integer item : workload.items) {
            slots.acquireUninterruptibly();
            CompletableFuture<Integer> call = call(item);
            call.whenComplete((value, failure) -> slots.release());
            calls.add(call);
        }
        CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).join();
        List<Integer> results = new ArrayList<>(workload.calls());
        for (CompletableFuture<Integer> call : calls) {
            results.add(call.join());
        }
        return results;
    }

    private CompletableFuture<Integer> call(Integer item) {
        return time.delay(Duration.ofMillis(workload.latencyMs[item])).thenApply(ignored -> item);
    }
}
