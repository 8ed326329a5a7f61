package dev.asyncpatterns.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Issue 16, item 4: every stage function of a run sees the context of the thread that started the
 * run, whichever thread drains the pipeline (the run's virtual thread, or the pooled thread that
 * completed a {@code mapAsync} call), and nothing stays on the pooled thread.
 */
class ContextPropagationTest {

    private static final ThreadLocal<String> TENANT = new ThreadLocal<>();
    private static final String TENANT_KEY = "issue16.pipeline.tenant";
    private static final Seen A = new Seen("A", "A");
    private static final Seen NONE = new Seen(null, null);

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
        pool = Executors.newSingleThreadExecutor(Thread.ofPlatform()
                .name("pipeline-pool")
                .inheritInheritableThreadLocals(false)
                .factory());
        pool.submit(() -> {}).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopPool() {
        MDC.clear();
        TENANT.remove();
        pool.shutdownNow();
    }

    @Test
    void mapAsyncAndMap_drainedOnPooledThread_seeRunStartersContext_leaveNothing() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        var calls = new LinkedBlockingQueue<CompletableFuture<Integer>>();
        MDC.put("request", "A");
        TENANT.set("A");
        CompletableFuture<List<Integer>> result = Pipeline.from(List.of(1, 2, 3, 4, 5))
                .mapAsync(1, i -> {
                    seen.add(Seen.now());
                    var call = new CompletableFuture<Integer>();
                    calls.add(call);
                    return call;
                })
                .map(i -> {
                    seen.add(Seen.now());
                    threads.add(Thread.currentThread().getName());
                    return i * 10;
                })
                .toList(5)
                .run();
        MDC.clear();
        TENANT.remove();
        for (int i = 1; i <= 5; i++) {
            CompletableFuture<Integer> call = calls.poll(10, TimeUnit.SECONDS);
            int value = i;
            pool.submit(() -> call.complete(value)).get(10, TimeUnit.SECONDS);
        }

        assertThat(result.get(10, TimeUnit.SECONDS)).containsExactly(10, 20, 30, 40, 50);
        assertThat(seen).hasSize(10).containsOnly(A);
        assertThat(CompletableFuture.supplyAsync(Seen::now, pool).get(10, TimeUnit.SECONDS))
                .isEqualTo(NONE);
        System.out.println("pipeline-context drain threads=" + threads);
    }
}
