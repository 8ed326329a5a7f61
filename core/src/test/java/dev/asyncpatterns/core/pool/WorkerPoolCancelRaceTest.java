package dev.asyncpatterns.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Cancellation racing with running jobs, for the lock-free run state of WorkerPool's tasks: an
 * interrupt meant for a cancelled job never reaches the next job, and every job is counted once.
 */
class WorkerPoolCancelRaceTest {

    @Test
    void cancelWhileRunning_racingCompletion_noInterruptLeaksAndEveryJobCountedOnce() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        int jobs = 20_000;
        AtomicInteger startedInterrupted = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        WorkerPool<Integer, Integer> pool = WorkerPool.<Integer, Integer>blockingBuilder(spins -> {
                    if (Thread.currentThread().isInterrupted()) {
                        startedInterrupted.incrementAndGet();
                    }
                    ran.incrementAndGet();
                    for (int i = 0; i < spins; i++) {
                        Thread.onSpinWait();
                    }
                    return spins;
                })
                .workers(4)
                .queueCapacity(64)
                .name("cancel-race")
                .build();
        List<CompletableFuture<Integer>> futures = new ArrayList<>(jobs);
        int cancelCalls = 0;
        for (int i = 0; i < jobs; i++) {
            CompletableFuture<Integer> f = pool.submit(random.nextInt(2_000));
            futures.add(f);
            if (i >= 3 && random.nextBoolean()) {
                // cancel one of the last few: queued, running or just finished
                futures.get(i - random.nextInt(4)).cancel(true);
                cancelCalls++;
            }
        }
        CompletableFuture.allOf(
                        futures.stream().map(f -> f.handle((v, e) -> null)).toArray(CompletableFuture[]::new))
                .get(30, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(pool.awaitTerminationBlocking(Duration.ofSeconds(30))).isTrue();
        WorkerPool.Stats stats = pool.stats();
        long cancelledFutures =
                futures.stream().filter(CompletableFuture::isCancelled).count();
        long succeededFutures = futures.stream()
                .filter(f -> f.isDone() && !f.isCompletedExceptionally())
                .count();
        System.out.printf(
                "workerpool-cancel-race seed=%d jobs=%d cancelCalls=%d ran=%d succeeded=%d failed=%d cancelled=%d"
                        + " cancelledFutures=%d startedInterrupted=%d%n",
                seed,
                jobs,
                cancelCalls,
                ran.get(),
                stats.succeeded(),
                stats.failed(),
                stats.cancelled(),
                cancelledFutures,
                startedInterrupted.get());
        assertThat(startedInterrupted.get()).isZero();
        assertThat(stats.failed()).isZero();
        assertThat(stats.succeeded() + stats.cancelled()).isEqualTo(stats.submitted());
        assertThat(stats.succeeded()).isEqualTo(succeededFutures);
        assertThat(succeededFutures + cancelledFutures).isEqualTo(jobs);
        // withdrawn while waiting for room: cancelled but never accepted, so not in the pool's count
        assertThat(stats.cancelled()).isLessThanOrEqualTo(cancelledFutures);
    }
}
