package dev.asyncpatterns.core.issues;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.future.Blocking;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.Parallel;
import dev.asyncpatterns.core.future.Tasks;
import dev.asyncpatterns.core.pool.WorkerPool;
import dev.asyncpatterns.core.scope.TaskScope;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.supervision.Supervisor;
import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.core.time.TimeSource;
import io.micrometer.context.ContextRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Issue 16, item 4: the caller's request context (an MDC entry, and a plain {@link ThreadLocal}
 * registered with io.micrometer:context-propagation's {@link ContextRegistry}) is present in every
 * callback the toolkit runs on another thread, and absent from that thread afterwards.
 *
 * <p>Callbacks run on a real pooled thread where the API lets us choose (one platform thread, so
 * a probe submitted after the callback runs on the very thread the callback used): a context left
 * behind would show in the probe.
 */
class Issue16ContextPropagationTest {

    private static final ThreadLocal<String> TENANT = new ThreadLocal<>();
    private static final String TENANT_KEY = "issue16.tenant";
    private static final Seen A = new Seen("A", "A");
    private static final Seen NONE = new Seen(null, null);

    /** What a callback saw: the MDC entry and the registered ThreadLocal. */
    record Seen(String mdc, String tenant) {
        static Seen now() {
            return new Seen(MDC.get("request"), TENANT.get());
        }
    }

    private ExecutorService pool;

    @BeforeAll
    static void registerTenant() {
        ContextRegistry.getInstance().registerThreadLocalAccessor(TENANT_KEY, TENANT::get, TENANT::set, TENANT::remove);
    }

    @AfterAll
    static void unregisterTenant() {
        ContextRegistry.getInstance().removeThreadLocalAccessor(TENANT_KEY);
    }

    @BeforeEach
    void startPool() throws Exception {
        // one pooled thread, started before any context is set and inheriting nothing
        pool = Executors.newSingleThreadExecutor(Thread.ofPlatform()
                .name("issue16-pool")
                .inheritInheritableThreadLocals(false)
                .factory());
        pool.submit(() -> {}).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopPool() {
        leave();
        pool.shutdownNow();
    }

    private static void enter(String request) {
        MDC.put("request", request);
        TENANT.set(request);
    }

    private static void leave() {
        MDC.clear();
        TENANT.remove();
    }

    /** What the pool's thread holds now, read by a plain task the toolkit does not touch. */
    private Seen leftOnPool() throws Exception {
        return CompletableFuture.supplyAsync(Seen::now, pool).get(10, TimeUnit.SECONDS);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- Tasks, Blocking

    @Test
    void tasksStart_onPooledExecutor_seesCallersContext_leavesNothing() throws Exception {
        enter("A");
        CompletableFuture<Seen> seen = Tasks.start(Seen::now, pool);
        leave();

        assertThat(await(seen)).isEqualTo(A);
        assertThat(leftOnPool()).isEqualTo(NONE);
    }

    @Test
    void tasksStart_onPooledExecutorWithoutContext_doesNotSeeThePoolThreadsOwn() throws Exception {
        pool.submit(() -> enter("stale")).get(10, TimeUnit.SECONDS); // someone else's leftovers
        CompletableFuture<Seen> seen = Tasks.start(Seen::now, pool);

        assertThat(await(seen)).isEqualTo(NONE);
        assertThat(leftOnPool()).as("the thread's own context is put back").isEqualTo(new Seen("stale", "stale"));
    }

    @Test
    void tasksStartAndBlockingCall_onVirtualThreads_seeCallersContext() throws Exception {
        enter("A");
        CompletableFuture<Seen> task = Tasks.start(Seen::now);
        CompletableFuture<Seen> blocking = Blocking.call(Seen::now);
        leave();

        assertThat(await(task)).isEqualTo(A);
        assertThat(await(blocking)).isEqualTo(A);
    }

    @Test
    void blockingCpu_seesCallersContext_laterWorkWithoutContextSeesNone() throws Exception {
        int tasks = Blocking.cpuParallelism() * 4;
        enter("A");
        List<CompletableFuture<Seen>> withContext = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            withContext.add(Blocking.cpu(Seen::now));
        }
        leave();
        assertThat(await(Futures.all(withContext))).hasSize(tasks).containsOnly(A);

        List<CompletableFuture<Seen>> without = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            without.add(Blocking.cpu(Seen::now));
        }
        assertThat(await(Futures.all(without))).hasSize(tasks).containsOnly(NONE);
    }

    // ---------------------------------------------------------------- TaskScope

