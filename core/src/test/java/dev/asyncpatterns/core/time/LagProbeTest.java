package dev.asyncpatterns.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class LagProbeTest {

    private static final Duration MS = Duration.ofMillis(1);
    private final VirtualClock clock = VirtualClock.create();

    /** An executor that runs tasks only when the test says so: a "blocked event loop". */
    private static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            for (Runnable r; (r = tasks.poll()) != null; ) {
                r.run();
            }
        }
    }

    private LagProbe probe(Executor executor) {
        return LagProbe.start("test", executor, Duration.ofMillis(100), Duration.ofMillis(50), clock);
    }

    // ---------------------------------------------------------------- measuring

    @Test
    void tick_measuresHowLateTheTaskRan() {
        var executor = new ManualExecutor();
        LagProbe probe = probe(executor);
        clock.advance(Duration.ofMillis(100));
        assertThat(executor.tasks).hasSize(1);
        clock.advance(Duration.ofMillis(30));
        executor.runAll();
        LagProbe.Stats stats = probe.stats();
        assertThat(stats.samples()).isEqualTo(1);
        assertThat(stats.lastLag()).isEqualTo(MS.multipliedBy(30));
        assertThat(stats.maxLag()).isEqualTo(MS.multipliedBy(30));
        assertThat(stats.starved()).isFalse();
        assertThat(stats.pending()).isFalse();
        probe.close();
    }

    @Test
    void starvedExecutor_flaggedWhileTickWaits_noTicksPiledOn() {
        var executor = new ManualExecutor();
        LagProbe probe = probe(executor);
        clock.advance(Duration.ofMillis(100));
        executor.runAll(); // lag 0
        clock.advance(Duration.ofMillis(100)); // tick at 200 ms, executor "blocked"
        clock.advance(Duration.ofMillis(200)); // ticks at 300 and 400 ms find it still waiting
        assertThat(executor.tasks).hasSize(1);
        LagProbe.Stats stuck = probe.stats();
        assertThat(stuck.pending()).isTrue();
        assertThat(stuck.lastLag()).isEqualTo(MS.multipliedBy(200));
        assertThat(stuck.starved()).isTrue();
        executor.runAll();
        LagProbe.Stats after = probe.stats();
        assertThat(after.samples()).isEqualTo(2);
        assertThat(after.maxLag()).isEqualTo(MS.multipliedBy(200));
        assertThat(after.averageLag()).isEqualTo(MS.multipliedBy(100));
        assertThat(after.starved()).isTrue(); // the last tick was late
        clock.advance(Duration.ofMillis(100));
        executor.runAll();
        assertThat(probe.stats().starved()).isFalse();
        probe.close();
    }

    @Test
    void directExecutor_zeroLag() {
        LagProbe probe = probe(Runnable::run);
        clock.advance(Duration.ofSeconds(1));
        LagProbe.Stats stats = probe.stats();
        assertThat(stats.samples()).isEqualTo(10);
        assertThat(stats.maxLag()).isZero();
        assertThat(stats.starved()).isFalse();
        probe.close();
    }

    @Test
    void rejectingExecutor_countedAndStarved() {
        LagProbe probe = probe(task -> {
            throw new RejectedExecutionException("saturated");
        });
        clock.advance(Duration.ofMillis(300));
        LagProbe.Stats stats = probe.stats();
        assertThat(stats.rejected()).isEqualTo(3);
        assertThat(stats.starved()).isTrue();
        assertThat(stats.pending()).isFalse();
        probe.close();
    }

    @Test
    void close_cancelsTimer_noMoreTicks() {
        var executor = new ManualExecutor();
        LagProbe probe = probe(executor);
        probe.close();
        probe.close();
        clock.advance(Duration.ofSeconds(1));
        assertThat(executor.tasks).isEmpty();
        assertThat(clock.pendingTimers()).isZero();
        assertThat(probe.toString()).contains("test");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInput_rejectedWithNamedParameter() {
        Executor direct = Runnable::run;
        assertThatThrownBy(() -> LagProbe.start(null, Duration.ofMillis(1), Duration.ofMillis(1)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("executor");
        assertThatThrownBy(() -> LagProbe.start(direct, Duration.ZERO, Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("interval");
        assertThatThrownBy(() -> LagProbe.start(direct, Duration.ofMillis(1), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold");
        assertThatThrownBy(() -> LagProbe.start("x", direct, Duration.ofMillis(1), Duration.ofMillis(1), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeSource");
    }
}
