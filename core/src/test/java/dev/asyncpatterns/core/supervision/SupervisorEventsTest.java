package dev.asyncpatterns.core.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.testkit.VirtualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code Supervisor.stats()} and {@code Supervisor.Event}s (ADR core-0003). */
class SupervisorEventsTest {

    private final VirtualClock clock = VirtualClock.create();

    @Test
    void events_restartThenGiveUp_reportedInOrder_andStatsCount() {
        var runs = new AtomicInteger();
        List<Supervisor.Event> events = new CopyOnWriteArrayList<>();
        var supervisor = Supervisor.builder()
                .name("sup")
                .timeSource(clock)
                .backoff(Backoff.fixed(Duration.ofSeconds(1)))
                .maxRestarts(1, Duration.ofMinutes(1))
                .strategy(Supervisor.Strategy.ONE_FOR_ALL)
                .child(
                        "a",
                        Supervisor.Restart.PERMANENT,
                        () -> CompletableFuture.failedFuture(new IOException("run " + runs.incrementAndGet())))
                .child("b", Supervisor.Restart.PERMANENT, CompletableFuture::new)
                .onEvent(((java.util.function.Consumer<Supervisor.Event>) events::add).andThen(e -> {
                    throw new IllegalStateException("a listener bug is logged, not propagated");
                }))
                .build();
        assertThat(supervisor.stats()).isEqualTo(new Supervisor.Stats("sup", 2, 0, 0, 0, 0, 0, false));

        CompletableFuture<Void> run = supervisor.start();
        assertThat(supervisor.stats()).isEqualTo(new Supervisor.Stats("sup", 2, 0, 2, 1, 1, 0, true));
        clock.advance(Duration.ofSeconds(1));

        assertThat(run).isCompletedExceptionally();
        assertThat(events).hasSize(4);
        assertThat(events.get(0)).isInstanceOfSatisfying(Supervisor.ChildFailed.class, e -> {
            assertThat(e.name()).isEqualTo("sup");
            assertThat(e.child()).isEqualTo("a");
            assertThat(e.failure()).hasMessage("run 1");
        });
        assertThat(events.get(1)).isInstanceOfSatisfying(Supervisor.ChildRestarting.class, e -> {
            assertThat(e.restarted()).containsExactly("a", "b");
            assertThat(e.attempt()).isEqualTo(1);
            assertThat(e.delay()).isEqualTo(Duration.ofSeconds(1));
            assertThat(e.at()).isEqualTo(VirtualClock.DEFAULT_START);
        });
        assertThat(events.get(2)).isInstanceOf(Supervisor.ChildFailed.class);
        assertThat(events.get(3)).isInstanceOfSatisfying(Supervisor.GaveUp.class, e -> {
            assertThat(e.failure())
                    .isInstanceOf(Supervisor.EscalationException.class)
                    .hasRootCauseMessage("run 2");
            assertThat(e.at()).isEqualTo(VirtualClock.DEFAULT_START.plusSeconds(1));
        });
        assertThat(supervisor.stats()).isEqualTo(new Supervisor.Stats("sup", 2, 0, 0, 1, 2, 1, false));
    }

    @Test
    void onEvent_givenTwice_isRejected() {
        var builder = Supervisor.builder().onEvent(e -> {});
        org.assertj.core.api.Assertions.assertThatIllegalStateException()
                .isThrownBy(() -> builder.onEvent(e -> {}))
                .withMessageStartingWith("onEvent was already set");
    }

    @Test
    void stats_countersAreMonotonicAcrossRuns() {
        var supervisor = Supervisor.builder()
                .name("m")
                .timeSource(clock)
                .backoff(Backoff.fixed(Duration.ofSeconds(1)))
                .child("a", Supervisor.Restart.TRANSIENT, () -> CompletableFuture.failedFuture(new IOException("x")))
                .build();
        supervisor.start();
        supervisor.shutdown().join();
        supervisor.start();
        supervisor.shutdown().join();
        assertThat(supervisor.totalRestarts()).isEqualTo(1); // per run
        assertThat(supervisor.stats().restarts()).isEqualTo(2); // since creation
        assertThat(supervisor.stats().failed()).isEqualTo(2);
    }
}
