package dev.asyncpatterns.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.asyncpatterns.core.time.Cancellable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The system timer: one timer thread, due tasks handed in batches to reused virtual threads.
 * Real time appears only as lower bounds or generous upper bounds (10 s).
 */
class SystemTimeSourceTest {

    private static final String TIMER = "test-timer";

    private final AtomicInteger threadsMade = new AtomicInteger();
    private final ThreadFactory virtual =
            Thread.ofVirtual().name("test-runner-", 0).factory();
    private final ThreadFactory counting = r -> {
        threadsMade.incrementAndGet();
        return virtual.newThread(r);
    };
    private SystemTimeSource time = new SystemTimeSource(TIMER, counting);

    @AfterEach
    void stop() {
        time.shutdownNow();
    }

    // ---------------------------------------------------------------- ordering and threads

    @Test
    void schedule_shuffledDelaysOnOneRunner_runInDeadlineOrder() throws Exception {
        // one runner thread only (later starts fail and are retried), so the run order is the
        // hand-off order; with several runners, tasks due together may run in parallel
        time.shutdownNow();
        time = new SystemTimeSource(TIMER, r -> threadsMade.incrementAndGet() == 1 ? virtual.newThread(r) : null);
        List<Integer> delays = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            delays.add(i * 3);
        }
        Collections.shuffle(delays, new Random(42));
        // the deadline of timer i lies in [earliest[i], latest[i]] (the test thread may be descheduled
        // mid-loop on a loaded machine, so the shuffled delays alone do not fix the deadline order)
        long[] earliest = new long[delays.size()];
        long[] latest = new long[delays.size()];
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        var done = new CountDownLatch(delays.size());
        for (int i = 0; i < delays.size(); i++) {
            int timer = i;
            long nanos = Duration.ofMillis(delays.get(i)).toNanos();
            earliest[i] = System.nanoTime() + nanos;
            time.schedule(Duration.ofNanos(nanos), () -> {
                ran.add(timer);
                done.countDown();
            });
            latest[i] = System.nanoTime() + nanos;
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).hasSize(20);
        for (int k = 1; k < ran.size(); k++) {
            int before = ran.get(k - 1);
            int after = ran.get(k);
            assertThat(latest[after])
                    .as(
                            "timer %d (due by %d) ran after timer %d (due from %d)",
                            after, latest[after], before, earliest[before])
                    .isGreaterThanOrEqualTo(earliest[before]);
        }
    }

    @Test
    void schedule_burstOf10kDueTogether_runOnFewReusedVirtualThreadsNeverTheTimerThread() throws Exception {
        int n = 10_000;
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        var done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            time.schedule(Duration.ofMillis(5), () -> {
                threads.add(Thread.currentThread());
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        System.out.printf(
                "timer-burst tasks=%d distinctThreads=%d runnersStarted=%d%n", n, threads.size(), threadsMade.get());
        assertThat(threads).allSatisfy(t -> {
            assertThat(t.isVirtual()).isTrue();
            assertThat(t.getName()).isNotEqualTo(TIMER);
        });
        assertThat(threadsMade.get()).isLessThan(n / 2);
    }

    @Test
    void delay_dependentsRunOnRunnerWithCallersContext() throws Exception {
        // runners wait for the gate, so the delay cannot complete before its dependent is attached
        var gate = new CountDownLatch(1);
        time.shutdownNow();
        time = new SystemTimeSource(
                TIMER,
                r -> virtual.newThread(() -> {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    r.run();
                }));
        MDC.put("requestId", "r-1");
        CompletableFuture<String> seen;
        try {
            seen = time.delay(Duration.ofMillis(1))
                    .thenApply(ignored -> Thread.currentThread().getName() + "|" + MDC.get("requestId"));
        } finally {
            MDC.remove("requestId");
        }
        gate.countDown();
        String[] parts = seen.get(10, TimeUnit.SECONDS).split("\\|");
        assertThat(parts[0]).startsWith("test-runner-");
        assertThat(parts[1]).isEqualTo("r-1");
    }

    @Test
    void schedule_taskLeavesMdcAndInterrupt_nextTaskOnSameRunnerSeesNeither() throws Exception {
        var first = new CompletableFuture<Thread>();
        time.schedule(Duration.ZERO, () -> {
            MDC.put("leak", "x");
            Thread.currentThread().interrupt();
            first.complete(Thread.currentThread());
        });
        Thread runner = first.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> time.idleRunners() == 1);
        var second = new CompletableFuture<String>();
        time.schedule(
                Duration.ofMillis(1),
                () -> second.complete(Thread.currentThread().getName() + "|" + MDC.get("leak") + "|"
                        + Thread.currentThread().isInterrupted()));
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(runner.getName() + "|null|false");
        assertThat(threadsMade.get()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- blocking tasks

    @Test
    void schedule_blockingTask_doesNotDelayALaterTimer() throws Exception {
        var release = new CountDownLatch(1);
        var blockerDone = new CompletableFuture<Void>();
        time.schedule(Duration.ZERO, () -> {
            try {
                release.await(); // released only by the later timer: a stalled hand-off deadlocks
                blockerDone.complete(null);
            } catch (InterruptedException e) {
                blockerDone.completeExceptionally(e);
            }
        });
        time.schedule(Duration.ofMillis(20), release::countDown);
        blockerDone.get(10, TimeUnit.SECONDS);
    }

    @Test
    void schedule_hundredTasksDueTogetherThatEachWaitForAll_allRun() throws Exception {
        int n = 100;
        var allStarted = new CountDownLatch(n);
        var finished = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            time.schedule(Duration.ofMillis(5), () -> {
                allStarted.countDown();
                try {
                    if (allStarted.await(10, TimeUnit.SECONDS)) {
                        finished.countDown();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(finished.await(15, TimeUnit.SECONDS)).isTrue();
        System.out.printf("timer-blocking tasks=%d runnersStarted=%d%n", n, threadsMade.get());
        assertThat(threadsMade.get()).isGreaterThanOrEqualTo(n);
    }

    // ---------------------------------------------------------------- cancellation

    @Test
    void cancel_100kTimers_removesEveryEntryAndShrinksTheHeap() {
        int n = 100_000;
        List<Cancellable> timers = new ArrayList<>(n);
        List<CompletableFuture<Void>> delays = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            timers.add(time.schedule(Duration.ofHours(1), () -> {}));
            delays.add(time.delay(Duration.ofHours(1)));
        }
        int pendingBefore = time.pendingTimers();
        int capacityBefore = time.heapCapacity();
        int cancelled = 0;
        for (int i = 0; i < n; i++) {
            cancelled += timers.get(i).cancel() ? 1 : 0;
            cancelled += delays.get(i).cancel(false) ? 1 : 0;
        }
        int pendingAfter = time.pendingTimers();
        int capacityAfter = time.heapCapacity();
        System.out.printf(
                "timer-cancel timers=%d cancelled=%d pendingBefore=%d pendingAfter=%d heapSlotsBefore=%d heapSlotsAfter=%d%n",
                2 * n, cancelled, pendingBefore, pendingAfter, capacityBefore, capacityAfter);
        assertThat(pendingBefore).isEqualTo(2 * n);
        assertThat(cancelled).isEqualTo(2 * n);
        assertThat(pendingAfter).isZero();
        assertThat(capacityAfter).isLessThanOrEqualTo(128);
        assertThat(timers.get(0).cancel()).isFalse();
    }

    @Test
    void delay_cancelledOrFailedWithCancellation_removesItsTimer() {
        CompletableFuture<Void> cancelled = time.delay(Duration.ofHours(1));
        CompletableFuture<Void> failed = time.delay(Duration.ofHours(1));
        CompletableFuture<Void> kept = time.delay(Duration.ofHours(1));
        assertThat(time.pendingTimers()).isEqualTo(3);
        cancelled.cancel(true);
        failed.completeExceptionally(new java.util.concurrent.CancellationException("caller gave up"));
        assertThat(time.pendingTimers()).isEqualTo(1);
        kept.complete(null); // completed by hand: its timer fires later and finds it done
        assertThat(time.pendingTimers()).isEqualTo(1);
    }

    @Test
    void cancel_racingDueTimers_eachEitherRunsOrIsCancelledNeverBoth() throws Exception {
        int n = 20_000;
        AtomicInteger ran = new AtomicInteger();
        List<Cancellable> timers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            timers.add(time.schedule(Duration.ofNanos(i * 100L), ran::incrementAndGet));
        }
        int cancelled = 0;
        for (int i = n - 1; i >= 0; i--) {
            cancelled += timers.get(i).cancel() ? 1 : 0;
        }
        int cancelledTimers = cancelled;
        // a lost or doubly counted timer never reaches the sum: this then times out
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() + cancelledTimers == n);
        System.out.printf(
                "timer-cancel-race timers=%d ran=%d cancelled=%d pending=%d%n",
                n, ran.get(), cancelled, time.pendingTimers());
        assertThat(ran.get() + cancelled).isEqualTo(n);
        assertThat(time.pendingTimers()).isZero();
    }

    // ---------------------------------------------------------------- failures

    @Test
    void schedule_tasksThatThrowExceptionsAndErrors_otherTasksStillRun() throws Exception {
        var after = new CompletableFuture<Void>();
        time.schedule(Duration.ZERO, () -> {
            throw new IllegalStateException("boom (expected by the test)");
        });
        time.schedule(Duration.ZERO, () -> {
            throw new AssertionError("boom (expected by the test)");
        });
        time.schedule(Duration.ofMillis(5), () -> after.complete(null));
        after.get(10, TimeUnit.SECONDS);
        assertThat(after).isCompleted();
    }

    @Test
    void schedule_runnerFactoryFailsThreeTimes_everyTaskRunsAfterRetry() throws Exception {
        AtomicInteger failures = new AtomicInteger();
        time.shutdownNow();
        time = new SystemTimeSource(TIMER, r -> {
            int f = failures.incrementAndGet();
            if (f == 1) {
                return null;
            }
            if (f <= 3) {
                throw new java.util.concurrent.RejectedExecutionException("no threads (expected by the test)");
            }
            return virtual.newThread(r);
        });
        int n = 50;
        var done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            time.schedule(Duration.ofMillis(i % 5), done::countDown);
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        System.out.printf("timer-factory-failures tasks=%d factoryCalls=%d%n", n, failures.get());
        assertThat(failures.get()).isGreaterThan(3);
    }

    // ---------------------------------------------------------------- shutdown

    @Test
    void shutdownNow_testInstance_dropsPendingAndRefusesNewTimers() {
        time.schedule(Duration.ofHours(1), () -> {});
        time.shutdownNow();
        assertThat(time.pendingTimers()).isZero();
        assertThatThrownBy(() -> time.schedule(Duration.ZERO, () -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shut down");
    }

    @Test
    void shutdownNow_sharedInstance_refused() {
        assertThatThrownBy(SystemTimeSource.INSTANCE::shutdownNow).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void timerThread_isADaemonPlatformThread() throws Exception {
        time.delay(Duration.ZERO).get(10, TimeUnit.SECONDS);
        Thread timer = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(TIMER))
                .findFirst()
                .orElseThrow();
        assertThat(timer.isDaemon()).isTrue();
        assertThat(timer.isVirtual()).isFalse();
    }
}
