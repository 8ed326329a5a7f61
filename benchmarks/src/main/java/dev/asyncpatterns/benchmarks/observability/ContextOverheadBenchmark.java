package dev.asyncpatterns.benchmarks.observability;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.Tasks;
import dev.asyncpatterns.core.scope.TaskScope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
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
 * What request-context propagation costs when there is nothing to propagate (no MDC entry, no
 * context-propagation accessor), nanoseconds per operation of {@code size} inputs. The forks run on
 * a direct executor ({@code Runnable::run}) so the hand-off itself (capture on fork, restore
 * around the task) is measured, not a virtual thread's scheduling, which is three orders of
 * magnitude larger and too noisy on a shared machine to show a few nanoseconds.
 *
 * <ul>
 *   <li>{@code futuresAll}: {@code Futures.all} over completed futures (captures nothing);</li>
 *   <li>{@code allOf}: raw {@code CompletableFuture.allOf} over the same list, the in-run baseline;</li>
 *   <li>{@code scopeForkDirect}: a {@code TaskScope} on a direct executor forking {@code size}
 *       trivial tasks, then joining (one capture and one restore per fork);</li>
 *   <li>{@code tasksStartDirect}: {@code Tasks.start} of {@code size} trivial tasks on a direct
 *       executor.</li>
 * </ul>
 *
 * <p>No {@code @Param} over a peer: the question is this toolkit before and after issue 16, so the
 * same class runs on the jar of each commit (see benchmarks/results/context-*.json).
 *
 * <p>Bar (issue 16): at most 5% slower than before on {@code futuresAll} and the scope forks.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar observability.ContextOverheadBenchmark -f 3 -wi 3 -i 5 -w 1s -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class ContextOverheadBenchmark {

    private static final Executor DIRECT = Runnable::run;

    @Param({"10"})
    int size;

    private List<CompletableFuture<Integer>> completed;
    private List<Callable<Integer>> tasks;

    @Setup(Level.Trial)
    public void setUp() {
        completed = new ArrayList<>(size);
        tasks = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int value = i;
            completed.add(CompletableFuture.completedFuture(i));
            tasks.add(() -> value);
        }
    }

    @Benchmark
    public long futuresAll() {
        long sum = 0;
        for (int value : Futures.all(completed).join()) {
            sum += value;
        }
        return sum;
    }

    @Benchmark
    public long allOf() {
        return CompletableFuture.allOf(completed.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> {
                    long sum = 0;
                    for (CompletableFuture<Integer> future : completed) {
                        sum += future.join();
                    }
                    return sum;
                })
                .join();
    }

    @Benchmark
    public long scopeForkDirect() throws Exception {
        var forks = new ArrayList<CompletableFuture<Integer>>(size);
        try (var scope = TaskScope.builder().executor(DIRECT).open()) {
            for (Callable<Integer> task : tasks) {
                forks.add(scope.fork(task));
            }
            scope.joinBlocking();
        }
        long sum = 0;
        for (CompletableFuture<Integer> fork : forks) {
            sum += fork.resultNow();
        }
        return sum;
    }

    @Benchmark
    public long tasksStartDirect() {
        long sum = 0;
        for (Callable<Integer> task : tasks) {
            sum += Tasks.start(task, DIRECT).join();
        }
        return sum;
    }
}
