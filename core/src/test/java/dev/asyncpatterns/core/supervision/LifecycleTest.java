package dev.asyncpatterns.core.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.common.testing.NullPointerTester;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.pool.WorkerPool;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final VirtualClock clock = VirtualClock.create();
    private final Lifecycle lifecycle = Lifecycle.create("app", clock);
    private final List<String> log = new CopyOnWriteArrayList<>();

    /** Records every call; drains with the given stage. */
    private Lifecycle.Participant recording(String name, CompletableFuture<?> drained) {
        return new Lifecycle.Participant() {
            @Override
            public CompletionStage<?> drain() {
                log.add("drain " + name);
                return drained;
            }

            @Override
            public void abort() {
                log.add("abort " + name);
            }

            @Override
            public void close() {
                log.add("close " + name);
            }
        };
    }

    // ---------------------------------------------------------------- ordering

    @Test
    void shutdown_drainsThenClosesInReverseRegistrationOrder() {
        lifecycle.register("db", recording("db", CompletableFuture.completedFuture(null)));
        lifecycle.register("pool", recording("pool", CompletableFuture.completedFuture(null)));
        lifecycle.register("server", recording("server", CompletableFuture.completedFuture(null)));
        Lifecycle.Report report = lifecycle.shutdown(Duration.ofSeconds(10)).join();
        assertThat(log)
                .containsExactly("drain server", "drain pool", "drain db", "close server", "close pool", "close db");
        assertThat(report.clean()).isTrue();
        assertThat(report.drained()).containsExactly("server", "pool", "db");
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void shutdown_waitsForEachDrainBeforeTheNext() {
        var serverDrained = new CompletableFuture<Void>();
        lifecycle.register("pool", recording("pool", CompletableFuture.completedFuture(null)));
        lifecycle.register("server", recording("server", serverDrained));
        CompletableFuture<Lifecycle.Report> report = lifecycle.shutdown(Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(3));
        assertThat(log).containsExactly("drain server");
        serverDrained.complete(null);
        assertThat(log).containsExactly("drain server", "drain pool", "close server", "close pool");
        assertThat(report.join().elapsed()).isEqualTo(Duration.ofSeconds(3));
    }

    // ---------------------------------------------------------------- grace period

    @Test
    void graceExpires_abortsWhatRemains_thenClosesEverything() {
        lifecycle.register("db", recording("db", new CompletableFuture<>()));
        lifecycle.register("pool", recording("pool", new CompletableFuture<>()));
        lifecycle.register("server", recording("server", CompletableFuture.completedFuture(null)));
        CompletableFuture<Lifecycle.Report> report = lifecycle.shutdown(Duration.ofSeconds(10));
        clock.advance(Duration.ofMillis(9_999));
        assertThat(report).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThat(log)
                .containsExactly(
                        "drain server",
                        "drain pool",
                        "abort pool",
                        "drain db",
                        "abort db",
                        "close server",
                        "close pool",
                        "close db");
        Lifecycle.Report r = report.join();
        assertThat(r.drained()).containsExactly("server");
        assertThat(r.aborted()).containsExactly("pool", "db");
        assertThat(r.clean()).isFalse();
        assertThat(r.elapsed()).isEqualTo(Duration.ofSeconds(10));
    }

    // ---------------------------------------------------------------- failures

    @Test
    void failingSteps_recordedAndShutdownKeepsGoing() {
        lifecycle.register("a", new Lifecycle.Participant() {
            @Override
            public CompletionStage<?> drain() {
                return CompletableFuture.failedFuture(new IllegalStateException("drain failed"));
            }

            @Override
            public void close() throws Exception {
                throw new java.io.IOException("close failed");
            }
        });
        lifecycle.register("b", () -> {
            throw new IllegalArgumentException("drain threw");
        });
        lifecycle.registerResource("c", () -> log.add("close c"));
        Lifecycle.Report report = lifecycle.shutdown(Duration.ofSeconds(1)).join();
        assertThat(log).containsExactly("close c");
        assertThat(report.failures())
                .extracting(
                        f -> f.participant() + ":" + f.phase() + ":" + f.error().getMessage())
                .containsExactly("b:drain:drain threw", "a:drain:drain failed", "a:close:close failed");
        assertThat(report.drained()).containsExactly("c");
    }

    // ---------------------------------------------------------------- components

    @Test
    void shutdownMidWork_poolFinishesAcknowledgedJobs_queueAndSupervisorStopped() throws Exception {
        var gate = new CompletableFuture<Void>();
        List<Integer> done = new CopyOnWriteArrayList<>();
        WorkerPool<Integer, Integer> pool = WorkerPool.<Integer, Integer>builder(n -> gate.thenApply(ignored -> {
                    done.add(n);
                    return n;
                }))
                .workers(2)
                .timeSource(clock)
                .build();
        List<CompletableFuture<Integer>> accepted = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            accepted.add(pool.submit(i));
        }
        AsyncQueue<String> inbox = AsyncQueue.bounded(4);
        inbox.put("left over");
        var background = new CompletableFuture<Void>();
        var child = new CompletableFuture<Void>();
        Supervisor supervisor = Supervisor.builder()
                .timeSource(clock)
                .child("c", Supervisor.Restart.PERMANENT, () -> child)
                .build();
        supervisor.start();
        lifecycle.registerResource("resource", () -> log.add("resource closed"));
        lifecycle.registerWork("background", background);
        lifecycle.registerSupervisor("supervisor", supervisor);
        lifecycle.registerQueue("inbox", inbox);
        lifecycle.registerPool("pool", pool);

        CompletableFuture<Lifecycle.Report> report = lifecycle.shutdown(Duration.ofMinutes(1));
        assertThat(pool.isShutdown()).isTrue();
        assertThat(pool.submit(99)).isCompletedExceptionally();
        gate.complete(null); // acknowledged jobs finish
        await().atMost(WAIT).until(() -> inbox.isClosed());
        assertThat(inbox.poll()).isEqualTo("left over");
        inbox.taskDone();
        await().atMost(WAIT).until(() -> !supervisor.isRunning());
        assertThat(child).isCancelled();
        background.complete(null);
        Lifecycle.Report r = report.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.clean()).isTrue();
        assertThat(r.drained()).containsExactly("pool", "inbox", "supervisor", "background", "resource");
        assertThat(accepted).allSatisfy(f -> assertThat(f).isCompleted());
        assertThat(done).hasSize(20);
        assertThat(log).containsExactly("resource closed");
    }

    @Test
    void graceExpires_poolShutdownNow_backgroundCancelled() {
        var never = new CompletableFuture<Integer>();
        WorkerPool<Integer, Integer> pool = WorkerPool.<Integer, Integer>builder(n -> never)
                .workers(1)
                .timeSource(clock)
                .build();
        CompletableFuture<Integer> running = pool.submit(1);
        CompletableFuture<Integer> queued = pool.submit(2);
        var background = new CompletableFuture<Void>();
        lifecycle.registerWork("background", background);
        lifecycle.registerPool("pool", pool);
        await().atMost(WAIT).until(() -> pool.stats().inFlight() == 1);
        CompletableFuture<Lifecycle.Report> report = lifecycle.shutdown(Duration.ofSeconds(5));
        clock.advance(Duration.ofSeconds(5));
        assertThat(report.join().aborted()).containsExactly("pool", "background");
        assertThat(running).isCancelled();
        assertThat(queued).isCancelled();
        assertThat(background).isCancelled();
    }

    // ---------------------------------------------------------------- state and bad input

    @Test
    void register_afterShutdown_refused_andShutdownIsIdempotent() {
        CompletableFuture<Lifecycle.Report> first = lifecycle.shutdown(Duration.ZERO);
        assertThat(lifecycle.isShuttingDown()).isTrue();
        assertThat(lifecycle.shutdown(Duration.ofDays(1))).isSameAs(first);
        assertThatThrownBy(() -> lifecycle.registerResource("late", () -> {}))
                .isInstanceOf(ClosedException.class)
                .hasMessageContaining("late");
        assertThat(first.join().clean()).isTrue();
    }

    @Test
    void shutdownHook_installAndRemove() {
        Cancellable hook = lifecycle.installShutdownHook(Duration.ofSeconds(5));
        assertThat(hook.cancel()).isTrue();
        assertThat(hook.cancel()).isFalse();
    }

    @Test
    void badInput_rejectedWithNamedParameter() {
        assertThatThrownBy(() -> lifecycle.shutdown(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("grace");
        assertThatThrownBy(() -> lifecycle.installShutdownHook(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("grace");
        assertThatThrownBy(() -> lifecycle.register("x", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("participant");
        assertThat(lifecycle.isShuttingDown()).isFalse();
        WorkerPool<Object, Object> pool = WorkerPool.builder(CompletableFuture::completedFuture)
                .workers(1)
                .build();
        new NullPointerTester()
                .setDefault(WorkerPool.class, pool)
                .setDefault(AsyncQueue.class, AsyncQueue.bounded(1))
                .setDefault(Supervisor.class, Supervisor.builder().build())
                .testAllPublicInstanceMethods(lifecycle);
        pool.shutdownNow();
        new NullPointerTester().testAllPublicStaticMethods(Lifecycle.class);
    }
}
