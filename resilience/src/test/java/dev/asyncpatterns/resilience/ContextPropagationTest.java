package dev.asyncpatterns.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.context.ContextRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
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
 * Issue 16, item 4: the caller's MDC and a {@link ContextRegistry}-registered ThreadLocal reach
 * every attempt (retries and hedges start on the system timer's threads), and a fallback run on
 * the pooled thread that failed the attempt, and stay off that thread afterwards.
 */
class ContextPropagationTest {

    private static final ThreadLocal<String> TENANT = new ThreadLocal<>();
    private static final String TENANT_KEY = "issue16.resilience.tenant";
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
                .name("resilience-pool")
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

    private static Retry retry(int attempts) {
        return Retry.of(
                "ctx",
                RetryConfig.custom()
                        .maxAttempts(attempts)
                        .waitDuration(Duration.ofMillis(1))
                        .build());
    }

    // ---------------------------------------------------------------- attempts

    @Test
    void call_retriesOnTimerThreads_everyAttemptSeesCallersContext() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        var attempts = new AtomicInteger();
        AsyncResilience<String> policy =
                AsyncResilience.<String>builder("ctx").retry(retry(3)).build();
        enter("A");
        CompletableFuture<String> result = policy.call(() -> {
            seen.add(Seen.now());
            threads.add(Thread.currentThread().getName());
            return attempts.incrementAndGet() < 3
                    ? CompletableFuture.failedFuture(new IOException("flaky"))
                    : CompletableFuture.completedFuture("ok");
        });
        leave();

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(threads.subList(1, 3))
                .as("retries start on timer threads")
                .allMatch(t -> t.startsWith("async-patterns-timer"));
        assertThat(seen).hasSize(3).containsOnly(A);
    }

    @Test
    void call_hedgeOnTimerThread_seesCallersContext() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        var attempts = new AtomicInteger();
        AsyncResilience<String> policy = AsyncResilience.<String>builder("ctx")
                .hedging(Hedging.afterDelay(Duration.ofMillis(1), 1))
                .build();
        enter("A");
        CompletableFuture<String> result = policy.call(() -> {
            seen.add(Seen.now());
            return attempts.incrementAndGet() == 1
                    ? new CompletableFuture<String>() // the slow primary: the hedge wins
                    : CompletableFuture.completedFuture("hedge");
        });
        leave();

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("hedge");
        assertThat(seen).hasSize(2).containsOnly(A);
    }

    @Test
    void call_fallbackOnPooledThreadThatFailedTheAttempt_seesCallersContext_leavesNothing() throws Exception {
        var fallbackSaw = new CompletableFuture<Seen>();
        var fallbackThread = new CompletableFuture<String>();
        AsyncResilience<String> policy = AsyncResilience.<String>builder("ctx")
                .fallback(UncheckedIOException.class, failure -> {
                    fallbackSaw.complete(Seen.now());
                    fallbackThread.complete(Thread.currentThread().getName());
                    return "fallback";
                })
                .build();
        var attempt = new CompletableFuture<String>();
        enter("A");
        CompletableFuture<String> result = policy.call(() -> attempt);
        leave();
        pool.submit(() -> attempt.completeExceptionally(new UncheckedIOException(new IOException("down"))))
                .get(10, TimeUnit.SECONDS);

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("fallback");
        assertThat(fallbackThread.get(10, TimeUnit.SECONDS)).isEqualTo("resilience-pool");
        assertThat(fallbackSaw.get(10, TimeUnit.SECONDS)).isEqualTo(A);
        assertThat(leftOnPool()).isEqualTo(NONE);
    }
}
