package dev.asyncpatterns.core.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class AsyncRateLimiterTest {

    private final VirtualClock clock = VirtualClock.create();

    private AsyncRateLimiter limiter(int permits, Duration period, int burst) {
        return AsyncRateLimiter.builder()
                .rate(permits, period)
                .burst(burst)
                .timeSource(clock)
                .build();
    }

    // ---------------------------------------------------------------- rate

    @Test
    void acquire_bucketStartsFull_burstGrantedAtOnceThenPaced() {
        var limiter = limiter(10, Duration.ofSeconds(1), 5);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.acquire()).isCompleted();
        }
        var sixth = limiter.acquire();
        var seventh = limiter.acquire();
        assertThat(sixth).isNotDone();
        clock.advance(Duration.ofMillis(99));
        assertThat(sixth).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThat(sixth).isCompleted();
        assertThat(seventh).isNotDone();
        clock.advance(Duration.ofMillis(100));
        assertThat(seventh).isCompleted();
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void acquire_oneThousandCallsAtTenPerSecond_takeNinetyNineSecondsAfterTheBurst() {
        var limiter = limiter(10, Duration.ofSeconds(1), 10);
        var grantedAt = new ArrayList<Long>();
        for (int i = 0; i < 1_000; i++) {
            limiter.acquire().thenRun(() -> grantedAt.add(clock.nanoTime()));
        }
        clock.advance(Duration.ofSeconds(99));
        assertThat(grantedAt).hasSize(1_000);
        assertThat(grantedAt.get(9)).isZero();
        assertThat(grantedAt.get(10)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(grantedAt.get(999)).isEqualTo(Duration.ofSeconds(99).toNanos());
        // never more than burst + rate * elapsed
        for (int i = 0; i < grantedAt.size(); i++) {
            long allowed = 10 + grantedAt.get(i) * 10 / 1_000_000_000L;
            assertThat((long) i + 1).isLessThanOrEqualTo(allowed);
        }
    }

    @Test
    void acquire_fractionalRate_exactIntegerTiming() {
        var limiter = limiter(3, Duration.ofSeconds(1), 1); // one token every 333.33 ms
        assertThat(limiter.acquire()).isCompleted();
        var next = limiter.acquire();
        clock.advance(Duration.ofNanos(333_333_333));
        assertThat(next).isNotDone();
        clock.advance(Duration.ofNanos(1));
        assertThat(next).isCompleted();
    }

    @Test
    void availableTokens_refillsUpToBurstOnly() {
        var limiter = limiter(2, Duration.ofSeconds(1), 4);
        assertThat(limiter.tryAcquire(4)).isTrue();
        assertThat(limiter.availableTokens()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.availableTokens()).isEqualTo(2);
        clock.advance(Duration.ofDays(10_000));
        assertThat(limiter.availableTokens()).isEqualTo(4);
    }

    // ---------------------------------------------------------------- fairness

    @Test
    void acquire_largeRequestAtHead_notStarvedBySmallOnes() {
        var limiter = limiter(1, Duration.ofSeconds(1), 5);
        assertThat(limiter.tryAcquire(5)).isTrue();
        var large = limiter.acquire(5);
        var small = limiter.acquire(1);
        clock.advance(Duration.ofSeconds(4));
        assertThat(limiter.tryAcquire()).as("tryAcquire does not barge").isFalse();
        assertThat(large).isNotDone();
        assertThat(small).isNotDone();
        clock.advance(Duration.ofSeconds(1));
        assertThat(large).isCompleted();
        assertThat(small).isNotDone();
        clock.advance(Duration.ofSeconds(1));
        assertThat(small).isCompleted();
    }

    // ---------------------------------------------------------------- cancellation and timeouts

    @Test
    void cancel_head_nextWaiterServedAndTokensKept() {
        var limiter = limiter(1, Duration.ofSeconds(1), 3);
        assertThat(limiter.tryAcquire(3)).isTrue();
        var big = limiter.acquire(3);
        var one = limiter.acquire(1);
        clock.advance(Duration.ofMillis(500));
        big.cancel(true);
        assertThat(limiter.waiters()).isEqualTo(1);
        clock.advance(Duration.ofMillis(500));
        assertThat(one).isCompleted();
        assertThat(limiter.waiters()).isZero();
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void cancel_headWhoseTokensAreReady_grantsFollowerAtOnce() {
        var limiter = limiter(1, Duration.ofSeconds(1), 3);
        assertThat(limiter.tryAcquire(3)).isTrue();
        var big = limiter.acquire(3);
        var one = limiter.acquire(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(one).isNotDone();
        big.cancel(true);
        assertThat(one).isCompleted();
    }

    @Test
    void acquireWithTimeout_expires_failsAndWithdraws() {
        var limiter = limiter(1, Duration.ofSeconds(10), 1);
        assertThat(limiter.tryAcquire()).isTrue();
        var waiter = limiter.acquire(1, Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(waiter::join).hasCauseInstanceOf(TimeoutException.class);
        assertThat(limiter.waiters()).isZero();
        clock.advance(Duration.ofSeconds(8));
        assertThat(limiter.availableTokens()).isEqualTo(1);
    }

    @Test
    void acquireWithTimeout_zeroOrNegative_neverWaits() {
        var limiter = limiter(1, Duration.ofSeconds(1), 1);
        assertThat(limiter.acquire(1, Duration.ZERO)).isCompleted();
        assertThat(limiter.acquire(1, Duration.ZERO)).isCompletedExceptionally();
        assertThat(limiter.acquire(1, Duration.ofSeconds(-5))).isCompletedExceptionally();
        assertThat(limiter.waiters()).isZero();
        var huge = limiter.acquire(1, Duration.ofSeconds(Long.MAX_VALUE));
        clock.advance(Duration.ofSeconds(1));
        assertThat(huge).isCompleted();
    }

    @Test
    void grantLostToCancellation_tokenGoesToNextWaiter() {
        var limiter = limiter(1, Duration.ofSeconds(1), 2);
        assertThat(limiter.tryAcquire(2)).isTrue();
        var first = limiter.acquire();
        var second = limiter.acquire();
        var third = limiter.acquire();
        // first and second are granted in one hand-off; first's dependent cancels second just
        // before second's future is completed, so second's token must flow on to third
        first.thenRun(() -> second.cancel(false));
        clock.advance(Duration.ofSeconds(2));
        assertThat(first).isCompleted();
        assertThat(second).isCancelled();
        assertThat(third).isCompleted();
        assertThat(limiter.availableTokens()).isZero();
    }

    // ---------------------------------------------------------------- close

    @Test
    void close_failsWaitersAndRejectsNewAcquires() {
        var limiter = limiter(1, Duration.ofSeconds(1), 1);
        assertThat(limiter.tryAcquire()).isTrue();
        var waiter = limiter.acquire();
        limiter.close();
        limiter.close();
        assertThatThrownBy(waiter::join).hasCauseInstanceOf(ClosedException.class);
        assertThatThrownBy(() -> limiter.acquire().join())
                .hasCauseInstanceOf(ClosedException.class)
                .hasMessageContaining("closed");
        assertThat(limiter.tryAcquire()).isFalse();
        assertThat(clock.pendingTimers()).isZero();
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInput_rejectedAtOnceNamingTheParameter() {
        assertThatThrownBy(() -> AsyncRateLimiter.builder().rate(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("permits");
        assertThatThrownBy(() -> AsyncRateLimiter.builder().rate(1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("period");
        assertThatThrownBy(() -> AsyncRateLimiter.builder().rate(1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("period");
        assertThatThrownBy(() -> AsyncRateLimiter.builder().burst(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("burst");
        assertThatThrownBy(() -> AsyncRateLimiter.builder().timeSource(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeSource");
        assertThatThrownBy(() -> AsyncRateLimiter.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rate");
        assertThatThrownBy(() -> AsyncRateLimiter.builder()
                        .rate(1, Duration.ofSeconds(1))
                        .rate(2, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already");
        assertThatThrownBy(() -> AsyncRateLimiter.builder()
                        .rate(1, Duration.ofDays(365 * 200))
                        .burst(Integer.MAX_VALUE)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large");
        var limiter = limiter(1, Duration.ofSeconds(1), 3);
        assertThatThrownBy(() -> limiter.acquire(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tokens");
        assertThatThrownBy(() -> limiter.acquire(4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("burst")
                .hasMessageContaining("4");
        assertThatThrownBy(() -> limiter.acquire(1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> limiter.tryAcquire(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(limiter.availableTokens()).isEqualTo(3);
    }

    @Test
    void perSecond_systemClock_grantsBurstAtOnce() {
        var limiter = AsyncRateLimiter.perSecond(3);
        List<CompletableFuture<Void>> first = List.of(limiter.acquire(), limiter.acquire(), limiter.acquire());
        assertThat(first).allMatch(CompletableFuture::isDone);
        assertThat(limiter.burst()).isEqualTo(3);
        limiter.close();
    }

    @Test
    void tryAcquireAsync_throughTheRateLimiterInterface_answersAtOnceAsTryAcquireWould() {
        RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 1);
        assertThat(limiter.tryAcquireAsync()).isCompletedWithValue(true);
        assertThat(limiter.tryAcquireAsync()).isCompletedWithValue(false);
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.acquire()).isCompleted();
        assertThatThrownBy(() -> limiter.tryAcquireAsync(2)).isInstanceOf(IllegalArgumentException.class);
        limiter.close();
        assertThat(limiter.tryAcquireAsync()).isCompletedWithValue(false);
    }
}
