package dev.asyncpatterns.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.testkit.VirtualClock;
import io.micrometer.context.ContextRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Issue 16, item 4: a refresh that Caffeine runs on its executor (here a real one-thread pool)
 * sees the context of the read that triggered it, and a batch closed by the window timer sees the
 * context of the caller that opened it; nothing stays on the pooled thread.
 */
class ContextPropagationTest {

    private static final ThreadLocal<String> TENANT = new ThreadLocal<>();
    private static final String TENANT_KEY = "issue16.cache.tenant";
    private static final Seen NONE = new Seen(null, null);

    record Seen(String mdc, String tenant) {
        static Seen now() {
            return new Seen(MDC.get("request"), TENANT.get());
        }
    }

    private final VirtualClock clock = VirtualClock.create();
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
                .name("cache-pool")
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

    private Seen leftOnPool() throws Exception {
        return CompletableFuture.supplyAsync(Seen::now, pool).get(10, TimeUnit.SECONDS);
    }

    @Test
    void refresh_onCaffeinesExecutor_seesTriggeringReadersContext_leavesNothing() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        MemoizedFunction<String, String> memo = AsyncCaches.builder()
                .timeSource(clock)
                .executor(pool)
                .refreshAfterWrite(Duration.ofSeconds(30))
                .memoize((String key) -> {
                    seen.add(Seen.now());
                    threads.add(Thread.currentThread().getName());
                    return CompletableFuture.completedFuture(key + seen.size());
                });
        enter("A");
        assertThat(memo.apply("k").get(10, TimeUnit.SECONDS)).isEqualTo("k1");
        leave();
        clock.advance(Duration.ofSeconds(31));

        enter("B");
        memo.apply("k").get(10, TimeUnit.SECONDS); // due: triggers the refresh on the pool
        leave();
        assertThat(leftOnPool()).isEqualTo(NONE); // queued behind the refresh on the one pool thread

        assertThat(threads).containsExactly(threads.get(0), "cache-pool");
        assertThat(seen).containsExactly(new Seen("A", "A"), new Seen("B", "B"));
        assertThat(memo.apply("k").get(10, TimeUnit.SECONDS)).isEqualTo("k2");
    }

    @Test
    void batchLoader_windowClosedByTimer_bulkSeesOpeningCallersContext() throws Exception {
        var seen = new CompletableFuture<Seen>();
        var thread = new CompletableFuture<String>();
        BatchLoader<String, Integer> loader = BatchLoader.<String, Integer>builder(keys -> {
                    seen.complete(Seen.now());
                    thread.complete(Thread.currentThread().getName());
                    return CompletableFuture.completedFuture(Map.of("a", 1));
                })
                .window(Duration.ofMillis(5))
                .build(); // the system timer closes the batch on its own thread
        enter("A");
        CompletableFuture<Integer> a = loader.load("a");
        leave();

        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith("async-patterns-timer");
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(new Seen("A", "A"));
    }
}
