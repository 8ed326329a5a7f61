package dev.asyncpatterns.benchmarks.headline;

import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
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
 * <p>Variants, all on the toolkit's timer ({@code TimeSource.system()}) unless named otherwise:
 *
 * <ul>
 *   <li>{@code futuresAll}: the toolkit's {@code Futures.all} (ours);
 *   <li>{@code completableFutureAll}: {@code CompletableFuture.allOf} (JDK combinator);
 *   <li>{@code virtualThreads}: a virtual thread per blocking call (JDK peer);
 *   <li>{@code jdkTimerAllOf}: {@code CompletableFuture.allOf} over calls on the JDK's own timer,
 *       {@code CompletableFuture.delayedExecutor} (its scheduled executor hands each due task to
 *       the common pool): the peer for the timer itself;
 *   <li>{@code baseline}: the latency model alone on the toolkit's timer, N calls started and
 *       joined one by one with no combinator. Its bytes per call are the model's own cost (the
 *       delay future, the timer node, the {@code thenApply} stage): subtract them from a
 *       variant's bytes per call to get what the combinator itself allocates.
 * </ul>
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
    Backend jdkTimer;

    /** Creates the latency models. */
    @Setup
    public void setUp() {
        setUp(Duration.ofMillis(LATENCY_MS));
    }

    void setUp(Duration latency) {
        backend = new SimulatedIo(TimeSource.system(), latency, "call");
        jdkTimer = new JdkTimerIo(latency, "call");
    }

    /**
     * The latency model alone (baseline): N calls on the toolkit's timer, started at once and
     * joined one by one, no combinator.
     *
     * @return the answers in call order
     */
    @Benchmark
    public List<String> baseline() {
        List<CompletableFuture<String>> futures = new ArrayList<>(calls);
        for (int i = 0; i < calls; i++) {
            futures.add(backend.callAsync(i));
        }
        List<String> answers = new ArrayList<>(calls);
        for (CompletableFuture<String> f : futures) {
            answers.add(f.join());
        }
        return answers;
    }

    /**
     * Every call started at once on the JDK's timer ({@code CompletableFuture.delayedExecutor}),
     * joined with {@code CompletableFuture.allOf} (JDK peer for the timer).
     *
     * @return the answers in call order
     */
    @Benchmark
    public List<String> jdkTimerAllOf() {
        return Batches.completableFutureAll(jdkTimer, calls);
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

    /**
     * The latency model on the JDK's timer: a call completes after the latency through
     * {@code CompletableFuture.delayedExecutor}, whose scheduler thread hands the completion to the
     * common pool (so dependents never run on the timer thread, as with the toolkit's timer).
     */
    static final class JdkTimerIo implements Backend {
        private final Executor delayed;
        private final String kind;

        JdkTimerIo(Duration latency, String kind) {
            this.delayed = CompletableFuture.delayedExecutor(latency.toNanos(), TimeUnit.NANOSECONDS);
            this.kind = kind;
        }

        @Override
        public CompletableFuture<String> callAsync(int i) {
            return CompletableFuture.supplyAsync(() -> kind + "-" + i, delayed);
        }

        @Override
        public String call(int i) {
            return callAsync(i).join();
        }

        @Override
        public void close() {
            // nothing to release: the JDK's delay scheduler is shared and daemon
        }
    }
}
