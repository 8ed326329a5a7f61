package dev.asyncpatterns.benchmarks.futures;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.scope.TaskScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
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
 * What gathering {@code size} results costs when there is no real work: the combinator's own
 * overhead. Each operation combines {@code size} inputs and returns the sum of their results in
 * input order.
 *
 * <ul>
 *   <li>{@code futuresAll}: {@code Futures.all} over already-completed futures (ours).
 *   <li>{@code allOf}: raw {@code CompletableFuture.allOf} over the same list (converted with
 *       {@code toArray}, as a caller holding a {@code List} must; {@code Futures.all} copies it
 *       too), then reading each result (the JDK floor; it neither fails fast nor cancels).
 *   <li>{@code scopeForkAsync}: a {@code TaskScope} that {@code forkAsync}s each completed future,
 *       then joins (ours: the structured form of the same gather).
 *   <li>{@code scopeFork}: a {@code TaskScope} that forks a trivial task per input on a virtual
 *       thread, then joins (ours; includes a virtual thread round trip per task).
 *   <li>{@code vtExecutor}: {@code Executors.newVirtualThreadPerTaskExecutor()} submitting the same
 *       trivial tasks and getting each result (the JDK peer of {@code scopeFork}).
 * </ul>
 *
 * <p>Bar (DESIGN.md): {@code futuresAll} at most 1.5 x {@code allOf}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar GatherCompletedBenchmark -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class GatherCompletedBenchmark {

    @Param({"futuresAll", "allOf", "scopeForkAsync", "scopeFork", "vtExecutor"})
    String impl;

    @Param({"1", "10", "1000"})
    int size;

    private List<CompletableFuture<Integer>> completed;
    private List<Callable<Integer>> tasks;
    private ExecutorService virtualThreads;

    @Setup(Level.Trial)
    public void setUp() {
        completed = new ArrayList<>(size);
        tasks = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int value = i;
            completed.add(CompletableFuture.completedFuture(i));
            tasks.add(() -> value);
        }
        virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        virtualThreads.close();
    }

    @Benchmark
    public long gather() throws Exception {
        return switch (impl) {
            case "futuresAll" -> sum(Futures.all(completed).join());
            case "allOf" -> AllOf.sum(toArray(completed)).join();
            case "scopeForkAsync" -> scopeForkAsync();
            case "scopeFork" -> scopeFork();
            case "vtExecutor" -> vtExecutor();
            default -> throw new IllegalArgumentException("impl " + impl);
        };
    }

    private long scopeForkAsync() throws ExecutionException, InterruptedException {
        var forks = new CompletableFuture<?>[size];
        try (var scope = TaskScope.open()) {
            for (int i = 0; i < size; i++) {
                CompletableFuture<Integer> input = completed.get(i);
                forks[i] = scope.forkAsync(() -> input);
            }
            scope.joinBlocking();
        }
        return sumDone(forks);
    }

    private long scopeFork() throws ExecutionException, InterruptedException {
        var forks = new CompletableFuture<?>[size];
        try (var scope = TaskScope.open()) {
            for (int i = 0; i < size; i++) {
                forks[i] = scope.fork(tasks.get(i));
            }
            scope.joinBlocking();
        }
        return sumDone(forks);
    }

    private long vtExecutor() throws ExecutionException, InterruptedException {
        var futures = new ArrayList<Future<Integer>>(size);
        for (Callable<Integer> task : tasks) {
            futures.add(virtualThreads.submit(task));
        }
        long sum = 0;
        for (Future<Integer> future : futures) {
            sum += future.get();
        }
        return sum;
    }

    @SuppressWarnings("unchecked")
    static CompletableFuture<Integer>[] toArray(List<CompletableFuture<Integer>> futures) {
        return futures.toArray(new CompletableFuture[0]);
    }

    static long sum(List<Integer> values) {
        long sum = 0;
        for (Integer value : values) {
            sum += value;
        }
        return sum;
    }

    static long sumDone(CompletableFuture<?>[] forks) {
        return Arrays.stream(forks)
                .mapToLong(f -> ((Integer) f.resultNow()).longValue())
                .sum();
    }
}
