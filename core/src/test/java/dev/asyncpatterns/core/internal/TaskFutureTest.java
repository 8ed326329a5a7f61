package dev.asyncpatterns.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.StressBudget;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * TaskFuture's merged state (issue 20): one slot holds the task, then the runner, then the late
 * failure; the run state, the exited bit and the fresh-thread bit share one word.
 */
class TaskFutureTest {

    /** Exposes the runner and counts the exit hook. */
    private static final class Probe<T> extends TaskFuture<T> {
        final AtomicInteger exits = new AtomicInteger();

        Probe(Callable<? extends T> task) {
            super(task);
        }

        @Override
        protected void onExit() {
            exits.incrementAndGet();
        }

        Thread runner() {
            return runnerThread();
        }
    }

    /** A task object that is itself a Thread (never started): must not be taken for the runner. */
    private static final class ThreadTask extends Thread implements Callable<String> {
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicBoolean interruptSeen = new AtomicBoolean();

        @Override
        public String call() throws InterruptedException {
            started.countDown();
            try {
                new CountDownLatch(1).await();
                return "never";
            } catch (InterruptedException e) {
                interruptSeen.set(true);
                throw e;
            }
        }
    }

    // ---------------------------------------------------------------- the slot

    @Test
    void runnerThread_beforeDuringAndAfterTheRun_nullTheRunnerNull() throws Exception {
        var inBody = new CompletableFuture<Thread>();
        var release = new CountDownLatch(1);
        var task = new Probe<String>(() -> {
            inBody.complete(Thread.currentThread());
            release.await();
            return "done";
        });
        assertThat(task.runner()).isNull();
        Thread runner = Thread.ofPlatform().start(task);
        assertThat(inBody.get(10, TimeUnit.SECONDS)).isSameAs(runner);
        assertThat(task.runner()).isSameAs(runner);
        assertThat(task.lateFailure()).isNull();
        release.countDown();
        assertThat(task.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        runner.join(10_000);
        assertThat(task.runner()).isNull();
        assertThat(task.exits).hasValue(1);
    }

    @Test
    void cancel_taskObjectIsAThread_interruptsTheRunnerNotTheTaskObject() throws Exception {
        var body = new ThreadTask();
        var task = new Probe<String>(body);
        assertThat(task.runner()).isNull(); // the task object is not reported as the runner
        Thread runner = Thread.ofPlatform().start(task);
        assertThat(body.started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(task.runner()).isSameAs(runner);

        assertThat(task.cancel(true)).isTrue();
        runner.join(10_000);

        assertThat(runner.isAlive()).isFalse();
        assertThat(body.interruptSeen).isTrue();
        assertThat(body.isInterrupted()).isFalse();
        assertThat(task).isCancelled();
        assertThat(task.exits).hasValue(1);
        assertThat(task.lateFailure()).isNull(); // the InterruptedException is the cancel's effect
    }

    @Test
    void lateFailure_bodyFailsWhileHandlingTheCancel_keptAfterTheExit() throws Exception {
        var started = new CountDownLatch(1);
        var cleanupFailed = new IllegalStateException("cleanup failed");
        var task = new Probe<String>(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
                return "never";
            } catch (InterruptedException e) {
                throw cleanupFailed;
            }
        });
        Thread runner = Thread.ofPlatform().start(task);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(task.lateFailure()).isNull(); // the slot holds the runner now

        task.cancel(true);
        runner.join(10_000);

        assertThat(task.exits).hasValue(1);
        assertThat(task.lateFailure()).isSameAs(cleanupFailed);
        assertThat(task.runner()).isNull();
    }

    @Test
    void run_calledTwice_bodyRunsOnceAndExitsOnce() throws Exception {
        var calls = new AtomicInteger();
        var task = new Probe<Integer>(calls::incrementAndGet);
        task.run();
        task.run();
        assertThat(task.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(calls).hasValue(1);
        assertThat(task.exits).hasValue(1);
    }

    // ---------------------------------------------------------------- races

    /**
     * cancel(true) against the start of run() on two pool threads: the body either never starts
     * or is interrupted (it spins until interrupted, up to a generous bound), the exit hook runs
     * exactly once, and the runner's pool thread never keeps our interrupt.
     */
    @Test
    void cancel_racingTheStartOfRun_bodyNeverStartsOrIsInterruptedAndExitsOnce() throws Exception {
        long seed = StressBudget.seed();
        int rounds = StressBudget.LONG ? 50_000 : 2_000;
        var random = new Random(seed);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int bodiesRan = 0;
        int neverStarted = 0;
        int missedInterrupts = 0;
        int wrongExits = 0;
        int leakedInterrupts = 0;
        try {
            for (int i = 0; i < rounds; i++) {
                var bodyStarted = new AtomicBoolean();
                var interrupted = new AtomicBoolean();
                var task = new Probe<String>(() -> {
                    bodyStarted.set(true);
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!Thread.currentThread().isInterrupted() && System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                    interrupted.set(Thread.currentThread().isInterrupted());
                    return "body";
                });
                var barrier = new CyclicBarrier(2);
                int runDelay = random.nextInt(64);
                int cancelDelay = random.nextInt(64);
                var runnerLeftInterrupt = new AtomicReference<Boolean>();
                Future<?> running = pool.submit(() -> {
                    barrier.await();
                    StressBudget.spin(runDelay);
                    task.run();
                    runnerLeftInterrupt.set(Thread.interrupted());
                    return null;
                });
                Future<?> cancelling = pool.submit(() -> {
                    barrier.await();
                    StressBudget.spin(cancelDelay);
                    task.cancel(true);
                    return null;
                });
                running.get(30, TimeUnit.SECONDS);
                cancelling.get(30, TimeUnit.SECONDS);
                if (bodyStarted.get()) {
                    bodiesRan++;
                    if (!interrupted.get()) {
                        missedInterrupts++;
                    }
                } else {
                    neverStarted++;
                }
                if (task.exits.get() != 1) {
                    wrongExits++;
                }
                if (Boolean.TRUE.equals(runnerLeftInterrupt.get())) {
                    leakedInterrupts++;
                }
                assertThat(task).isCancelled();
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf(
                "taskfuture-cancel-vs-start seed=%d rounds=%d bodiesRan=%d neverStarted=%d missedInterrupts=%d"
                        + " wrongExits=%d leakedInterrupts=%d%n",
                seed, rounds, bodiesRan, neverStarted, missedInterrupts, wrongExits, leakedInterrupts);
        assertThat(bodiesRan + neverStarted).isEqualTo(rounds);
        assertThat(missedInterrupts).isZero();
        assertThat(wrongExits).isZero();
        assertThat(leakedInterrupts).isZero();
    }
}
