package dev.asyncpatterns.examples;

import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import dev.asyncpatterns.core.pool.WorkerPool;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.micrometer.MemoizedFunctionMetrics;
import dev.asyncpatterns.micrometer.QueueMetrics;
import dev.asyncpatterns.micrometer.ResilienceMetrics;
import dev.asyncpatterns.micrometer.SemaphoreMetrics;
import dev.asyncpatterns.micrometer.WorkerPoolMetrics;
import dev.asyncpatterns.resilience.AsyncResilience;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Example 14: operating the toolkit. A few named components do some work — a semaphore bounding
 * calls to a slow "database", a bounded queue feeding a worker pool, a memoized lookup, a retried
 * call — bound to a Prometheus registry with the {@code async-patterns-micrometer} binders; the
 * program then prints the scrape an operator's Prometheus would see, and reads the same figures
 * back from the components' own {@code stats()}.
 */
final class Metrics implements Example {

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public String description() {
        return "named components bound to Micrometer; prints a Prometheus scrape and the stats behind it";
    }

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

        // a semaphore: at most 2 "database" calls at a time
        var db = SemaphoreMetrics.monitor(
                registry, AsyncSemaphore.builder(2).name("db-connections").build());
        // a bounded queue feeding a worker pool
        AsyncQueue<String> orders = QueueMetrics.monitor(
                registry, AsyncQueue.<String>builder(8).name("orders").build());
        WorkerPool<String, String> resize = WorkerPoolMetrics.monitor(
                registry,
                WorkerPool.<String, String>builder(job -> job.endsWith("7")
                                ? CompletableFuture.failedFuture(new IOException("corrupt image " + job))
                                : CompletableFuture.completedFuture(job + ".png"))
                        .name("resize")
                        .workers(2)
                        .queueCapacity(16)
                        .build());
        // a memoized lookup
        MemoizedFunction<Integer, String> users = MemoizedFunctionMetrics.monitor(
                registry,
                AsyncCaches.builder()
                        .maximumSize(100)
                        .name("user-lookup")
                        .memoize((Integer id) -> CompletableFuture.completedFuture("user-" + id)));
        // a retried call whose durations are recorded from its events
        var flaky = new AtomicInteger();
        AsyncResilience<String> prices = ResilienceMetrics.monitor(
                registry,
                AsyncResilience.<String>builder("prices")
                        .retry(Retry.of(
                                "prices",
                                RetryConfig.custom()
                                        .maxAttempts(3)
                                        .waitDuration(Duration.ofMillis(5))
                                        .build()))
                        .onEvent(ResilienceMetrics.timers(registry))
                        .build());

        // ---- some work
        var gate = new CompletableFuture<Void>();
        List<CompletableFuture<Void>> queries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queries.add(db.withPermit(() -> gate)); // 2 run, 3 wait
        }
        out.printf("db-connections while 5 queries want 2 permits: %s%n", db.stats());
        gate.complete(null);
        CompletableFuture.allOf(queries.toArray(CompletableFuture[]::new)).join();

        for (int i = 1; i <= 10; i++) {
            orders.put("img-" + i).join();
            resize.submit(orders.take().join()).exceptionally(e -> null);
            orders.taskDone();
        }
        resize.shutdown().join();

        for (int id : new int[] {1, 2, 1, 1, 3, 2}) {
            users.apply(id).join();
        }
        for (int i = 0; i < 4; i++) {
            prices.call(() -> flaky.incrementAndGet() % 3 == 1
                            ? CompletableFuture.failedFuture(new IOException("503"))
                            : CompletableFuture.completedFuture("42"))
                    .join();
        }

        // ---- what an operator sees
        out.println();
        out.println("GET /metrics (the asyncpatterns_* lines of the Prometheus scrape):");
        registry.scrape()
                .lines()
                .filter(line -> line.contains("asyncpatterns_"))
                .filter(line -> !line.startsWith("# HELP"))
                .forEach(line -> out.println("  " + line));

        out.println();
        out.println("the same figures from stats():");
        out.println("  " + db.stats());
        out.println("  " + orders.stats());
        var pool = resize.stats();
        out.printf(
                "  WorkerPool.Stats[name=%s, submitted=%d, succeeded=%d, failed=%d, depth=%d]%n",
                pool.name(), pool.submitted(), pool.succeeded(), pool.failed(), pool.depth());
        var cache = users.stats();
        out.printf(
                "  MemoizedFunction.Stats[name=%s, hits=%d, misses=%d, hitRatio=%.2f]%n",
                cache.name(), cache.hits(), cache.misses(), cache.hitRatio());
        var calls = prices.stats();
        out.printf(
                "  AsyncResilience.Stats[name=%s, calls=%d, succeeded=%d, attempts=%d, retries=%d]%n",
                calls.name(), calls.calls(), calls.succeeded(), calls.attempts(), calls.retries());
        registry.close();
    }
}
