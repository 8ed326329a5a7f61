package dev.asyncpatterns.benchmarks.pipeline;

import dev.asyncpatterns.pipeline.Pipeline;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Async stages against ideal wall time: {@code calls} simulated I/O calls of {@code latencyMs}
 * each (a future completed by a scheduled timer), at most {@code parallelism} in flight, results
 * in input order, summed. Ideal: {@code ceil(calls / parallelism) * latencyMs} (630 ms for the
 * defaults); the bar is within 5% of it.
 *
 * <ul>
 *   <li>{@code pipeline}: {@code Pipeline.range(calls).mapAsync(parallelism, call).fold(sum)};
 *   <li>{@code lanes}: the hand-written ideal: {@code parallelism} chains of sequential calls, so
 *       there is no scheduling slack at all (what "ideal" can mean on this JVM and timer);
 *   <li>{@code flux}: Reactor {@code flatMapSequential(call, parallelism)}, the peer.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar MapAsyncPipelineBenchmark -f 1 -wi 2 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class MapAsyncPipelineBenchmark {

    @Param({"1000"})
    int calls;

    @Param({"16"})
    int parallelism;

    @Param({"10"})
    int latencyMs;

    @Param({"pipeline", "lanes", "flux"})
    String impl;

    private ScheduledExecutorService timer;

    /**
     * The ideal wall time the report judges against: {@code ceil(calls / parallelism)} latencies.
     *
     * @param calls the calls
     * @param parallelism calls in flight at most
     * @param latencyMs each call's latency
     * @return the ideal in milliseconds
     */
    public static double idealMs(int calls, int parallelism, int latencyMs) {
        return Math.ceil(calls / (double) parallelism) * latencyMs;
    }

    @Setup(Level.Trial)
    public void setUp() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "simulated-io");
            thread.setDaemon(true);
            return thread;
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        timer.shutdownNow();
    }

    /** A simulated remote call: completes with {@code x} after the latency, on the timer thread. */
    private CompletableFuture<Long> call(long x) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        timer.schedule(() -> result.complete(x), latencyMs, TimeUnit.MILLISECONDS);
        return result;
    }

    @Benchmark
    public long mapAsyncOrdered() {
        return switch (impl) {
            case "pipeline" ->
                Pipeline.range(0, calls)
                        .mapAsync(parallelism, this::call)
                        .fold(0L, Long::sum)
                        .run()
                        .join();
            case "lanes" -> lanes();
            case "flux" ->
                Flux.range(0, calls)
                        .flatMapSequential(i -> Mono.fromFuture(call(i)), parallelism)
                        .reduce(0L, Long::sum)
                        .block();
            default -> throw new IllegalStateException(impl);
        };
    }

    private long lanes() {
        AtomicLong sum = new AtomicLong();
        CompletableFuture<?>[] lanes = new CompletableFuture<?>[parallelism];
        for (int lane = 0; lane < parallelism; lane++) {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (long x = lane; x < calls; x += parallelism) {
                long element = x;
                chain = chain.thenCompose(ignored -> call(element)).thenAccept(sum::addAndGet);
            }
            lanes[lane] = chain;
        }
        CompletableFuture.allOf(lanes).join();
        return sum.get();
    }
}
