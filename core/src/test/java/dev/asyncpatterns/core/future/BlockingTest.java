package dev.asyncpatterns.core.future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BlockingTest {

    // ---------------------------------------------------------------- call

    @Test
    void call_runsOnVirtualThread() throws Exception {
        assertThat(Blocking.call(() -> Thread.currentThread().isVirtual()).get(10, TimeUnit.SECONDS))
                .isTrue();
        assertThat(Blocking.run(() -> {}).get(10, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void call_cancel_interruptsBlockingCode() throws Exception {
        var started = new CountDownLatch(1);
        var interrupted = new CompletableFuture<Boolean>();
        var future = Blocking.call(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
                return 1;
            } catch (InterruptedException e) {
                interrupted.complete(true);
                throw e;
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        future.cancel(true);
        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
    }

    // ---------------------------------------------------------------- cpu

    @Test
    void cpu_runsOnBoundedPlatformPool() throws Exception {
        var name = Blocking.cpu(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
        assertThat(name).startsWith("async-patterns-cpu-");
        assertThat(Blocking.cpuParallelism()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void cpu_cancelLoop_stopsIt() throws Exception {
        var started = new CountDownLatch(1);
        var stopped = new CompletableFuture<Boolean>();
        var future = Blocking.cpu(() -> {
            started.countDown();
            while (!Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait();
            }
            stopped.complete(true);
            return 0;
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        future.cancel(true);
        assertThat(stopped.get(10, TimeUnit.SECONDS)).isTrue();
        // the pool thread does not carry the interrupt into its next task
        for (int i = 0; i < Blocking.cpuParallelism() * 2; i++) {
            assertThat(Blocking.cpu(() -> Thread.currentThread().isInterrupted())
                            .get(10, TimeUnit.SECONDS))
                    .isFalse();
        }
    }

    @Test
    void cpu_fullQueue_rejectsThroughFutureAndCancelledQueuedTasksFreeTheirSlots() throws Exception {
        int threads = Blocking.cpuParallelism();
        var release = new CountDownLatch(1);
        var busy = new CountDownLatch(threads);
        var blockers = new ArrayList<CompletableFuture<Integer>>();
        for (int i = 0; i < threads; i++) {
            blockers.add(Blocking.cpu(() -> {
                busy.countDown();
                release.await();
                return 0;
            }));
        }
        try {
            assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
            var ran = new AtomicInteger();
            var queued = new ArrayList<CompletableFuture<Integer>>();
            int capacity = threads * Blocking.CPU_QUEUE_CAPACITY_PER_CORE;
            for (int i = 0; i < capacity; i++) {
                queued.add(Blocking.cpu(ran::incrementAndGet));
            }
            var rejected = Blocking.cpu(ran::incrementAndGet);
            assertThat(rejected).isCompletedExceptionally();
            assertThatThrownBy(rejected::join)
                    .hasCauseInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("queue is full");
            queued.forEach(f -> f.cancel(true));
            assertThat(Blocking.cpuQueueDepth()).isZero();
            assertThat(ran).hasValue(0);
        } finally {
            release.countDown();
        }
        Futures.all(blockers).get(10, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badArguments_throwNpeNamingParameter() {
        assertThatThrownBy(() -> Blocking.call(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("task");
        assertThatThrownBy(() -> Blocking.run(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("task");
        assertThatThrownBy(() -> Blocking.cpu(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("task");
    }
}
