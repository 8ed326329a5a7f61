package dev.asyncpatterns.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.common.testing.NullPointerTester;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ThreadFactory PLATFORM =
            Thread.ofPlatform().daemon().name("test-platform-worker-", 0).factory();
    private final VirtualClock clock = VirtualClock.create();
    private final List<WorkerPool<?, ?>> pools = new ArrayList<>();

    @AfterEach
    void stopPools() {
        pools.forEach(WorkerPool::shutdownNow);
    }

    private <J, R> WorkerPool<J, R> track(WorkerPool<J, R> pool) {
        pools.add(pool);
        return pool;
    }

    private static Throwable failure(CompletableFuture<?> future) {
        await().atMost(WAIT).until(future::isDone);
        try {
            future.join();
            throw new AssertionError("did not fail");
        } catch (CompletionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        }
    }

    private static <T> T result(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- processing

    @Test
    void submit_completesWithHandlerResult() throws Exception {
        WorkerPool<Integer, Integer> pool =
                track(WorkerPool.<Integer, Integer>builder(n -> CompletableFuture.completedFuture(n * 2))
                        .workers(3)
                        .name("doubler")
                        .build());
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            results.add(pool.submit(i));
        }
        for (int i = 0; i < 1_000; i++) {
            assertThat(result(results.get(i))).isEqualTo(i * 2);
        }
        WorkerPool.Stats stats = pool.stats();
        assertThat(stats.succeeded()).isEqualTo(1_000);
        assertThat(stats.perWorker()).hasSize(3);
        assertThat(stats.perWorker().stream()
                        .mapToLong(WorkerPool.WorkerStats::succeeded)
                        .sum())
                .isEqualTo(1_000);
        assertThat(stats.submitted()).isEqualTo(1_000);
        assertThat(stats.name()).isEqualTo("doubler");
    }

    @Test
    void blockingHandler_runsOnVirtualWorkerThreads() throws Exception {
        WorkerPool<String, Boolean> pool = track(WorkerPool.<String, Boolean>blockingBuilder(
                        s -> Thread.currentThread().isVirtual()
                                && Thread.currentThread().getName().startsWith("vt-pool-worker-"))
                .name("vt-pool")
                .workers(2)
                .build());
        assertThat(result(pool.submit("x"))).isTrue();
    }

    @Test
    void maxInFlight_fiveWorkersAtMostThreeRunning() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        var gates = new ConcurrentHashMap<Integer, CompletableFuture<Integer>>();
        WorkerPool<Integer, Integer> pool = track(WorkerPool.<Integer, Integer>builder(job -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    return gates.computeIfAbsent(job, k -> new CompletableFuture<>())
                            .whenComplete((r, e) -> running.decrementAndGet());
                })
                .workers(5)
                .maxInFlight(3)
                .build());
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            results.add(pool.submit(i));
        }
        await().atMost(WAIT).until(() -> gates.size() == 3);
        assertThat(pool.stats().inFlight()).isEqualTo(3);
        // release whichever jobs are running (the limit, not the queue order, decides which)
        await().atMost(WAIT).until(() -> {
            gates.forEach((job, gate) -> gate.complete(job));
            return results.stream().allMatch(CompletableFuture::isDone);
        });
        for (CompletableFuture<Integer> r : results) {
            result(r);
        }
        assertThat(maxRunning.get()).isEqualTo(3);
    }

    // ---------------------------------------------------------------- failure isolation

    @Test
    void handlerFailures_failThatJobOnly_workerSurvives() throws Exception {
        WorkerPool<String, String> pool = track(WorkerPool.<String, String>builder(job -> switch (job) {
                    case "throw" -> throw new IllegalArgumentException("bad job");
                    case "error" -> throw new StackOverflowError("deep");
                    case "null" -> null;
                    case "failed" -> CompletableFuture.failedFuture(new IllegalStateException("async failure"));
                    default -> CompletableFuture.completedFuture(job.toUpperCase());
                })
                .workers(1)
                .build());
        assertThat(failure(pool.submit("throw"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(pool.submit("error"))).isInstanceOf(StackOverflowError.class);
        assertThat(failure(pool.submit("null")))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("null");
        assertThat(failure(pool.submit("failed"))).isInstanceOf(IllegalStateException.class);
        assertThat(result(pool.submit("ok"))).isEqualTo("OK");
        await().atMost(WAIT).until(() -> pool.stats().succeeded() == 1);
        assertThat(pool.stats().failed()).isEqualTo(4);
    }

    @Test
    void blockingHandlerFailures_failThatJobOnly_nullIsAResult() throws Exception {
        WorkerPool<String, String> pool = track(WorkerPool.<String, String>blockingBuilder(job -> switch (job) {
                    case "throw" -> throw new IllegalArgumentException("bad job");
                    case "error" -> throw new StackOverflowError("deep");
                    case "null" -> null;
                    default -> job.toUpperCase();
                })
                .workers(1)
                .build());
        assertThat(failure(pool.submit("throw"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(pool.submit("error"))).isInstanceOf(StackOverflowError.class);
        assertThat(result(pool.submit("null"))).isNull();
        assertThat(result(pool.submit("ok"))).isEqualTo("OK");
        await().atMost(WAIT).until(() -> pool.stats().succeeded() == 2);
        assertThat(pool.stats().failed()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- idle workers

    @Test
    void idleWorkers_burstOfJobs_everyWorkerTakesOneAtOnce() throws Exception {
        burstToIdleWorkers_everyWorkerTakesOneAtOnce(Thread.ofVirtual().factory());
    }

    @Test
    void idlePlatformWorkers_burstOfJobs_everyWorkerTakesOneAtOnce() throws Exception {
        // platform workers take turns waiting on the queue: the turn must reach every one of them
        burstToIdleWorkers_everyWorkerTakesOneAtOnce(PLATFORM);
    }

    @Test
    void idlePlatformWorkers_shutdown_everyWorkerExits() throws Exception {
        WorkerPool<Integer, Integer> pool = track(WorkerPool.<Integer, Integer>blockingBuilder(n -> n)
                .workers(8)
                .threadFactory(PLATFORM)
                .build());
        assertThat(result(pool.submit(1))).isEqualTo(1);
        result(pool.shutdown());
        assertThat(pool.terminated()).isCompleted();
    }

    @Test
    void idlePlatformWorkers_shutdownNow_everyWorkerExits() throws Exception {
        WorkerPool<Integer, Integer> pool = track(WorkerPool.<Integer, Integer>blockingBuilder(n -> n)
                .workers(8)
                .threadFactory(PLATFORM)
                .build());
        assertThat(result(pool.submit(1))).isEqualTo(1);
        assertThat(result(pool.shutdownNow())).isEmpty();
        assertThat(pool.terminated()).isCompleted();
    }

    @Test
    void platformWorkers_shutdownRacingTurnHandOffs_everyJobSettledOnceAndEveryWorkerExits() throws Exception {
        int rounds = 40;
        int jobs = 200;
        long succeeded = 0;
        long cancelled = 0;
        for (int round = 0; round < rounds; round++) {
            WorkerPool<Integer, Integer> pool = track(WorkerPool.<Integer, Integer>blockingBuilder(n -> n)
                    .workers(4)
                    .threadFactory(PLATFORM)
                    .build());
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                results.add(pool.submit(i)); // idle workers pass the turn while these arrive
            }
            CompletableFuture<?> end = round % 2 == 0 ? pool.shutdown() : pool.shutdownNow();
            result(end);
            for (int i = 0; i < jobs; i++) {
                CompletableFuture<Integer> r = results.get(i);
                assertThat(r).isDone();
                if (r.isCancelled()) {
                    cancelled++;
                } else {
                    assertThat(r.join()).isEqualTo(i);
                    succeeded++;
                }
            }
            WorkerPool.Stats stats = pool.stats();
            assertThat(stats.succeeded() + stats.cancelled()).isEqualTo(jobs);
            assertThat(stats.submitted()).isEqualTo(jobs);
            assertThat(stats.depth()).isZero();
        }
        System.out.println("workerpool-platform-shutdown-race rounds=" + rounds + " jobs=" + rounds * jobs
                + " succeeded=" + succeeded + " cancelled=" + cancelled);
        assertThat(succeeded + cancelled).isEqualTo((long) rounds * jobs);
    }

    private void burstToIdleWorkers_everyWorkerTakesOneAtOnce(ThreadFactory threads) throws Exception {
        int workers = 4;
        int rounds = 3;
        var allRunning = new CountDownLatch[rounds]; // a job of round r returns once all four of round r run
        for (int r = 0; r < rounds; r++) {
            allRunning[r] = new CountDownLatch(workers);
        }
        WorkerPool<Integer, Boolean> pool = track(WorkerPool.<Integer, Boolean>blockingBuilder(round -> {
                    allRunning[round].countDown();
                    try {
                        return allRunning[round].await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                })
                .workers(workers)
                .threadFactory(threads)
                .build());
        for (int round = 0; round < rounds; round++) { // idle in between: each burst wakes the idle ones again
            List<CompletableFuture<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                results.add(pool.submit(round));
            }
            for (CompletableFuture<Boolean> r : results) {
                assertThat(result(r)).isTrue();
            }
        }
        assertThat(pool.stats().perWorker())
                .allSatisfy(w -> assertThat(w.succeeded()).isEqualTo(rounds));
    }

    // ---------------------------------------------------------------- backpressure and cancellation

    @Test
    void submit_queueFull_waitsAndCancelWithdrawsJob() throws Exception {
        var gate = new CompletableFuture<String>();
        List<String> ran = new CopyOnWriteArrayList<>();
        WorkerPool<String, String> pool = track(WorkerPool.<String, String>builder(job -> {
                    ran.add(job);
                    return job.equals("block") ? gate : CompletableFuture.completedFuture(job);
                })
                .workers(1)
                .queueCapacity(1)
                .build());
        CompletableFuture<String> blocking = pool.submit("block");
        await().atMost(WAIT).until(() -> ran.contains("block"));
        CompletableFuture<String> queued = pool.submit("queued");
        CompletableFuture<String> waiting = pool.submit("waiting");
        assertThatThrownBy(() -> pool.trySubmit("rejected"))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("full");
        assertThat(waiting.cancel(false)).isTrue();
        assertThat(queued.cancel(false)).isTrue();
        gate.complete("done");
        assertThat(result(blocking)).isEqualTo("done");
        assertThat(result(pool.submit("after"))).isEqualTo("after");
        assertThat(ran).containsExactly("block", "after");
        assertThat(pool.stats().cancelled()).isEqualTo(1); // "queued" skipped by the worker
    }

    @Test
    void cancelRunningJob_cancelsStageAndInterruptsBlockingHandler_nextJobUnaffected() throws Exception {
        var interrupted = new CompletableFuture<Boolean>();
        var started = new CountDownLatch(1);
        WorkerPool<String, String> pool = track(WorkerPool.<String, String>blockingBuilder(job -> {
                    if (job.equals("slow")) {
                        started.countDown();
                        try {
                            new CompletableFuture<Void>().get();
                        } catch (InterruptedException e) {
                            interrupted.complete(true);
                            throw new IllegalStateException("interrupted");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return job + (Thread.currentThread().isInterrupted() ? "-interrupted" : "");
                })
                .workers(1)
                .build());
        CompletableFuture<String> slow = pool.submit("slow");
        assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        slow.cancel(true);
        assertThat(result(interrupted)).isTrue();
        assertThat(result(pool.submit("next"))).isEqualTo("next");
        await().atMost(WAIT).until(() -> pool.stats().cancelled() == 1);
    }

    @Test
    void cancelRunningAsyncJob_cancelsHandlerStage() throws Exception {
        var stage = new CompletableFuture<String>();
        WorkerPool<String, String> pool = track(
                WorkerPool.<String, String>builder(job -> stage).workers(1).build());
        CompletableFuture<String> job = pool.submit("x");
        await().atMost(WAIT).until(() -> pool.stats().inFlight() == 1);
        job.cancel(true);
        await().atMost(WAIT).until(stage::isCancelled);
    }

    // ---------------------------------------------------------------- shutdown

    @Test
    void shutdown_finishesQueuedWork_refusesNewWork() throws Exception {
        var gate = new CompletableFuture<Void>();
        WorkerPool<Integer, Integer> pool =
                track(WorkerPool.<Integer, Integer>builder(n -> gate.thenApply(ignored -> n))
                        .workers(2)
                        .queueCapacity(100)
                        .build());
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            results.add(pool.submit(i));
        }
        CompletableFuture<Void> terminated = pool.shutdown();
        assertThat(pool.isShutdown()).isTrue();
        assertThat(failure(pool.submit(99))).isInstanceOf(ClosedException.class).hasMessageContaining("shut down");
        assertThatThrownBy(() -> pool.trySubmit(99)).isInstanceOf(ClosedException.class);
        assertThatThrownBy(() -> pool.submitBlocking(99)).isInstanceOf(ClosedException.class);
        assertThat(terminated).isNotDone();
        gate.complete(null);
        for (int i = 0; i < 50; i++) {
            assertThat(result(results.get(i))).isEqualTo(i);
        }
        result(terminated);
        assertThat(pool.terminated()).isCompleted();
    }

    @Test
    void shutdown_failsSubmittersWaitingForRoom() {
        var gate = new CompletableFuture<Integer>();
        WorkerPool<Integer, Integer> pool = track(WorkerPool.<Integer, Integer>builder(n -> gate)
                .workers(1)
                .queueCapacity(1)
                .build());
        pool.submit(1);
        await().atMost(WAIT).until(() -> pool.stats().inFlight() == 1);
        pool.submit(2);
        CompletableFuture<Integer> waiting = pool.submit(3);
        pool.shutdown();
        assertThat(failure(waiting)).isInstanceOf(ClosedException.class);
        gate.complete(0);
    }

    @Test
    void shutdownNow_returnsUnstartedAndCancelsRunning() throws Exception {
        var stage = new CompletableFuture<Integer>();
        WorkerPool<Integer, Integer> pool = track(
                WorkerPool.<Integer, Integer>builder(n -> stage).workers(1).build());
        CompletableFuture<Integer> running = pool.submit(1);
        await().atMost(WAIT).until(() -> pool.stats().inFlight() == 1);
        CompletableFuture<Integer> queued2 = pool.submit(2);
        CompletableFuture<Integer> queued3 = pool.submit(3);
        CompletableFuture<List<Integer>> unstarted = pool.shutdownNow();
        assertThat(queued2).isCancelled();
        assertThat(queued3).isCancelled();
        assertThat(running).isCancelled();
        assertThat(stage).isCancelled();
        assertThat(result(unstarted)).containsExactly(2, 3);
        assertThat(pool.terminated()).isCompleted();
        assertThat(pool.stats().cancelled()).isEqualTo(3);
    }

    @Test
    void shutdownNow_afterShutdown_stillReturnsQueuedJobs() throws Exception {
        var stage = new CompletableFuture<Integer>();
        WorkerPool<Integer, Integer> pool = track(
                WorkerPool.<Integer, Integer>builder(n -> stage).workers(1).build());
        CompletableFuture<Integer> running = pool.submit(1);
        await().atMost(WAIT).until(() -> pool.stats().inFlight() == 1);
        CompletableFuture<Integer> queued = pool.submit(2);
        pool.shutdown();
        assertThat(result(pool.shutdownNow())).containsExactly(2);
        assertThat(queued).isCancelled();
        assertThat(running).isCancelled();
        result(pool.terminated());
    }

    @Test
    void awaitTerminationBlocking_timesOutOnVirtualClock_thenSucceeds() throws Exception {
        var stage = new CompletableFuture<Integer>();
        WorkerPool<Integer, Integer> pool = track(WorkerPool.<Integer, Integer>builder(n -> stage)
                .workers(1)
                .timeSource(clock)
                .build());
        pool.submit(1);
        pool.shutdown();
        var awaited = new CompletableFuture<Boolean>();
        Thread.ofVirtual().start(() -> {
            try {
                awaited.complete(pool.awaitTerminationBlocking(Duration.ofSeconds(10)));
            } catch (Throwable t) {
                awaited.completeExceptionally(t);
            }
        });
        await().atMost(WAIT).until(() -> clock.pendingTimers() == 1);
        clock.advance(Duration.ofSeconds(10));
        assertThat(result(awaited)).isFalse();
        stage.complete(1);
        assertThat(pool.awaitTerminationBlocking(Duration.ofDays(1))).isTrue();
    }

    @Test
    void shutdownMidWork_everyAcceptedJobRunsExactlyOnce_noneRejectedRuns() throws Exception {
        int producers = 4;
        int perProducer = 5_000;
        var runs = new ConcurrentHashMap<Integer, AtomicInteger>();
        WorkerPool<Integer, Integer> pool = track(WorkerPool.<Integer, Integer>blockingBuilder(n -> {
                    runs.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
                    return n;
                })
                .workers(4)
                .queueCapacity(16)
                .build());
        var accepted = new ConcurrentHashMap<Integer, CompletableFuture<Integer>>();
        var rejected = ConcurrentHashMap.<Integer>newKeySet();
        List<Thread> threads = new ArrayList<>();
        var halfway = new CountDownLatch(producers);
        var shutdownIssued = new CountDownLatch(1);
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < perProducer; i++) {
                    int job = id * perProducer + i;
                    if (i == perProducer / 2) {
                        halfway.countDown();
                        try {
                            shutdownIssued.await(); // the second half meets a pool shutting down
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    CompletableFuture<Integer> f = pool.submit(job);
                    f.whenComplete((r, e) -> {
                        if (e != null && (e instanceof ClosedException || e.getCause() instanceof ClosedException)) {
                            rejected.add(job);
                        }
                    });
                    accepted.put(job, f);
                    if (i % 2 == 0) {
                        f.exceptionally(e -> null).join(); // pace half the submissions
                    }
                }
            }));
        }
        assertThat(halfway.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        shutdownIssued.countDown();
        for (Thread t : threads) {
            assertThat(t.join(WAIT)).isTrue();
        }
        result(pool.terminated());
        int completed = 0;
        for (var entry : accepted.entrySet()) {
            CompletableFuture<Integer> f = entry.getValue();
            assertThat(f).isDone();
            if (rejected.contains(entry.getKey())) {
                assertThat(runs).doesNotContainKey(entry.getKey());
            } else {
                assertThat(f).isCompletedWithValue(entry.getKey());
                assertThat(runs.get(entry.getKey()).get()).isEqualTo(1);
                completed++;
            }
        }
        System.out.printf(
                "pool-shutdown-mid-work submitted=%d completed=%d rejected=%d lost=0 duplicated=0%n",
                accepted.size(), completed, rejected.size());
        assertThat(completed + rejected.size()).isEqualTo(producers * perProducer);
        assertThat(rejected).hasSizeGreaterThanOrEqualTo(producers * (perProducer / 2 - 1));
        assertThat(runs).hasSize(completed);
        assertThat(pool.stats().succeeded()).isEqualTo(completed);
    }

    // ---------------------------------------------------------------- stats and time

    @Test
    void stats_busyTimeMeasuredOnInjectedClock() throws Exception {
        var stage = new CompletableFuture<Integer>();
        WorkerPool<Integer, Integer> pool = track(WorkerPool.<Integer, Integer>builder(n -> stage)
                .workers(2)
                .timeSource(clock)
                .build());
        CompletableFuture<Integer> job = pool.submit(1);
        await().atMost(WAIT).until(() -> pool.stats().inFlight() == 1);
        clock.advance(Duration.ofSeconds(5));
        stage.complete(7);
        assertThat(result(job)).isEqualTo(7);
        await().atMost(WAIT).until(() -> pool.stats().busyTime().equals(Duration.ofSeconds(5)));
        assertThat(pool.stats().perWorker().stream().map(WorkerPool.WorkerStats::busyTime))
                .containsExactlyInAnyOrder(Duration.ofSeconds(5), Duration.ZERO);
        assertThat(pool.toString()).contains("workers=2");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInput_rejectedWithNamedParameter() {
        var builder = WorkerPool.<Integer, Integer>builder(CompletableFuture::completedFuture);
        for (int bad : new int[] {0, -1, 10_001, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> WorkerPool.<Integer, Integer>builder(CompletableFuture::completedFuture)
                            .workers(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("workers")
                    .hasMessageContaining("" + bad);
        }
        assertThatThrownBy(() -> builder.maxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxInFlight");
        assertThatThrownBy(() -> builder.queueCapacity(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queueCapacity");
        assertThatThrownBy(() -> builder.queueCapacity(Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorkerPool.builder(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("handler");
        assertThatThrownBy(() -> builder.workers(2).workers(3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("workers");
        WorkerPool<Integer, Integer> pool =
                track(WorkerPool.<Integer, Integer>builder(CompletableFuture::completedFuture)
                        .workers(1)
                        .build());
        assertThatThrownBy(() -> pool.submit(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("job");
        assertThatThrownBy(() -> pool.awaitTerminationBlocking(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
        new NullPointerTester().setDefault(int.class, 1).testAllPublicInstanceMethods(pool);
        new NullPointerTester().testAllPublicStaticMethods(WorkerPool.class);
    }
}
