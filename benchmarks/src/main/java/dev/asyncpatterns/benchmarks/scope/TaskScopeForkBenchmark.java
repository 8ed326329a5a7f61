package dev.asyncpatterns.benchmarks.scope;

import dev.asyncpatterns.core.scope.TaskScope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * {@code TaskScope} fork/join/close against its real peers, on the same code path: every
 * operation opens a fresh scope (or executor), forks {@code forks} tasks each on a new virtual
 * thread, waits for all, closes, and reads every result.
 *
 * <ul>
 *   <li>{@code taskScope}: {@code TaskScope.open()} (fail-fast), {@code fork}, {@code joinBlocking},
 *       {@code close} (ours).
 *   <li>{@code jdkStructuredTaskScope}: the JDK 25 preview {@code StructuredTaskScope.open()}
 *       (fail-fast joiner), {@code fork}, {@code join}, {@code close}. Compiled only on JDK 25 by
 *       the {@code jdk25-preview} profile (src/preview/java); this class forks its JVMs with
 *       {@code --enable-preview}. On an older JDK the row fails at setup.
 *   <li>{@code virtualThreadExecutor}: {@code Executors.newVirtualThreadPerTaskExecutor()} in
 *       try-with-resources, {@code submit}, {@code get} (no fail-fast, no nesting).
 * </ul>
 *
 * <p>Rows (divide by {@code forks} for the cost per fork; {@code -prof gc} gives B/op):
 *
 * <ul>
 *   <li>{@code trivial}: tasks that return a number at once: the fork/join/close overhead.
 *   <li>{@code parked}: tasks that park ~1 ms (real work on the virtual-thread path: each fork
 *       unmounts and is woken by the JDK's timer).
 *   <li>{@code cancelBlocked}: tasks blocked until interrupted; once all have started the scope
 *       is cancelled through each implementation's own path (a first success under the
 *       first-success policy for {@code taskScope}, {@code Joiner.anySuccessfulResultOrThrow()}
 *       for {@code jdkStructuredTaskScope}, {@code shutdownNow()} for the executor) and closed,
 *       which waits for every thread. Includes forking and starting them.
 * </ul>
 *
 * <p>Bar (issue 20): {@code taskScope} at most 1.1 x {@code jdkStructuredTaskScope} in time and
 * B/op on every row.
 *
 * <p>Run (JDK 25): {@code java -jar benchmarks/target/benchmarks.jar TaskScopeForkBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = "--enable-preview")
public class TaskScopeForkBenchmark {

    /** How long a {@code parked} task parks. */
    static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    @Param({"taskScope", "jdkStructuredTaskScope", "virtualThreadExecutor"})
    String impl;

    @Param({"1000"})
    int forks;

    private ScopeRows rows;

    @Setup(Level.Trial)
    public void setUp() throws ReflectiveOperationException {
        rows = switch (impl) {
            case "taskScope" -> new TaskScopeRows();
            case "virtualThreadExecutor" -> new ExecutorRows();
            case "jdkStructuredTaskScope" -> structuredTaskScope();
            default -> throw new IllegalArgumentException("impl " + impl);
        };
    }

    private static ScopeRows structuredTaskScope() throws ReflectiveOperationException {
        try {
            return (ScopeRows) Class.forName("dev.asyncpatterns.benchmarks.scope.StructuredTaskScopeRows")
                    .getConstructor()
                    .newInstance();
        } catch (ClassNotFoundException | UnsupportedClassVersionError e) {
            throw new IllegalStateException(
                    "jdkStructuredTaskScope needs the benchmarks built and run on JDK 25 (profile jdk25-preview)", e);
        }
    }

    @Benchmark
    public long trivial() throws Exception {
        return rows.forkJoin(forks, () -> 1L);
    }

    @Benchmark
    public long parked() throws Exception {
        return rows.forkJoin(forks, () -> {
            LockSupport.parkNanos(PARK_NANOS);
            return 1L;
        });
    }

    @Benchmark
    public long cancelBlocked() throws Exception {
        return rows.cancelBlocked(forks);
    }

    /** Ours. */
    static final class TaskScopeRows implements ScopeRows {
        @Override
        public long forkJoin(int forks, Callable<Long> task) throws Exception {
            List<CompletableFuture<Long>> futures = new ArrayList<>(forks);
            try (var scope = TaskScope.open()) {
                for (int i = 0; i < forks; i++) {
                    futures.add(scope.fork(task));
                }
                scope.joinBlocking();
            }
            long sum = 0;
            for (CompletableFuture<Long> future : futures) {
                sum += future.resultNow();
            }
            return sum;
        }

        @Override
        public long cancelBlocked(int forks) throws Exception {
            var started = new CountDownLatch(forks);
            var never = new CountDownLatch(1);
            try (var scope = TaskScope.open(TaskScope.Policy.FIRST_SUCCESS)) {
                for (int i = 0; i < forks; i++) {
                    scope.fork(() -> {
                        started.countDown();
                        never.await();
                        return 0L;
                    });
                }
                started.await();
                CompletableFuture<Long> trigger = scope.fork(() -> 1L);
                scope.joinBlocking();
                return trigger.resultNow() + forks - 1;
            }
        }
    }

    /** The JDK's unstructured peer. */
    static final class ExecutorRows implements ScopeRows {
        @Override
        public long forkJoin(int forks, Callable<Long> task) throws Exception {
            List<Future<Long>> futures = new ArrayList<>(forks);
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < forks; i++) {
                    futures.add(executor.submit(task));
                }
                for (Future<Long> future : futures) {
                    future.get(); // wait for every task, as a join does
                }
            }
            long sum = 0;
            for (Future<Long> future : futures) {
                sum += future.resultNow();
            }
            return sum;
        }

        @Override
        public long cancelBlocked(int forks) throws Exception {
            var started = new CountDownLatch(forks);
            var never = new CountDownLatch(1);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            for (int i = 0; i < forks; i++) {
                executor.submit(() -> {
                    started.countDown();
                    never.await();
                    return 0L;
                });
            }
            started.await();
            executor.shutdownNow();
            if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("tasks ignored the interrupt");
            }
            return forks;
        }
    }
}
