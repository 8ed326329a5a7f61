package dev.asyncpatterns.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asyncpatterns.core.time.TimeSource;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Races caller cancellation, attempt timeouts, deadlines, hedge cancellation and completion on
 * real threads and the system time source, then checks at quiescence that every permit came back
 * and no call the decorator started was left running.
 */
class AsyncResilienceStressTest {

    @Test
    void cancelTimeoutAndCompleteRaces_leakNoPermitAndOrphanNoCall() throws Exception {
        long seed = Long.getLong("resilience.seed", System.nanoTime());
        boolean longRun = "long".equals(System.getenv("STRESS"));
        int threads = 8;
        int callsPerThread = longRun ? 20_000 : 1_500;
        int permits = 32;
        int outstandingPerThread = 16;
        var time = TimeSource.system();
        var bulkhead = Bulkhead.of(
                "bh",
                BulkheadConfig.custom()
                        .maxConcurrentCalls(permits)
                        .maxWaitDuration(Duration.ZERO)
                        .build());
        var breaker = CircuitBreaker.of(
                "cb",
                CircuitBreakerConfig.custom()
                        .slidingWindowSize(100)
                        .failureRateThreshold(95)
                        .build());
        var retry = Retry.of(
                "retry",
                RetryConfig.custom()
                        .maxAttempts(3)
                        .waitDuration(Duration.ofMillis(1))
                        .build());
        var policy = AsyncResilience.<Integer>builder("stress")
                .timeSource(time)
                .bulkhead(bulkhead)
                .circuitBreaker(breaker)
                .retry(retry)
                .attemptTimeout(Duration.ofMillis(20))
                .deadline(Duration.ofMillis(100))
                .hedging(Hedging.afterDelay(Duration.ofMillis(2), 1))
                .build();
        var started = new ConcurrentLinkedQueue<CompletableFuture<Integer>>();
        var results = new ConcurrentLinkedQueue<CompletableFuture<Integer>>();
        var ready = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();

        for (int t = 0; t < threads; t++) {
            var random = new SplittableRandom(seed + t);
            workers.add(Thread.ofPlatform().start(() -> {
                ready.countDown();
                var outstanding = new java.util.ArrayDeque<CompletableFuture<Integer>>();
                for (int i = 0; i < callsPerThread; i++) {
                    if (outstanding.size() >= outstandingPerThread) {
                        // pace the worker by its oldest call (a worker thread may wait; the library never does)
                        outstanding.poll().handle((v, e) -> null).join();
                    }
                    int behaviour = random.nextInt(10);
                    int delayMillis = random.nextInt(4);
                    var result = policy.call(() -> {
                        var call = new CompletableFuture<Integer>();
                        started.add(call);
                        if (behaviour < 6) {
                            time.schedule(Duration.ofMillis(delayMillis), () -> call.complete(1));
                        } else if (behaviour < 8) {
                            time.schedule(
                                    Duration.ofMillis(delayMillis),
                                    () -> call.completeExceptionally(new IOException("flaky")));
                        } // else never completes: only a timeout, deadline or cancel ends it
                        return call;
                    });
                    results.add(result);
                    outstanding.add(result);
                    if (random.nextInt(4) == 0) {
                        result.cancel(true);
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }

        await().atMost(30, TimeUnit.SECONDS).until(() -> results.stream().allMatch(CompletableFuture::isDone));
        await().atMost(30, TimeUnit.SECONDS)
                .until(() -> started.stream().allMatch(CompletableFuture::isDone)
                        && bulkhead.getMetrics().getAvailableConcurrentCalls() == permits);

        var stats = policy.stats();
        long orphaned = started.stream().filter(f -> !f.isDone()).count();
        int leakedPermits = permits - bulkhead.getMetrics().getAvailableConcurrentCalls();
        System.out.printf(
                "resilience-race seed=%d threads=%d calls=%d succeeded=%d failed=%d cancelled=%d "
                        + "attempts=%d hedges=%d started=%d leakedPermits=%d orphanedCalls=%d%n",
                seed,
                threads,
                stats.calls(),
                stats.succeeded(),
                stats.failed(),
                stats.cancelled(),
                stats.attempts(),
                stats.hedges(),
                started.size(),
                leakedPermits,
                orphaned);
        assertThat(leakedPermits).isZero();
        assertThat(orphaned).isZero();
        assertThat(stats.calls()).isEqualTo((long) threads * callsPerThread);
        assertThat(stats.succeeded() + stats.failed() + stats.cancelled()).isEqualTo(stats.calls());
        assertThat(results.stream().filter(CompletableFuture::isCancelled).count())
                .isEqualTo(stats.cancelled());
    }
}
