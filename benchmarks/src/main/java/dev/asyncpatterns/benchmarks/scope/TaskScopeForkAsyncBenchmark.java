package dev.asyncpatterns.benchmarks.scope;

import dev.asyncpatterns.core.scope.TaskScope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code TaskScope.forkAsync} of stages that are already complete against the JDK floor for the
 * same gather: each operation gathers {@code size} completed futures and returns the sum of their
 * results in input order.
 *
 * <ul>
 *   <li>{@code taskScope}: {@code TaskScope.open()}, {@code forkAsync} of each future,
 *       {@code joinBlocking}, {@code close}, then read each fork's result (ours: the structured
 *       form of the gather, with fail-fast and cancellation).
 *   <li>{@code allOf}: raw {@code CompletableFuture.allOf} over the same list (converted with
 *       {@code toArray}), then reading each result (neither fails fast nor cancels).
 * </ul>
 *
 * <p>Bar (DESIGN.md, issue 20): {@code taskScope} at most 1.5 x {@code allOf}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TaskScopeForkAsyncBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class TaskScopeForkAsyncBenchmark {

    @Param({"taskScope", "allOf"})
    String impl;

    @Param({"10"})
    int size;

    private List<CompletableFuture<Integer>> completed;

    @Setup(Level.Trial)
    public void setUp() {
        completed = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            completed.add(CompletableFuture.completedFuture(i));
        }
    }

    @Benchmark
    public long gather() throws Exception {
        return switch (impl) {
            case "taskScope" -> taskScope();
            case "allOf" ->
                CompletableFuture.allOf(completed.toArray(new CompletableFuture<?>[0]))
                        .thenApply(ignored -> sum(completed))
                        .join();
            default -> throw new IllegalArgumentException("impl " + impl);
        };
    }

    private long taskScope() throws Exception {
        List<CompletableFuture<Integer>> forks = new ArrayList<>(size);
        try (var scope = TaskScope.open()) {
            for (CompletableFuture<Integer> input : completed) {
                forks.add(scope.forkAsync(() -> input));
            }
            scope.joinBlocking();
        }
        return sum(forks);
    }

    private static long sum(List<CompletableFuture<Integer>> futures) {
        long sum = 0;
        for (CompletableFuture<Integer> future : futures) {
            sum += future.join();
        }
        return sum;
    }
}
