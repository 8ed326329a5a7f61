package dev.asyncpatterns.benchmarks.futures;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.Tasks;
import dev.asyncpatterns.core.scope.TaskScope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * Gathering {@code size} tasks that each do real blocking work of {@code latencyMs} (a sleep on
 * a virtual thread, standing in for an I/O call), all started at once. Every implementation should
 * take about one latency per operation; the question is how much the toolkit adds.
 *
 * <ul>
 *   <li>{@code futuresAll}: {@code Tasks.start} per task (virtual thread, interrupting cancel),
 *       then {@code Futures.all(...).join()} (ours).
 *   <li>{@code scopeFork}: {@code TaskScope} fork per task, {@code join}, read results (ours).
 *   <li>{@code allOf}: {@code CompletableFuture.supplyAsync} on a virtual-thread-per-task
 *       executor, then raw {@code allOf(...).join()} and reading each result (JDK).
 *   <li>{@code vtExecutor}: {@code newVirtualThreadPerTaskExecutor().submit} per task, then
 *       {@code get} each (JDK).
 * </ul>
 *
 * <p>Bar (DESIGN.md): ours within 10% of the JDK forms. Sampled ({@link Mode#SampleTime}: every
 * operation is timed, at 10 ms each the timer costs nothing), so the report shows p50 / p99 beside
 * the mean.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar GatherDelayedBenchmark -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class GatherDelayedBenchmark {

    @Param({"futuresAll", "scopeFork", "allOf", "vtExecutor"})
    String impl;

    @Param({"1", "10", "1000"})
    int size;

    @Param({"10"})
    int latencyMs;

    private ExecutorService virtualThreads;

    @Setup(Level.Trial)
    public void setUp() {
        virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        virtualThreads.close();
    }

    private Integer work(int value) throws InterruptedException {
        Thread.sleep(latencyMs); // benchmark code: the simulated I/O call
        return value;
    }

    @Benchmark
    public long gather() throws Exception {
        return switch (impl) {
            case "futuresAll" -> {
                var futures = new ArrayList<CompletableFuture<Integer>>(size);
                for (int i = 0; i < size; i++) {
                    int value = i;
                    futures.add(Tasks.start(() -> work(value)));
                }
                yield GatherCompletedBenchmark.sum(Futures.all(futures).join());
            }
            case "scopeFork" -> {
                var forks = new CompletableFuture<?>[size];
                try (var scope = TaskScope.open()) {
                    for (int i = 0; i < size; i++) {
                        int value = i;
                        forks[i] = scope.fork(() -> work(value));
                    }
                    scope.joinBlocking();
                }
                yield GatherCompletedBenchmark.sumDone(forks);
            }
            case "allOf" -> {
                List<CompletableFuture<Integer>> futures = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    int value = i;
                    futures.add(CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return work(value);
                                } catch (InterruptedException e) {
                                    throw new IllegalStateException(e);
                                }
                            },
                            virtualThreads));
                }
                CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                        .join();
                long sum = 0;
                for (CompletableFuture<Integer> future : futures) {
                    sum += future.join();
                }
                yield sum;
            }
            case "vtExecutor" -> vtExecutor();
            default -> throw new IllegalArgumentException("impl " + impl);
        };
    }

    private long vtExecutor() throws ExecutionException, InterruptedException {
        var futures = new ArrayList<Future<Integer>>(size);
        for (int i = 0; i < size; i++) {
            int value = i;
            futures.add(virtualThreads.submit(() -> work(value)));
        }
        long sum = 0;
        for (Future<Integer> future : futures) {
            sum += future.get();
        }
        return sum;
    }
}
