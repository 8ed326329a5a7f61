package dev.asyncpatterns.core.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class AsyncEventLatchBarrierTest {

    private final VirtualClock clock = VirtualClock.create();

    // ---------------------------------------------------------------- AsyncEvent

    @Test
    void event_set_wakesAllWaitersAndLaterAwaitsPassUntilClear() {
        var event = new AsyncEvent(clock);
        var a = event.await();
        var b = event.await();
        assertThat(event.waiters()).isEqualTo(2);
        event.set();
        assertThat(a).isCompleted();
        assertThat(b).isCompleted();
        assertThat(event.await()).isCompleted();
        event.clear();
        assertThat(event.isSet()).isFalse();
        assertThat(event.await()).isNotDone();
    }

    @Test
    void event_cancelOneWaiter_othersUnaffectedAndNothingRetained() {
        var event = new AsyncEvent(clock);
        var cancelled = event.await();
        var kept = event.await();
        for (int i = 0; i < 10_000; i++) {
            event.await().cancel(false);
        }
        cancelled.cancel(true);
        assertThat(event.waiters()).isEqualTo(1);
        event.set();
        assertThat(kept).isCompleted();
    }

    @Test
    void event_awaitWithTimeout_expiresOnVirtualTime() {
        var event = new AsyncEvent(clock);
        var waiter = event.await(Duration.ofSeconds(3));
        clock.advance(Duration.ofSeconds(3));
        assertThatThrownBy(waiter::join).hasCauseInstanceOf(TimeoutException.class);
        assertThat(event.waiters()).isZero();
        assertThat(event.await(Duration.ZERO)).isCompletedExceptionally();
        event.set();
        assertThat(event.await(Duration.ZERO)).isCompleted();
    }

    @Test
    void event_dependentClearsAndAwaitsAgain_noDeadlock() {
        var event = new AsyncEvent(clock);
        var again = new ArrayList<CompletableFuture<Void>>();
        event.await().thenRun(() -> {
            event.clear();
            again.add(event.await());
        });
        event.set();
        assertThat(again).singleElement().satisfies(f -> assertThat(f).isNotDone());
    }

    // ---------------------------------------------------------------- AsyncLatch

    @Test
    void latch_opensAtZeroForGood() {
        var latch = new AsyncLatch(2, clock);
        var waiter = latch.await();
        latch.countDown();
        assertThat(waiter).isNotDone();
        latch.countDown();
        assertThat(waiter).isCompleted();
        latch.countDown();
        assertThat(latch.getCount()).isZero();
        assertThat(latch.await()).isCompleted();
    }

    @Test
    void latch_zeroCount_isOpenAndTimeoutWorks() {
        assertThat(new AsyncLatch(0, clock).await()).isCompleted();
        var latch = new AsyncLatch(1, clock);
        var waiter = latch.await(Duration.ofMillis(5));
        clock.advance(Duration.ofMillis(5));
        assertThatThrownBy(waiter::join).hasCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void latch_concurrentCountDowns_openExactlyOnce() throws Exception {
        int n = 10_000;
        var latch = new AsyncLatch(n);
        var waiter = latch.await();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < n / 4; i++) {
                    latch.countDown();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(latch.getCount()).isZero();
        assertThat(waiter).isCompleted();
    }

    // ---------------------------------------------------------------- AsyncBarrier

    @Test
    void barrier_lastArrivalReleasesAllWithIndices_andIsReusable() {
        var barrier = new AsyncBarrier(3, clock);
        for (int round = 0; round < 3; round++) {
            var a = barrier.await();
            var b = barrier.await();
            assertThat(a).isNotDone();
            assertThat(barrier.waiters()).isEqualTo(2);
            var c = barrier.await();
            assertThat(List.of(a.join(), b.join(), c.join())).containsExactly(0, 1, 2);
            assertThat(barrier.waiters()).isZero();
        }
    }

    @Test
    void barrier_waiterCancelled_breaksForEveryoneUntilReset() {
        var barrier = new AsyncBarrier(3, clock);
        var a = barrier.await();
        var b = barrier.await();
        b.cancel(true);
        assertThatThrownBy(a::join).hasCauseInstanceOf(BrokenBarrierException.class);
        assertThat(barrier.isBroken()).isTrue();
        assertThatThrownBy(() -> barrier.await().join()).hasCauseInstanceOf(BrokenBarrierException.class);
        barrier.reset();
        assertThat(barrier.isBroken()).isFalse();
        var x = barrier.await();
        barrier.await();
        barrier.await();
        assertThat(x).isCompletedWithValue(0);
    }

    @Test
    void barrier_waiterTimesOut_breaksTheRound() {
        var barrier = new AsyncBarrier(3, clock);
        var first = barrier.await();
        var second = barrier.await(Duration.ofSeconds(1));
        clock.advance(Duration.ofMillis(999));
        assertThat(first).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(second::join).hasCauseInstanceOf(TimeoutException.class);
        assertThatThrownBy(first::join).hasCauseInstanceOf(BrokenBarrierException.class);
        assertThat(barrier.isBroken()).isTrue();
    }

    @Test
    void barrier_timedWaiterReleasedInTime_timerCancelled() {
        var barrier = new AsyncBarrier(2, clock);
        var timed = barrier.await(Duration.ofSeconds(1));
        barrier.await();
        assertThat(timed).isCompletedWithValue(0);
        assertThat(clock.pendingTimers()).isZero();
        assertThat(barrier.isBroken()).isFalse();
    }

    @Test
    void barrier_zeroTimeoutNotLast_failsAtOnceAndBreaks() {
        var barrier = new AsyncBarrier(2, clock);
        var first = barrier.await(Duration.ZERO);
        assertThatThrownBy(first::join).hasCauseInstanceOf(TimeoutException.class);
        assertThat(barrier.isBroken()).isTrue();
    }

    @Test
    void barrier_abort_failsWaiters() {
        var barrier = new AsyncBarrier(2, clock);
        var a = barrier.await();
        barrier.abort();
        assertThatThrownBy(a::join).hasCauseInstanceOf(BrokenBarrierException.class);
        assertThat(barrier.isBroken()).isTrue();
    }

    @Test
    void barrier_onePartyPassesAlone() {
        assertThat(new AsyncBarrier(1, clock).await()).isCompletedWithValue(0);
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInput_rejected() {
        assertThatThrownBy(() -> new AsyncBarrier(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parties")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> new AsyncLatch(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count");
        assertThatThrownBy(() -> new AsyncEvent(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AsyncLatch(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AsyncBarrier(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AsyncEvent(clock).await(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AsyncBarrier(2, clock).await(null)).isInstanceOf(NullPointerException.class);
    }
}
