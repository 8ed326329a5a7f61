package dev.asyncpatterns.benchmarks.headline;

import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The headline: what async buys on I/O-bound work. Each {@link Scenario} (10 API calls and 50
 * page scrapes over a local HTTP server; 5 DB queries and 100 file reads on the timer-based
 * latency model) runs as every {@link Variant}: sequential blocking calls, all at once
 * ({@code CompletableFuture.allOf}, {@code Futures.all}, a virtual thread per call), and bounded
 * by the scenario's concurrency limit (virtual threads + {@code Semaphore}, IBM asyncutil's
 * {@code FairAsyncSemaphore}, {@code Parallel.map}, a pipeline). Every method returns the answers in call order, so the JIT cannot drop the work
 * and the unit test can check that every variant does the same job.
 *
 * <p>The HTTP scenarios first run about 50,000 zero-latency exchanges through the same client and
 * server ({@link HttpBackend#warmUp(int)}, at most 8 s): a 1 s JMH warm-up is only ten 100 ms
 * calls, and the JDK HTTP stack needs tens of thousands of exchanges before C2 has compiled it.
 * Cold, it costs 3-5 ms a call on 2 cores and 50 concurrent exchanges add 20-30 ms; warm, about
 * 1.5 ms and 3-7 ms. The steady state is what a long-running service sees.
 *
 * <p>The score is the wall time of one batch. Compare it with the ideal (calls x latency, one
 * latency, or ceil(calls / limit) x latency): the report turns that into speedup and efficiency.
 *
 * <p>Run: {@code benchmarks/run.sh quick}, or one scenario by hand:
 * {@code java -jar benchmarks/target/benchmarks.jar HeadlineBenchmark -p scenario=FILE_READS -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class HeadlineBenchmark {

    /** Which tutorial scenario to run. */
    @Param
    public Scenario scenario;

    Backend backend;
    int calls;
    int limit;
    List<Integer> indices;

    /** Starts the scenario's back end (and HTTP server) once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
        setUp(scenario.latency(), true);
    }

    /**
     * Starts the back end with another latency (tests use a short one).
     *
     * @param latency the latency of one call
     * @param warmUp whether to bring the back end's code to steady state first ({@link Backend#warmUp})
     */
    void setUp(Duration latency, boolean warmUp) {
        backend = scenario.backend(TimeSource.system(), latency);
        calls = scenario.calls();
        limit = scenario.limit();
        indices = IntStream.range(0, calls).boxed().toList();
        // compile the HTTP client/server code, then open the batch's connections, before JMH's warm-up
        if (warmUp) {
            backend.warmUp(calls);
        }
        for (int round = 0; round < 3; round++) {
            Batches.completableFutureAll(backend, calls);
        }
    }

    /** Stops the back end. */
    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    // ---------------------------------------------------------------- baseline

    /**
     * One blocking call after another.
     *
     * @return the answers in call order
     * @throws Exception if a call fails
     */
    @Benchmark
    public List<String> sequential() throws Exception {
        return Batches.sequential(backend, calls);
    }

    // ---------------------------------------------------------------- all at once

    /**
     * Every call started at once, joined with {@code CompletableFuture.allOf} (JDK peer).
     *
     * @return the answers in call order
     */
    @Benchmark
    public List<String> completableFutureAll() {
        return Batches.completableFutureAll(backend, calls);
    }

    /**
     * Every call started at once, joined with the toolkit's {@code Futures.all}.
     *
     * @return the answers in call order
     */
    @Benchmark
    public List<String> futuresAll() {
        return Batches.futuresAll(backend, calls);
    }

    /**
     * One virtual thread per blocking call (JDK peer).
     *
     * @return the answers in call order
     * @throws Exception if a call fails
     */
    @Benchmark
    public List<String> virtualThreads() throws Exception {
        return Batches.virtualThreads(backend, calls);
    }

    // ---------------------------------------------------------------- bounded

    /**
     * One virtual thread per blocking call, at most {@code limit} inside a {@code Semaphore} (JDK peer).
     *
     * @return the answers in call order
     * @throws Exception if a call fails
     */
    @Benchmark
    public List<String> virtualThreadsSemaphore() throws Exception {
        return Batches.virtualThreadsSemaphore(backend, calls, limit);
    }

    /**
     * Every call started when an asyncutil {@code FairAsyncSemaphore} grants a permit (async peer).
     *
     * @return the answers in call order
     */
    @Benchmark
    public List<String> asyncutilSemaphore() {
        return Batches.asyncutilSemaphore(backend, calls, limit);
    }

    /**
     * The toolkit's {@code Parallel.map} with the scenario's limit (sliding window, async calls).
     *
     * @return the answers in call order
     */
    @Benchmark
    public List<String> parallelMap() {
        return Batches.parallelMap(backend, indices, limit);
    }

    /**
     * A pipeline: call numbers → {@code mapAsync(limit)} (ordered) → list (toolkit).
     *
     * @return the answers in call order
     */
    @Benchmark
    public List<String> pipeline() {
        return Batches.pipeline(backend, indices, limit);
    }
}
