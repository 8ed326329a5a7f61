package dev.asyncpatterns.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class VirtualClockTest {

    private final VirtualClock clock = VirtualClock.create();

    // ---------------------------------------------------------------- reading time

    @Test
    void create_startsAtZeroAndDefaultInstant() {
        assertThat(clock.nanoTime()).isZero();
        assertThat(clock.instant()).isEqualTo(VirtualClock.DEFAULT_START);
        assertThat(clock.pendingTimers()).isZero();
        assertThat(clock.nextTimerIn()).isEmpty();
    }

    @Test
    void advance_movesNanoTimeAndInstantTogether() {
        clock.advance(Duration.ofMinutes(10));
        assertThat(clock.nanoTime()).isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThat(clock.instant()).isEqualTo(VirtualClock.DEFAULT_START.plus(Duration.ofMinutes(10)));
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void advanceTo_pastInstant_isNoOp() {
        clock.advance(Duration.ofSeconds(5));
        clock.advanceTo(VirtualClock.DEFAULT_START);
        assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(5));
    }

    // ---------------------------------------------------------------- timers

    @Test
    void advance_runsDueTimersInDueOrderThenSchedulingOrder() {
        List<String> ran = new ArrayList<>();
        clock.schedule(
                Duration.ofSeconds(3), () -> ran.add("c@" + clock.elapsed().toSeconds()));
        clock.schedule(
                Duration.ofSeconds(1), () -> ran.add("a@" + clock.elapsed().toSeconds()));
        clock.schedule(
                Duration.ofSeconds(1), () -> ran.add("b@" + clock.elapsed().toSeconds()));
        clock.schedule(Duration.ofSeconds(9), () -> ran.add("late"));

        clock.advance(Duration.ofSeconds(5));

        assertThat(ran).containsExactly("a@1", "b@1", "c@3");
        assertThat(clock.pendingTimers()).isEqualTo(1);
        assertThat(clock.nextTimerIn()).contains(Duration.ofSeconds(4));
    }

    @Test
    void advance_runsTimersScheduledByTimersWhenDueInWindow() {
        List<Long> ran = new ArrayList<>();
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            ran.add(clock.elapsed().toMillis());
            clock.schedule(Duration.ofMillis(100), tick[0]);
        };
        clock.schedule(Duration.ofMillis(100), tick[0]);

        clock.advance(Duration.ofMillis(350));

        assertThat(ran).containsExactly(100L, 200L, 300L);
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(350));
    }

    @Test
    void schedule_zeroOrNegativeDelay_runsOnNextAdvanceWithoutMovingTime() {
        List<String> ran = new ArrayList<>();
        clock.schedule(Duration.ZERO, () -> ran.add("zero"));
        clock.schedule(Duration.ofSeconds(-1), () -> ran.add("negative"));
        assertThat(ran).isEmpty();

        assertThat(clock.runDueTasks()).isEqualTo(2);

        assertThat(ran).containsExactly("zero", "negative");
        assertThat(clock.nanoTime()).isZero();
    }

    @Test
    void schedule_hugeDelay_doesNotOverflow() {
        List<String> ran = new ArrayList<>();
        clock.advance(Duration.ofSeconds(1));
        clock.schedule(Duration.ofSeconds(Long.MAX_VALUE), () -> ran.add("never"));
        clock.advance(Duration.ofDays(365 * 100));
        assertThat(ran).isEmpty();
        assertThat(clock.pendingTimers()).isEqualTo(1);
    }

    @Test
    void cancel_beforeDue_preventsRunAndFreesTimer() {
        List<String> ran = new ArrayList<>();
        var timer = clock.schedule(Duration.ofSeconds(1), () -> ran.add("x"));

        assertThat(timer.cancel()).isTrue();
        assertThat(timer.cancel()).isFalse();
        clock.advance(Duration.ofSeconds(2));

        assertThat(ran).isEmpty();
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void cancel_afterRun_returnsFalse() {
        var timer = clock.schedule(Duration.ofSeconds(1), () -> {});
        clock.advance(Duration.ofSeconds(1));
        assertThat(timer.cancel()).isFalse();
    }

    @Test
    void cancel_manyTimers_isFast() {
        var timers = new ArrayList<dev.asyncpatterns.core.time.Cancellable>();
        for (int i = 0; i < 100_000; i++) {
            timers.add(clock.schedule(Duration.ofMillis(i % 1000 + 1), () -> {}));
        }
        timers.forEach(dev.asyncpatterns.core.time.Cancellable::cancel);
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void advance_taskThrows_otherTasksStillRunAndFirstFailureRethrown() {
        List<String> ran = new ArrayList<>();
        clock.schedule(Duration.ofSeconds(1), () -> {
            throw new IllegalStateException("boom");
        });
        clock.schedule(Duration.ofSeconds(2), () -> ran.add("after"));

        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("boom");
        assertThat(ran).containsExactly("after");
        assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void advanceToNextTimer_jumpsExactlyToIt() {
        clock.schedule(Duration.ofHours(2), () -> {});
        assertThat(clock.advanceToNextTimer()).isTrue();
        assertThat(clock.elapsed()).isEqualTo(Duration.ofHours(2));
        assertThat(clock.advanceToNextTimer()).isFalse();
    }

    // ---------------------------------------------------------------- delay and auto-advance

    @Test
    void delay_completesOnlyWhenDue() {
        CompletableFuture<Void> delayed = clock.delay(Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(9));
        assertThat(delayed).isNotDone();
        clock.advance(Duration.ofMinutes(1));
        assertThat(delayed).isCompleted();
    }

    @Test
    void delay_cancelled_removesTimer() {
        CompletableFuture<Void> delayed = clock.delay(Duration.ofMinutes(10));
        assertThat(clock.pendingTimers()).isEqualTo(1);
        delayed.cancel(false);
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void runUntilDone_chainOfDelaysOnOtherThreads_completesInVirtualTime() throws Exception {
        CompletableFuture<Integer> result = clock.delay(Duration.ofMinutes(1))
                .thenComposeAsync(v -> clock.delay(Duration.ofMinutes(2)), clock.executor())
                .thenApplyAsync(v -> 42, clock.executor());

        assertThat(clock.runUntilDone(result, Duration.ofHours(1))).isEqualTo(42);
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void runUntilDone_limitReached_throwsTimeoutAtLimit() {
        CompletableFuture<Void> late = clock.delay(Duration.ofHours(2));
        assertThatThrownBy(() -> clock.runUntilDone(late, Duration.ofHours(1))).isInstanceOf(TimeoutException.class);
        assertThat(clock.elapsed()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void runUntilDone_failedFuture_throwsExecutionException() {
        CompletableFuture<Void> failing = clock.delay(Duration.ofSeconds(1)).thenRun(() -> {
            throw new IllegalStateException("failed");
        });
        assertThatThrownBy(() -> clock.runUntilDone(failing, Duration.ofHours(1)))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void autoAdvance_blockingWaiterOnVirtualDelay_wakes() throws Exception {
        try (var ignored = clock.autoAdvance()) {
            clock.delay(Duration.ofDays(1)).get();
        }
        assertThat(clock.elapsed()).isEqualTo(Duration.ofDays(1));
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInput_rejectedWithNamedParameter() {
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> clock.advance(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> clock.schedule(null, () -> {}))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("delay");
        assertThatThrownBy(() -> clock.schedule(Duration.ZERO, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("task");
        assertThatThrownBy(() -> clock.quietPeriod(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quietPeriod");
        assertThatThrownBy(() -> VirtualClock.startingAt(null)).isInstanceOf(NullPointerException.class);
        assertThat(VirtualClock.startingAt(Instant.EPOCH).instant()).isEqualTo(Instant.EPOCH);
    }
}
