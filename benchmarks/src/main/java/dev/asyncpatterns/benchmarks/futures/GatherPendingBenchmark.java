package dev.asyncpatterns.benchmarks.futures;

import dev.asyncpatterns.core.future.Futures;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Gathering {@code size} inputs that are still pending when the gather is built, then completed
 * one by one on the calling thread: the combinator's cost on its slow path (a dependent registered
 * on every input, the count-down as they complete, the result list), without thread scheduling in
 * the way. Each operation creates the inputs, builds the gather, completes the inputs in order and
 * returns the sum of the results in input order.
 *
 * <ul>
 *   <li>{@code futuresAll}: {@code Futures.all(list)} (ours);
 *   <li>{@code allOf}: {@code CompletableFuture.allOf(list.toArray(...))} then reading each result
 *       (the JDK floor; it neither fails fast nor cancels).
 * </ul>
 *
 * <p>Bar: {@code futuresAll} at most 1.5 × {@code allOf}, as over completed inputs.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar GatherPendingBenchmark -f 1 -wi 2 -i 3 -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class GatherPendingBenchmark {

    @Param({"futuresAll", "allOf"})
    String impl;

    @Param({"10", "1000"})
    int size;

    /**
     * Builds the gather over pending inputs, completes them, reads the results.
     *
     * @return the sum of the results
     */
    @Benchmark
    public long gather() {
        List<CompletableFuture<Integer>> inputs = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            inputs.add(new CompletableFuture<>());
        }
        CompletableFuture<Long> sum = switch (impl) {
            case "futuresAll" -> Futures.all(inputs).thenApply(GatherCompletedBenchmark::sum);
            case "allOf" -> AllOf.sum(GatherCompletedBenchmark.toArray(inputs));
            default -> throw new IllegalArgumentException("impl " + impl);
        };
        for (int i = 0; i < size; i++) {
            inputs.get(i).complete(i);
        }
        return sum.join();
    }
}
