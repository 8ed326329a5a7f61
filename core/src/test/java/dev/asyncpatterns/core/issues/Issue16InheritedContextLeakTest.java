package dev.asyncpatterns.core.issues;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.future.Blocking;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.Tasks;
import dev.asyncpatterns.core.pool.WorkerPool;
import dev.asyncpatterns.core.scope.TaskScope;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 5: no toolkit-created thread inherits {@link InheritableThreadLocal}s. Before the
 * fix, the shared CPU pool and the timer thread inherited request A's value from the caller that
 * created them, and request B's callbacks then saw request A.
 *
 * <p>Runs in a JVM of its own (a separate surefire execution in core's pom): the pool and the
 * timer thread must be created by request A here, not by an earlier test class.
 */
class Issue16InheritedContextLeakTest {

    private static final InheritableThreadLocal<String> REQUEST = new InheritableThreadLocal<>();

    /** Runs {@code body} on a fresh platform thread whose request is {@code request}. */
    private static <T> T asRequest(String request, Callable<T> body) throws Exception {
        var result = new CompletableFuture<T>();
        Thread.ofPlatform().name("request-" + request).start(() -> {
            REQUEST.set(request);
            try {
                result.complete(body.call());
            } catch (Throwable failure) {
                result.completeExceptionally(failure);
            }
        });
        return result.get(30, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- Blocking.cpu

    @Test
    void cpu_poolStartedUnderRequestA_requestBNeverSeesA() throws Exception {
        int threads = Blocking.cpuParallelism();
        // request A touches the pool first: its submissions start every pool thread
        List<String> seenByA = asRequest("A", () -> submitCpu(threads * 4));
        List<String> seenByB = asRequest("B", () -> submitCpu(threads * 8));

        assertThat(seenByB)
                .as("request B's work on the CPU pool")
                .doesNotContain("A")
                .containsOnlyNulls();
        assertThat(seenByA)
                .as("pool threads must not inherit the starting caller's value")
                .containsOnlyNulls();
    }

    private static List<String> submitCpu(int tasks) throws Exception {
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            futures.add(Blocking.cpu(REQUEST::get));
        }
        return Futures.allSettled(futures).get(30, TimeUnit.SECONDS).stream()
                .map(outcome -> outcome.getOrThrow())
                .toList();
    }

    // ---------------------------------------------------------------- timers

    @Test
    void schedule_timerStartedUnderRequestA_requestBNeverSeesA() throws Exception {
        List<String> seenByA = asRequest("A", () -> schedule(4));
        List<String> seenByB = asRequest("B", () -> schedule(16));

        assertThat(seenByB)
                .as("request B's timer callbacks")
                .doesNotContain("A")
                .containsOnlyNulls();
        assertThat(seenByA)
                .as("the timer thread must not inherit the starting caller's value")
                .containsOnlyNulls();
    }

    private static List<String> schedule(int timers) throws Exception {
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < timers; i++) {
            var seen = new CompletableFuture<String>();
            TimeSource.system().schedule(Duration.ZERO, () -> seen.complete(REQUEST.get()));
            futures.add(seen);
        }
        return Futures.all(futures).get(30, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- virtual threads and workers

    @Test
    void tasksAndForks_startedUnderRequestA_doNotInheritIt() throws Exception {
        List<String> seen = asRequest("A", () -> {
            List<String> values = new ArrayList<>();
            values.add(Tasks.start(REQUEST::get).get(30, TimeUnit.SECONDS));
            values.add(Blocking.call(REQUEST::get).get(30, TimeUnit.SECONDS));
            try (var scope = TaskScope.open()) {
                var fork = scope.fork(REQUEST::get);
                scope.joinBlocking();
                values.add(fork.resultNow());
            }
            return values;
        });
        assertThat(seen).hasSize(3).containsOnlyNulls();
    }

    @Test
    void workerPool_builtUnderRequestA_requestBNeverSeesA() throws Exception {
        WorkerPool<Integer, String> pool = asRequest(
                "A",
                () -> WorkerPool.<Integer, String>blockingBuilder(job -> REQUEST.get())
                        .workers(2)
                        .build());
        try {
            List<String> seenByB = asRequest("B", () -> {
                List<CompletableFuture<String>> futures = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    futures.add(pool.submit(i));
                }
                return Futures.all(futures).get(30, TimeUnit.SECONDS);
            });
            assertThat(seenByB).hasSize(8).doesNotContain("A").containsOnlyNulls();
        } finally {
            pool.shutdown().get(30, TimeUnit.SECONDS);
        }
    }
}
