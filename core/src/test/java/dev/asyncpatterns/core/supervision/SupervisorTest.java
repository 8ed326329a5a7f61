package dev.asyncpatterns.core.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.NullPointerTester;
import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.supervision.Supervisor.ChildState;
import dev.asyncpatterns.core.supervision.Supervisor.Restart;
import dev.asyncpatterns.core.supervision.Supervisor.Strategy;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Supervisors on virtual time: every restart, delay and intensity decision is exact. */
class SupervisorTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    private final VirtualClock clock = VirtualClock.create();
    private final List<String> events = new CopyOnWriteArrayList<>();

    /** A child whose runs the test completes by hand; records starts and cancellations. */
    private final class Probe implements AsyncSupplier<Void> {
        final String name;
        final List<CompletableFuture<Void>> runs = new CopyOnWriteArrayList<>();
        boolean failImmediately;

        Probe(String name) {
            this.name = name;
        }

        @Override
        public CompletionStage<Void> get() {
            events.add("start " + name);
            if (failImmediately) {
                return CompletableFuture.failedFuture(new IllegalStateException(name + " crashed"));
            }
            var run = new CompletableFuture<Void>();
            run.whenComplete((r, e) -> {
                if (run.isCancelled()) {
                    events.add("cancel " + name);
                }
            });
            runs.add(run);
            return run;
        }

        CompletableFuture<Void> current() {
            return runs.get(runs.size() - 1);
        }

        void crash() {
            current().completeExceptionally(new IllegalStateException(name + " crashed"));
        }
    }

    private Supervisor.Builder builder() {
        return Supervisor.builder().name("sup").timeSource(clock).backoff(Backoff.fixed(SECOND));
    }

    private static Throwable failure(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError();
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    // ---------------------------------------------------------------- one-for-one

    @Test
    void oneForOne_restartsOnlyFailedChildAfterBackoff() {
        Probe a = new Probe("a");
        Probe b = new Probe("b");
        Supervisor sup = builder()
                .child("a", Restart.PERMANENT, a)
                .child("b", Restart.PERMANENT, b)
                .build();
        CompletableFuture<Void> run = sup.start();
        assertThat(events).containsExactly("start a", "start b");
        a.crash();
        assertThat(sup.child("a").state()).isEqualTo(ChildState.RESTARTING);
        assertThat(sup.child("a").lastFailure())
                .hasValueSatisfying(e -> assertThat(e).hasMessage("a crashed"));
        clock.advance(Duration.ofMillis(999));
        assertThat(a.runs).hasSize(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(a.runs).hasSize(2);
        assertThat(b.runs).hasSize(1);
        assertThat(b.current()).isNotDone();
        assertThat(sup.child("a").restarts()).isEqualTo(1);
        assertThat(sup.child("a").state()).isEqualTo(ChildState.RUNNING);
        assertThat(sup.totalRestarts()).isEqualTo(1);
        assertThat(run).isNotDone();
        sup.shutdown();
    }

    // ---------------------------------------------------------------- intensity

    @Test
    void restartStorm_exponentialBackoffHonoured_intensityTripsExactly() {
        Probe crashy = new Probe("crashy");
        crashy.failImmediately = true;
        Probe steady = new Probe("steady");
        Supervisor sup = Supervisor.builder()
                .name("storm")
                .timeSource(clock)
                .backoff(Backoff.exponential(SECOND))
                .maxRestarts(5, Duration.ofHours(1))
                .child("steady", Restart.PERMANENT, steady)
                .child("crashy", Restart.PERMANENT, crashy)
                .build();
        CompletableFuture<Void> run = sup.start();
        // restarts at t = 1, 3, 7, 15, 31 s; the run after the 5th restart crashes too: give up at 31 s
        clock.advance(Duration.ofSeconds(30));
        assertThat(events.stream().filter(e -> e.equals("start crashy"))).hasSize(5);
        assertThat(run).isNotDone();
        assertThat(sup.totalRestarts()).isEqualTo(5); // the 5th is decided, due at 31 s
        assertThat(sup.child("crashy").state()).isEqualTo(ChildState.RESTARTING);
        clock.advance(SECOND);
        assertThat(sup.totalRestarts()).isEqualTo(5);
        assertThat(failure(run))
                .isInstanceOf(Supervisor.EscalationException.class)
                .hasMessageContaining("storm")
                .hasMessageContaining("exited again after 5 restarts")
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(31));
        assertThat(events.stream().filter(e -> e.equals("start crashy"))).hasSize(6);
        assertThat(steady.current()).isCancelled();
        assertThat(sup.children()).extracting(Supervisor.ChildStatus::state).containsOnly(ChildState.STOPPED);
        assertThat(sup.isRunning()).isFalse();
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void intensity_restartsSpreadBeyondWindow_neverTrip() {
        Probe crashy = new Probe("crashy");
        crashy.failImmediately = true;
        Supervisor sup = Supervisor.builder()
                .timeSource(clock)
                .backoff(Backoff.fixed(Duration.ofSeconds(20)))
                .maxRestarts(1, Duration.ofSeconds(10))
                .child("crashy", Restart.PERMANENT, crashy)
                .build();
        CompletableFuture<Void> run = sup.start();
        clock.advance(Duration.ofSeconds(199));
        assertThat(run).isNotDone();
        assertThat(sup.totalRestarts()).isEqualTo(10); // decided at 0, 20, ..., 180 s
        sup.shutdown();
        assertThat(run).isCompleted();
    }

    @Test
    void maxRestartsZero_firstExitNeedingRestartEscalates() {
        Probe a = new Probe("a");
        Supervisor sup = builder()
                .maxRestarts(0, SECOND)
                .child("a", Restart.PERMANENT, a)
                .build();
        CompletableFuture<Void> run = sup.start();
        a.current().complete(null); // permanent: even a normal exit needs a restart
        assertThat(failure(run)).isInstanceOf(Supervisor.EscalationException.class);
    }

    @Test
    void backoffAttemptLimit_escalates() {
        Probe crashy = new Probe("crashy");
        crashy.failImmediately = true;
        Supervisor sup = Supervisor.builder()
                .timeSource(clock)
                .backoff(Backoff.fixed(SECOND).maxAttempts(3))
                .maxRestarts(100, Duration.ofHours(1))
                .child("crashy", Restart.PERMANENT, crashy)
                .build();
        CompletableFuture<Void> run = sup.start();
        clock.advance(Duration.ofSeconds(10));
        assertThat(failure(run))
                .isInstanceOf(Supervisor.EscalationException.class)
                .hasMessageContaining("backoff");
        assertThat(sup.totalRestarts()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- strategies

    @Test
    void oneForAll_stopsOthersInReverseOrderThenRestartsAllInOrder() {
        Probe a = new Probe("a");
        Probe b = new Probe("b");
        Probe c = new Probe("c");
        Supervisor sup = builder()
                .strategy(Strategy.ONE_FOR_ALL)
                .child("a", Restart.PERMANENT, a)
                .child("b", Restart.PERMANENT, b)
                .child("c", Restart.PERMANENT, c)
                .build();
        sup.start();
        events.clear();
        b.crash();
        assertThat(events).containsExactly("cancel c", "cancel a");
        clock.advance(SECOND);
        assertThat(events).containsExactly("cancel c", "cancel a", "start a", "start b", "start c");
        assertThat(sup.children()).extracting(Supervisor.ChildStatus::restarts).containsExactly(1, 1, 1);
        assertThat(sup.totalRestarts()).isEqualTo(1);
        sup.shutdown();
    }

    @Test
    void restForOne_restartsFailedAndLaterChildrenOnly() {
        Probe a = new Probe("a");
        Probe b = new Probe("b");
        Probe c = new Probe("c");
        Supervisor sup = builder()
                .strategy(Strategy.REST_FOR_ONE)
                .child("a", Restart.PERMANENT, a)
                .child("b", Restart.PERMANENT, b)
                .child("c", Restart.PERMANENT, c)
                .build();
        sup.start();
        events.clear();
        b.crash();
        assertThat(events).containsExactly("cancel c");
        clock.advance(SECOND);
        assertThat(events).containsExactly("cancel c", "start b", "start c");
        assertThat(a.runs).hasSize(1);
        assertThat(a.current()).isNotDone();
        sup.shutdown();
    }

    @Test
    void oneForAll_temporarySiblingStoppedNotRestarted() {
        Probe a = new Probe("a");
        Probe temp = new Probe("temp");
        Supervisor sup = builder()
                .strategy(Strategy.ONE_FOR_ALL)
                .child("a", Restart.PERMANENT, a)
                .child("temp", Restart.TEMPORARY, temp)
                .build();
        sup.start();
        a.crash();
        clock.advance(SECOND);
        assertThat(temp.runs).hasSize(1);
        assertThat(sup.child("temp").state()).isEqualTo(ChildState.STOPPED);
        assertThat(a.runs).hasSize(2);
        sup.shutdown();
    }

    // ---------------------------------------------------------------- restart types

    @Test
    void restartTypes_permanentTransientTemporary() {
        Probe permanent = new Probe("permanent");
        Probe transientOk = new Probe("transientOk");
        Probe transientFail = new Probe("transientFail");
        Probe temporary = new Probe("temporary");
        Supervisor sup = builder()
                .maxRestarts(10, Duration.ofMinutes(1))
                .child("permanent", Restart.PERMANENT, permanent)
                .child("transientOk", Restart.TRANSIENT, transientOk)
                .child("transientFail", Restart.TRANSIENT, transientFail)
                .child("temporary", Restart.TEMPORARY, temporary)
                .build();
        sup.start();
        permanent.current().complete(null);
        transientOk.current().complete(null);
        transientFail.crash();
        temporary.crash();
        clock.advance(SECOND);
        assertThat(permanent.runs).hasSize(2);
        assertThat(transientOk.runs).hasSize(1);
        assertThat(transientFail.runs).hasSize(2);
        assertThat(temporary.runs).hasSize(1);
        assertThat(sup.child("transientOk").state()).isEqualTo(ChildState.EXITED);
        assertThat(sup.child("temporary").state()).isEqualTo(ChildState.FAILED);
        assertThat(sup.child("temporary").lastFailure()).isPresent();
        sup.shutdown();
    }

    @Test
    void childThatThrowsOrReturnsNull_countsAsFailedRun() {
        var starts = new int[2];
        Supervisor sup = builder()
                .maxRestarts(10, Duration.ofMinutes(1))
                .child("thrower", Restart.TRANSIENT, () -> {
                    if (starts[0]++ == 0) {
                        throw new IllegalArgumentException("bad start");
                    }
                    return new CompletableFuture<Void>();
                })
                .child("nuller", Restart.TRANSIENT, () -> starts[1]++ == 0 ? null : new CompletableFuture<Void>())
                .build();
        sup.start();
        assertThat(sup.child("thrower").lastFailure())
                .hasValueSatisfying(e -> assertThat(e).hasMessage("bad start"));
        assertThat(sup.child("nuller").lastFailure())
                .hasValueSatisfying(e -> assertThat(e).isInstanceOf(NullPointerException.class));
        clock.advance(SECOND);
        assertThat(starts).containsExactly(2, 2);
        assertThat(sup.children()).extracting(Supervisor.ChildStatus::state).containsOnly(ChildState.RUNNING);
        sup.shutdown();
    }

    // ---------------------------------------------------------------- stop, cancel, nesting

    @Test
    void shutdown_stopsChildrenInReverseStartOrder_andCompletesRun() {
        Probe a = new Probe("a");
        Probe b = new Probe("b");
        Probe c = new Probe("c");
        Supervisor sup = builder()
                .child("a", Restart.PERMANENT, a)
                .child("b", Restart.PERMANENT, b)
                .child("c", Restart.PERMANENT, c)
                .build();
        CompletableFuture<Void> run = sup.start();
        events.clear();
        assertThat(sup.shutdown()).isCompleted();
        assertThat(events).containsExactly("cancel c", "cancel b", "cancel a");
        assertThat(run).isCompleted();
        assertThat(sup.isRunning()).isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(a.runs).hasSize(1);
        assertThat(sup.shutdown()).isCompleted(); // idempotent
    }

    @Test
    void shutdown_callsOffPendingRestart() {
        Probe a = new Probe("a");
        Supervisor sup = builder().child("a", Restart.PERMANENT, a).build();
        sup.start();
        a.crash();
        sup.shutdown();
        clock.advance(Duration.ofMinutes(1));
        assertThat(a.runs).hasSize(1);
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void cancellingRunFuture_stopsSupervisor() {
        Probe a = new Probe("a");
        Supervisor sup = builder().child("a", Restart.PERMANENT, a).build();
        sup.start().cancel(true);
        assertThat(a.current()).isCancelled();
        assertThat(sup.isRunning()).isFalse();
    }

    @Test
    void start_whileRunning_fails_andRestartAfterStopBeginsFresh() {
        Probe a = new Probe("a");
        Supervisor sup = builder().child("a", Restart.PERMANENT, a).build();
        sup.start();
        assertThat(failure(sup.start()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already running");
        a.crash();
        clock.advance(SECOND);
        assertThat(sup.totalRestarts()).isEqualTo(1);
        sup.shutdown();
        CompletableFuture<Void> second = sup.start();
        assertThat(second).isNotDone();
        assertThat(sup.totalRestarts()).isZero();
        assertThat(a.runs).hasSize(3);
        sup.shutdown();
    }

    @Test
    void escalation_parentRestartsChildSupervisor() {
        Probe worker = new Probe("worker");
        Supervisor child = Supervisor.builder()
                .name("child")
                .timeSource(clock)
                .backoff(Backoff.fixed(SECOND))
                .maxRestarts(1, Duration.ofMinutes(1))
                .child("worker", Restart.PERMANENT, worker)
                .build();
        Supervisor parent = Supervisor.builder()
                .name("parent")
                .timeSource(clock)
                .backoff(Backoff.fixed(Duration.ofSeconds(10)))
                .child("child", Restart.PERMANENT, child::start)
                .build();
        CompletableFuture<Void> run = parent.start();
        worker.crash();
        clock.advance(SECOND);
        worker.crash(); // second restart within the window: the child supervisor gives up
        assertThat(child.isRunning()).isFalse();
        assertThat(parent.child("child").state()).isEqualTo(ChildState.RESTARTING);
        assertThat(parent.child("child").lastFailure())
                .hasValueSatisfying(e -> assertThat(e).isInstanceOf(Supervisor.EscalationException.class));
        clock.advance(Duration.ofSeconds(10));
        assertThat(child.isRunning()).isTrue();
        assertThat(worker.runs).hasSize(3);
        assertThat(parent.child("child").restarts()).isEqualTo(1);
        parent.shutdown();
        assertThat(child.isRunning()).isFalse();
        assertThat(worker.current()).isCancelled();
        assertThat(run).isCompleted();
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInput_rejectedWithNamedParameter() {
        assertThatThrownBy(() -> Supervisor.builder().maxRestarts(-1, SECOND))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRestarts");
        assertThatThrownBy(() -> Supervisor.builder().maxRestarts(1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window");
        assertThatThrownBy(() -> Supervisor.builder()
                        .child("a", Restart.PERMANENT, CompletableFuture::new)
                        .child("a", Restart.TEMPORARY, CompletableFuture::new))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate")
                .hasMessageContaining("a");
        assertThatThrownBy(() ->
                        Supervisor.builder().strategy(Strategy.ONE_FOR_ALL).strategy(Strategy.ONE_FOR_ONE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("strategy");
        assertThatThrownBy(() -> builder().build().child("nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope");
        new NullPointerTester().setDefault(int.class, 1).testAllPublicInstanceMethods(Supervisor.builder());
        new NullPointerTester().testAllPublicInstanceMethods(builder().build());
    }
}