    @Test
    void fork_onPooledExecutor_seesOwnersContext_leavesNothing() throws Exception {
        CompletableFuture<Seen> pooled;
        CompletableFuture<Seen> virtual;
        try (var scope = TaskScope.builder().executor(pool).open();
                var defaultScope = TaskScope.open()) {
            enter("A");
            pooled = scope.fork(Seen::now);
            virtual = defaultScope.fork(Seen::now);
            leave();
            defaultScope.joinBlocking();
            scope.joinBlocking();
        }
        assertThat(pooled.resultNow()).isEqualTo(A);
        assertThat(virtual.resultNow()).isEqualTo(A);
        assertThat(leftOnPool()).isEqualTo(NONE);
    }

    // ---------------------------------------------------------------- Parallel.map

    @Test
    void parallelMap_fnCalledOnCompletingPoolThread_seesCallersContext_leavesNothing() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        var calls = new java.util.concurrent.LinkedBlockingQueue<CompletableFuture<Integer>>();
        enter("A");
        // one call in flight: every call after the first starts on the thread that completed the
        // previous one, here the pool's thread
        CompletableFuture<List<Integer>> mapped = Parallel.map(List.of(1, 2, 3, 4, 5), 1, i -> {
            seen.add(Seen.now());
            threads.add(Thread.currentThread().getName());
            var call = new CompletableFuture<Integer>();
            calls.add(call);
            return call;
        });
        leave();
        for (int i = 1; i <= 5; i++) {
            CompletableFuture<Integer> call = calls.poll(10, TimeUnit.SECONDS);
            int value = i;
            pool.submit(() -> call.complete(value)).get(10, TimeUnit.SECONDS);
        }

        assertThat(await(mapped)).containsExactly(1, 2, 3, 4, 5);
        assertThat(threads.subList(1, 5)).as("calls made on the pool's thread").containsOnly("issue16-pool");
        assertThat(seen).hasSize(5).containsOnly(A);
        assertThat(leftOnPool()).isEqualTo(NONE);
    }

    // ---------------------------------------------------------------- timers

    @Test
    void systemSchedule_callbackSeesSchedulersContext() throws Exception {
        var seen = new CompletableFuture<Seen>();
        enter("A");
        TimeSource.system().schedule(Duration.ofMillis(1), () -> seen.complete(Seen.now()));
        leave();

        assertThat(await(seen)).isEqualTo(A);
    }

    // ---------------------------------------------------------------- WorkerPool

    @Test
    void workerPool_handlerSeesSubmittersContext_nextJobOnSameWorkerSeesNone() throws Exception {
        WorkerPool<Integer, Seen> workers = WorkerPool.<Integer, Seen>blockingBuilder(job -> Seen.now())
                .workers(1)
                .build();
        try {
            enter("A");
            CompletableFuture<Seen> first = workers.submit(1);
            leave();
            CompletableFuture<Seen> second = workers.submit(2);

            assertThat(await(first)).isEqualTo(A);
            assertThat(await(second))
                    .as("the same worker thread, after request A's job")
                    .isEqualTo(NONE);
        } finally {
            await(workers.shutdown());
        }
    }

    // ---------------------------------------------------------------- Supervisor

    @Test
    void supervisor_restartOnTimerThread_seesStartersContext() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        var thirdStart = new CompletableFuture<Void>();
        var starts = new AtomicInteger();
        Supervisor supervisor = Supervisor.builder()
                .backoff(Backoff.fixed(Duration.ofMillis(1)))
                .child("flaky", Supervisor.Restart.PERMANENT, () -> {
                    seen.add(Seen.now());
                    if (starts.incrementAndGet() < 3) {
                        return CompletableFuture.failedFuture(new IllegalStateException("crash"));
                    }
                    thirdStart.complete(null);
                    return new CompletableFuture<Void>();
                })
                .build();
        enter("A");
        CompletableFuture<Void> run = supervisor.start();
        leave();
        try {
            await(thirdStart);
            assertThat(seen).hasSize(3).containsOnly(A);
        } finally {
            await(supervisor.shutdown());
            assertThat(run).isCompleted();
        }
    }

    // ---------------------------------------------------------------- withPermit after a wait

    @Test
    void withPermit_bodyRunOnReleasingThread_seesWaitersContextNotReleasers() throws Exception {
        var semaphore = new AsyncSemaphore(1);
        var holding = new CompletableFuture<Void>();
        semaphore.withPermit(() -> holding); // request "releaser" holds the only permit
        var seen = new CompletableFuture<Seen>();
        enter("A");
        CompletableFuture<Void> body = semaphore.withPermit(() -> {
            seen.complete(Seen.now());
            return CompletableFuture.completedFuture(null);
        });
        leave();
        // the permit comes back on the pool's thread, inside another request's context
        pool.submit(() -> {
                    enter("releaser");
                    try {
                        holding.complete(null);
                    } finally {
                        leave();
                    }
                })
                .get(10, TimeUnit.SECONDS);

        await(body);
        assertThat(await(seen)).isEqualTo(A);
        assertThat(leftOnPool()).isEqualTo(NONE);
    }
}
