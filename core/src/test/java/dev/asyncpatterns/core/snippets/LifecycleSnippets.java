package dev.asyncpatterns.core.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.pool.WorkerPool;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.supervision.Lifecycle;
import dev.asyncpatterns.core.supervision.Supervisor;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.LagProbe;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Javadoc examples of {@link Lifecycle}, {@link Supervisor}, {@link Backoff} and {@link LagProbe}:
 * each region is shown in the class's javadoc with {@code {@snippet class=... region=...}}, so
 * the examples compile and run.
 */
class LifecycleSnippets {

    // ---------------------------------------------------------------- Backoff

    @Test
    void backoff_thirdDelayIsFullyJitteredUpTo400ms() {
        // @start region=backoff
        Backoff backoff = Backoff.exponential(Duration.ofMillis(100))
                .jitter(Backoff.Jitter.FULL)
                .cap(Duration.ofSeconds(30))
                .maxAttempts(6);
        Optional<Duration> wait = backoff.delay(3); // somewhere in [0, 400 ms]
        // @end

        assertThat(wait).hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(400)));
        for (int i = 0; i < 1_000; i++) {
            assertThat(backoff.delay(3).orElseThrow()).isLessThanOrEqualTo(Duration.ofMillis(400));
        }
        assertThat(backoff.delay(5)).isPresent();
        assertThat(backoff.delay(6)).isEmpty(); // six attempts in total: no wait after the sixth
    }

    // ---------------------------------------------------------------- Supervisor

    /** Children's names in the order their runs were cancelled. */
    private final List<String> cancelled = new CopyOnWriteArrayList<>();

    private CompletableFuture<Void> runUntilCancelled(String child) {
        CompletableFuture<Void> run = new CompletableFuture<>();
        run.whenComplete((ignored, failure) -> {
            if (run.isCancelled()) {
                cancelled.add(child);
            }
        });
        return run;
    }

    private CompletableFuture<Void> pollForever() {
        return runUntilCancelled("poller");
    }

    private CompletableFuture<Void> flushUntilDone() {
        return runUntilCancelled("flusher");
    }

    @Test
    void supervisor_shutdownCancelsChildrenInReverseOrder() {
        // @start region=supervisor
        Supervisor supervisor = Supervisor.builder()
                .name("ingest")
                .strategy(Supervisor.Strategy.ONE_FOR_ONE)
                .maxRestarts(5, Duration.ofMinutes(1))
                .backoff(Backoff.exponential(Duration.ofMillis(100))
                        .jitter(Backoff.Jitter.FULL)
                        .cap(Duration.ofSeconds(10)))
                .child("poller", Supervisor.Restart.PERMANENT, () -> pollForever())
                .child("flusher", Supervisor.Restart.TRANSIENT, () -> flushUntilDone())
                .build();
        CompletableFuture<Void> running = supervisor.start(); // fails if the supervisor gives up
        supervisor.shutdown().join(); // children stopped in reverse order
        // @end

        assertThat(cancelled).containsExactly("flusher", "poller");
        assertThat(running).isCompleted().isNotCompletedExceptionally();
        assertThat(supervisor.isRunning()).isFalse();
        assertThat(supervisor.children())
                .extracting(Supervisor.ChildStatus::state)
                .containsOnly(Supervisor.ChildState.STOPPED);
    }

    // ---------------------------------------------------------------- Lifecycle

    /** Stands in for a connection pool. */
    private static final class FakeDataSource implements AutoCloseable {
        volatile boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }

    private final FakeDataSource dataSource = new FakeDataSource();
    private WorkerPool<String, String> pool;
    private Supervisor supervisor;
    private AsyncQueue<String> inbox;

    /** The application at work: a pool job, a running supervisor, a message handled. */
    private void runApplication() {
        assertThat(pool.submit("job").join()).isEqualTo("JOB");
        supervisor.start();
        inbox.offer("hello");
        assertThat(inbox.take().join()).isEqualTo("hello");
        inbox.taskDone();
    }

    @Test
    void lifecycle_shutsDownInReverseRegistrationOrder() throws Exception {
        pool = WorkerPool.<String, String>builder(job -> CompletableFuture.completedFuture(job.toUpperCase()))
                .name("workers")
                .workers(2)
                .build();
        supervisor = Supervisor.builder()
                .name("pollers")
                .child("poller", Supervisor.Restart.PERMANENT, () -> pollForever())
                .build();
        inbox = AsyncQueue.bounded(16);

        // @start region=lifecycle
        Lifecycle lifecycle = Lifecycle.create();
        lifecycle.registerResource("db", dataSource); // closed last
        lifecycle.registerPool("workers", pool); // shutdown(), then shutdownNow() if late
        lifecycle.registerSupervisor("pollers", supervisor); // stopped
        lifecycle.registerQueue("inbox", inbox); // closed; drained when join() completes
        // @replace substring="Cancellable hook = " replacement="":
        Cancellable hook = lifecycle.installShutdownHook(Duration.ofSeconds(20)); // SIGTERM / Ctrl-C
        runApplication(); // @replace substring="runApplication();" replacement="..."
        Lifecycle.Report report = lifecycle.shutdown(Duration.ofSeconds(20)).join();
        // @end

        assertThat(hook.cancel()).as("the hook was installed").isTrue();
        assertThat(report.clean()).as("%s", report).isTrue();
        assertThat(report.drained()).containsExactly("inbox", "pollers", "workers", "db");
        assertThat(inbox.isClosed()).isTrue();
        assertThat(cancelled).containsExactly("poller");
        assertThat(supervisor.isRunning()).isFalse();
        assertThat(pool.isShutdown()).isTrue();
        assertThat(pool.terminated()).succeedsWithin(10, TimeUnit.SECONDS);
        assertThat(dataSource.closed).isTrue();
    }

    // ---------------------------------------------------------------- LagProbe

    /** An executor whose tasks wait until the test runs them: a pool kept busy. */
    private static final class BusyPool implements Executor {
        final Queue<Runnable> queued = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable task) {
            queued.add(task);
        }

        synchronized void runQueued() {
            Runnable task;
            while ((task = queued.poll()) != null) {
                task.run();
            }
        }
    }

    private final VirtualClock clock = VirtualClock.create();
    private final BusyPool cpuPool = new BusyPool();

    /** The first tick is submitted after one interval; the pool gets to it {@code busy} later. */
    private void cpuPoolBusyFor(Duration busy) {
        clock.advance(Duration.ofMillis(100));
        clock.advance(busy);
        cpuPool.runQueued();
    }

    @Test
    void lagProbe_reportsTheLagOfABusyPool() {
        TimeSource timeSource = clock;

        // @start region=lagProbe
        LagProbe probe = LagProbe.start(
                "cpu-pool",
                cpuPool,
                Duration.ofMillis(100),
                Duration.ofMillis(50),
                timeSource); // start(cpuPool, interval, threshold): system clock
        cpuPoolBusyFor(
                Duration.ofMillis(80)); // @replace substring="cpuPoolBusyFor(Duration.ofMillis(80));" replacement="..."
        LagProbe.Stats stats = probe.stats(); // samples, max/avg/last lag, starved?
        probe.close();
        // @end

        assertThat(stats.samples()).isEqualTo(1);
        assertThat(stats.lastLag()).isEqualTo(Duration.ofMillis(80));
        assertThat(stats.maxLag()).isEqualTo(Duration.ofMillis(80));
        assertThat(stats.starved()).isTrue(); // 80 ms > 50 ms threshold
        clock.advance(Duration.ofSeconds(1));
        assertThat(cpuPool.queued).as("no ticks after close()").isEmpty();
        assertThat(probe.stats().samples()).isEqualTo(1);
    }
}
