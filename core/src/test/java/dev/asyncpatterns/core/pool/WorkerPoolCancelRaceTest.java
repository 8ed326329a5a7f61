package dev.asyncpatterns.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Cancellation racing with running jobs, for the lock-free run state of WorkerPool's tasks: an
 * interrupt meant for a cancelled job never reaches the next job, and every job is counted once.
 *
 * <p>A job may legitimately start with its thread interrupted: it was cancelled between the
 * worker's last look at its future and the handler's first line, and the interrupt is meant for
 * it. What must never happen is a job starting interrupted when nobody asked to cancel it. The
 * test marks a job before cancelling it, and the mark happens-before the cancel, hence before any
 * interrupt that cancel delivers; so an interrupted start of an unmarked job is a leaked interrupt.
 *
 * <p>Likewise a job may be counted as succeeded while its future ends up cancelled: the worker
 * counts a job before completing its future (so that whoever sees the result sees it counted), and
 * a cancel can land in between, most often when the worker is descheduled there. Such a job's
 * handler did run and return; what must never happen is a succeeded count for a job whose handler
 * did not run, or a job counted twice.
 */
class WorkerPoolCancelRaceTest {

    @Test
    void cancelWhileRunning_racingCompletion_noInterruptLeaksAndEveryJobCountedOnce() throws Exception {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        int jobs = 20_000;
        int[] spinsOf = new int[jobs];
        for (int i = 0; i < jobs; i++) {
            spinsOf[i] = random.nextInt(2_000);
        }
        AtomicIntegerArray cancelRequested = new AtomicIntegerArray(jobs);
        AtomicIntegerArray handled = new AtomicIntegerArray(jobs); // its handler ran
        AtomicInteger startedInterrupted = new AtomicInteger(); // by its own cancellation: allowed
        AtomicInteger leakedInterrupts = new AtomicInteger(); // not cancelled, yet interrupted
        AtomicInteger ran = new AtomicInteger();
        WorkerPool<Integer, Integer> pool = WorkerPool.<Integer, Integer>blockingBuilder(index -> {
                    if (Thread.currentThread().isInterrupted()) {
                        startedInterrupted.incrementAndGet();
                        if (cancelRequested.get(index) == 0) {
                            leakedInterrupts.incrementAndGet();
                        }
                    }
                    ran.incrementAndGet();
                    handled.set(index, 1);
                    int spins = spinsOf[index];
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
            CompletableFuture<Integer> f = pool.submit(i);
            futures.add(f);
            if (i >= 3 && random.nextBoolean()) {
                // cancel one of the last few: queued, running or just finished
                int victim = i - random.nextInt(4);
                cancelRequested.set(victim, 1); // before cancel(true), so before its interrupt
                futures.get(victim).cancel(true);
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
        long handledButCancelled = IntStream.range(0, jobs)
                .filter(i -> handled.get(i) == 1 && futures.get(i).isCancelled())
                .count();
        System.out.printf(
                "workerpool-cancel-race seed=%d jobs=%d cancelCalls=%d ran=%d succeeded=%d failed=%d cancelled=%d"
                        + " cancelledFutures=%d handledButCancelled=%d startedInterrupted=%d leakedInterrupts=%d%n",
                seed,
                jobs,
                cancelCalls,
                ran.get(),
                stats.succeeded(),
                stats.failed(),
                stats.cancelled(),
                cancelledFutures,
                handledButCancelled,
                startedInterrupted.get(),
                leakedInterrupts.get());
        assertThat(leakedInterrupts.get())
                .as("jobs started with an interrupt nobody sent them")
                .isZero();
        assertThat(stats.failed()).isZero();
        assertThat(stats.succeeded() + stats.cancelled()).isEqualTo(stats.submitted());
        // every job whose future succeeded is counted as succeeded; the only others counted so are
        // jobs whose handler ran and whose future was cancelled between count and completion
        assertThat(stats.succeeded()).isGreaterThanOrEqualTo(succeededFutures);
        assertThat(stats.succeeded())
                .as("succeeded count beyond the succeeded futures: only handled jobs cancelled afterwards")
                .isLessThanOrEqualTo(succeededFutures + handledButCancelled);
        assertThat(succeededFutures + cancelledFutures).isEqualTo(jobs);
        // withdrawn while waiting for room: cancelled but never accepted, so not in the pool's count
        assertThat(stats.cancelled()).isLessThanOrEqualTo(cancelledFutures);
    }
}
