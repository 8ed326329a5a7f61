package dev.asyncpatterns.core.future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TasksTest {

    // ---------------------------------------------------------------- results

    @Test
    void start_runsOnVirtualThreadAndCompletesWithResult() throws Exception {
        var future = Tasks.start(() -> Thread.currentThread().isVirtual());
        assertThat(future.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void start_taskThrowsChecked_futureFailsWithExactlyThatException() {
        var boom = new IOException("boom");
        var future = Tasks.start(() -> {
            throw boom;
        });
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCause(boom);
    }

    @Test
    void run_runnable_completesWithNull() throws Exception {
        var ran = new AtomicInteger();
        assertThat(Tasks.run(ran::incrementAndGet).get(10, TimeUnit.SECONDS)).isNull();
        assertThat(ran).hasValue(1);
    }

    // ---------------------------------------------------------------- cancellation

    @Test
    void cancel_blockedTask_interruptsItsThread() throws Exception {
        var started = new CountDownLatch(1);
        var interrupted = new CompletableFuture<Boolean>();
        var future = Tasks.start(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
                return "never";
            } catch (InterruptedException e) {
                interrupted.complete(true);
                throw e;
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(future.cancel(true)).isTrue();
        assertThat(future).isCancelled();
        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void cancel_cpuLoopCheckingInterruption_stops() throws Exception {
        var started = new CountDownLatch(1);
        var stopped = new CompletableFuture<Long>();
        var future = Tasks.run(() -> {
            started.countDown();
            long spins = 0;
            while (!Thread.currentThread().isInterrupted()) {
                spins++;
            }
            stopped.complete(spins);
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        future.cancel(true);
        assertThat(stopped.get(10, TimeUnit.SECONDS)).isNotNegative();
    }

    @Test
    void cancelFalse_doesNotInterrupt() throws Exception {
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        var sawInterrupt = new CompletableFuture<Boolean>();
        var future = Tasks.run(() -> {
            started.countDown();
            try {
                release.await();
                sawInterrupt.complete(false);
            } catch (InterruptedException e) {
                sawInterrupt.complete(true);
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        future.cancel(false);
        release.countDown();
        assertThat(sawInterrupt.get(10, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void cancel_beforeStart_taskNeverRuns() {
        var ran = new AtomicInteger();
        var queued = new java.util.ArrayList<Runnable>();
        var future = Tasks.start(ran::incrementAndGet, queued::add);
        future.cancel(true);
        queued.forEach(Runnable::run);
        assertThat(ran).hasValue(0);
        assertThat(future).isCancelled();
    }

    @Test
    void cancelVsComplete_onPooledThreads_neverLeaksInterruptIntoNextTask() throws Exception {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        int races = "long".equals(System.getenv("STRESS")) ? 50_000 : 3_000;
        var random = new java.util.Random(seed);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int leakedInterrupts = 0;
        int cancelled = 0;
        int completed = 0;
        try {
            for (int i = 0; i < races; i++) {
                int spin = random.nextInt(200);
                var future = Tasks.start(
                        () -> {
                            long x = 0;
                            for (int s = 0; s < spin; s++) {
                                x += s;
                            }
                            return x;
                        },
                        pool);
                if (random.nextBoolean()) {
                    Thread.onSpinWait();
                }
                future.cancel(true);
                // the next task on the same pool must not see our interrupt
                var probe = pool.submit(() -> Thread.currentThread().isInterrupted());
                var probe2 = pool.submit(() -> Thread.currentThread().isInterrupted());
                if (probe.get(10, TimeUnit.SECONDS) || probe2.get(10, TimeUnit.SECONDS)) {
                    leakedInterrupts++;
                }
                if (future.isCancelled()) {
                    cancelled++;
                } else if (future.isDone()) {
                    completed++;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf(
                "task-cancel-race seed=%d races=%d cancelled=%d completed=%d leaks=%d%n",
                seed, races, cancelled, completed, leakedInterrupts);
        System.out.printf("%d races: %d leaks%n", races, leakedInterrupts);
        assertThat(leakedInterrupts).isZero();
        assertThat(cancelled + completed).isEqualTo(races);
    }

    // ---------------------------------------------------------------- executors

    @Test
    void start_executorRejects_futureFailsNothingThrown() {
        var rejected = new RejectedExecutionException("full");
        var future = Tasks.start(() -> 1, task -> {
            throw rejected;
        });
        assertThat(future).isCompletedExceptionally();
        assertThatThrownBy(future::join).hasCause(rejected);
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badArguments_throwNpeNamingParameter() {
        assertThatThrownBy(() -> Tasks.start(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("task");
        assertThatThrownBy(() -> Tasks.start(() -> 1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("executor");
        assertThatThrownBy(() -> Tasks.run(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("task");
        assertThatThrownBy(() -> Tasks.run(() -> {}, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("executor");
    }
}
