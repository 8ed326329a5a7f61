package dev.asyncpatterns.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.testkit.VirtualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Names and {@code stats()} of the pools (ADR core-0003). */
class PoolStatsTest {

    private final VirtualClock clock = VirtualClock.create();

    @Test
    void asyncPoolStats_lifecycleOfObjects_isCounted() {
        var made = new AtomicInteger();
        AsyncPool<String> pool = AsyncPool.builder(() -> made.incrementAndGet() == 2
                        ? CompletableFuture.<String>failedFuture(new IOException("refused"))
                        : CompletableFuture.completedFuture("c" + made.get()))
                .name("conns")
                .maxSize(1)
                .timeSource(clock)
                .build();
        String first = pool.acquire().join();
        CompletableFuture<String> timed = pool.acquire(Duration.ofSeconds(1)); // the pool is full: waits
        CompletableFuture<String> cancelled = pool.acquire();
        cancelled.cancel(true);
        clock.advance(Duration.ofSeconds(1));
        assertThat(timed).isCompletedExceptionally();
        pool.invalidate(first); // destroyed
        CompletableFuture<String> failed = pool.acquire(); // the factory fails
        assertThat(failed).isCompletedExceptionally();

        assertThat(pool.stats()).isEqualTo(new AsyncPool.Stats("conns", 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, false));
        pool.shutdown().join();
        assertThat(pool.stats().closed()).isTrue();
    }

    @Test
    void asyncPool_name_validatedAndDefaulted() {
        assertThat(AsyncPool.builder(() -> CompletableFuture.completedFuture(1))
                        .build()
                        .name())
                .startsWith("pool@");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AsyncPool.builder(() -> CompletableFuture.completedFuture(1))
                        .name(""));
    }

    @Test
    void workerPoolStats_rejectionsAndResults() {
        var gate = new CompletableFuture<String>();
        WorkerPool<String, String> pool = WorkerPool.<String, String>builder(
                        job -> job.equals("fail") ? CompletableFuture.failedFuture(new IOException(job)) : gate)
                .name("w")
                .workers(1)
                .queueCapacity(1)
                .build();
        CompletableFuture<String> running = pool.submit("a");
        org.awaitility.Awaitility.await().until(() -> pool.stats().inFlight() == 1);
        pool.trySubmit("fail");
        assertThatThrownBy(() -> pool.trySubmit("b")).isInstanceOf(RejectedExecutionException.class);
        assertThat(pool.stats().depth()).isEqualTo(1);
        assertThat(pool.stats().capacity()).isEqualTo(1);
        gate.complete("done");
        pool.shutdown().join();

        WorkerPool.Stats stats = pool.stats();
        assertThat(running).isCompletedWithValue("done");
        assertThat(stats.name()).isEqualTo("w");
        assertThat(stats.submitted()).isEqualTo(2);
        assertThat(stats.rejected()).isEqualTo(1);
        assertThat(stats.succeeded()).isEqualTo(1);
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.depth()).isZero();
    }
}
