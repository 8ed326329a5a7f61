package dev.asyncpatterns.core.snippets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.pool.AsyncPool;
import dev.asyncpatterns.core.pool.WorkerPool;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The examples in the javadoc of {@code AsyncQueue}, {@code AsyncPool} and {@code WorkerPool},
 * shown through {@code {@snippet class=... region=...}}: each region is compiled and run here,
 * and checked. The resources the examples use ({@code Connection}, {@code fetchLength}) are fakes.
 */
class QueueSnippets {

    // ---------------------------------------------------------------- fakes

    record Rows(List<String> values) {}

    /** A database connection that answers at once; closing it makes it invalid. */
    static final class Connection implements AutoCloseable {
        final String url;
        final List<String> queries = new ArrayList<>();
        volatile boolean open = true;

        private Connection(String url) {
            this.url = url;
        }

        static CompletableFuture<Connection> openAsync(String url) {
            return CompletableFuture.completedFuture(new Connection(url));
        }

        boolean isOpen() {
            return open;
        }

        CompletableFuture<Rows> query(String sql) {
            queries.add(sql);
            return CompletableFuture.completedFuture(new Rows(List.of(url + " answers " + sql)));
        }

        @Override
        public void close() {
            open = false;
        }
    }

    private final VirtualClock clock = VirtualClock.create();
    private final String url = "postgres://db/orders";
    private final String sql = "select id from orders";

    private static CompletionStage<Integer> fetchLength(String url) {
        return CompletableFuture.completedFuture(url.length());
    }

    private static Throwable failure(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    // ---------------------------------------------------------------- AsyncQueue

    @Test
    void queueCloseAndJoin_drainsThenRefuses() {
        // @start region=queueCloseAndJoin
        AsyncQueue<String> queue = AsyncQueue.bounded(16);
        queue.put("a").thenCompose(ignored -> queue.take()).thenAccept(item -> queue.taskDone());
        queue.close(); // producers refused, consumers drain then see ClosedException
        queue.join().join(); // every taken item reported done
        // @end

        var stats = queue.stats();
        assertThat(stats.put()).isEqualTo(1);
        assertThat(stats.taken()).isEqualTo(1);
        assertThat(stats.unfinished()).isZero();
        assertThat(queue.isClosed()).isTrue();
        assertThat(failure(queue.put("b"))).isInstanceOf(ClosedException.class);
        assertThat(failure(queue.take())).isInstanceOf(ClosedException.class);
    }

    @Test
    void queueCloseAndJoin_consumersDrainWhatIsLeftAfterClose() {
        AsyncQueue<String> queue = AsyncQueue.bounded(16);
        queue.put("a");
        queue.close();
        assertThat(queue.take()).isCompletedWithValue("a");
        assertThat(queue.join()).isNotDone(); // "a" taken but not reported done
        queue.taskDone();
        assertThat(queue.join()).isCompleted();
        assertThat(failure(queue.take())).isInstanceOf(ClosedException.class);
    }

    // ---------------------------------------------------------------- AsyncPool

    @Test
    void poolWithResource_reusesValidatesAndEvictsConnections() {
        // The virtual clock is left out of the rendered example by the @replace markup.
        // @start region=poolWithResource
        AsyncPool<Connection> pool = AsyncPool.builder(() -> Connection.openAsync(url))
                .maxSize(10)
                .validator(Connection::isOpen)
                // @replace substring=".timeSource(clock)" replacement="" :
                .idleTimeout(Duration.ofMinutes(5))
                .timeSource(clock)
                .build();
        CompletableFuture<Rows> rows = pool.withResource(connection -> connection.query(sql));
        // @end

        assertThat(rows).isCompletedWithValue(new Rows(List.of(url + " answers " + sql)));
        assertThat(pool.size()).isEqualTo(1);
        assertThat(pool.idleCount()).isEqualTo(1); // given back after the query

        Connection first = pool.acquire().join(); // the idle connection is reused
        assertThat(first.queries).containsExactly(sql);
        first.close();
        pool.release(first);
        Connection second = pool.acquire().join(); // the validator turned the closed one away
        assertThat(second).isNotSameAs(first);
        assertThat(second.queries).isEmpty();
        pool.release(second);

        clock.advance(Duration.ofMinutes(5)); // idle too long: closed by the pool
        assertThat(second.isOpen()).isFalse();
        assertThat(pool.size()).isZero();
        pool.shutdown().join();
    }

    // ---------------------------------------------------------------- WorkerPool

    @Test
    void workerPoolSubmit_runsQueuedJobThenShutsDown() {
        // @start region=workerPoolSubmit
        WorkerPool<String, Integer> pool = WorkerPool.<String, Integer>builder(url -> fetchLength(url))
                .workers(5)
                .maxInFlight(3) // 5 workers, at most 3 handlers running at once
                .queueCapacity(100)
                .build();
        CompletableFuture<Integer> length = pool.submit("https://example.com");
        pool.shutdown(); // finish queued work, accept no more
        pool.terminated().join();
        // @end

        assertThat(length).isCompletedWithValue("https://example.com".length());
        var stats = pool.stats();
        assertThat(stats.workers()).isEqualTo(5);
        assertThat(stats.succeeded()).isEqualTo(1);
        assertThat(stats.shutdown()).isTrue();
        assertThat(failure(pool.submit("https://example.org"))).isInstanceOf(ClosedException.class);
        assertThatThrownBy(() -> pool.trySubmit("https://example.org")).isInstanceOf(ClosedException.class);
    }
}
