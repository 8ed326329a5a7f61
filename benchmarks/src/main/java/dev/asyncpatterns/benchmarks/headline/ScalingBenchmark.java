package dev.asyncpatterns.benchmarks.headline;

import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * The scaling series: N = 10 to 10,000 concurrent calls of {@value #LATENCY_MS} ms each on the
 * timer-based latency model, all in flight at once. The ideal is one latency whatever N is, so
 * the score shows how the cost of starting and joining N calls grows; run with JMH's
 * {@code -prof gc} to get {@code gc.alloc.rate.norm} (bytes per batch; the report divides by N
 * for the memory per call).
 *
 * <p>Variants: {@code CompletableFuture.allOf} and a virtual thread per blocking call (JDK
 * peers) against the toolkit's {@code Futures.all}.
 *
 * <p>Run: {@code benchmarks/run.sh quick}, or by hand:
 * {@code java -jar benchmarks/target/benchmarks.jar ScalingBenchmark -prof gc -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ScalingBenchmark {

    /** The latency of one call in milliseconds. */
    public static final int LATENCY_MS = 20;

    /** How many calls are in flight at once. */
    @Param({"10", "100", "1000", "10000"})
    public int calls;

    Backend backend;

    /** Creates the latency model. */
    @Setup
    public void setUp() {
        setUp(Duration.ofMillis(LATENCY_MS));
    }

    void setUp(Duration latency) {
        backend = new SimulatedIo(TimeSource.system(), latency, "call");
    }

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
}
