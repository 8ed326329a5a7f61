package dev.asyncpatterns.benchmarks;

import dev.asyncpatterns.benchmarks.futures.AllOf;
import java.util.concurrent.CompletableFuture;
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
 * The floor every combinator in the toolkit is measured against: what plain
 * {@link CompletableFuture} composition costs on this JVM and machine.
 *
 * <ul>
 *   <li>{@code allOfCompleted}: {@code allOf} over {@code size} already-completed futures, then
 *       collecting their results in order.
 *   <li>{@code thenApplyChain}: a chain of {@code size} synchronous {@code thenApply} stages.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CompletableFutureBaseline}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class CompletableFutureBaselineBenchmark {

    @Param({"1", "10", "1000"})
    int size;

    CompletableFuture<Integer>[] completed;

    @Setup
    @SuppressWarnings("unchecked")
    public void setUp() {
        completed = new CompletableFuture[size];
        for (int i = 0; i < size; i++) {
            completed[i] = CompletableFuture.completedFuture(i);
        }
    }

    @Benchmark
    public long allOfCompleted() {
        return AllOf.sum(completed).join();
    }

    @Benchmark
    public int thenApplyChain() {
        CompletableFuture<Integer> source = new CompletableFuture<>();
        CompletableFuture<Integer> tail = source;
        for (int i = 0; i < size; i++) {
            tail = tail.thenApply(x -> x + 1);
        }
        source.complete(0);
        return tail.join();
    }
}
