package dev.asyncpatterns.benchmarks.scope;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;

/**
 * The JDK 25 preview {@link StructuredTaskScope} peer of {@link TaskScopeForkBenchmark}.
 * Compiled only on JDK 25 with {@code --enable-preview} (the {@code jdk25-preview} profile of
 * benchmarks/pom.xml, source dir {@code src/preview/java}); loaded by name so that the rest of the
 * module compiles with {@code --release 21}.
 */
public final class StructuredTaskScopeRows implements ScopeRows {

    /** Loaded reflectively by {@link TaskScopeForkBenchmark}. */
    public StructuredTaskScopeRows() {}

    @Override
    public long forkJoin(int forks, Callable<Long> task) throws Exception {
        List<Subtask<Long>> subtasks = new ArrayList<>(forks);
        try (var scope = StructuredTaskScope.open()) { // awaitAllSuccessfulOrThrow: fail-fast
            for (int i = 0; i < forks; i++) {
                subtasks.add(scope.fork(task));
            }
            scope.join();
        }
        long sum = 0;
        for (Subtask<Long> subtask : subtasks) {
            sum += subtask.get();
        }
        return sum;
    }

    @Override
    public long cancelBlocked(int forks) throws Exception {
        var started = new CountDownLatch(forks);
        var never = new CountDownLatch(1);
        // the first success cancels the scope: the trigger fork below is that success
        try (var scope = StructuredTaskScope.open(Joiner.<Long>anySuccessfulResultOrThrow())) {
            for (int i = 0; i < forks; i++) {
                scope.fork(() -> {
                    started.countDown();
                    never.await();
                    return 0L;
                });
            }
            started.await();
            scope.fork(() -> 1L);
            return scope.join() + forks - 1;
        }
    }
}
