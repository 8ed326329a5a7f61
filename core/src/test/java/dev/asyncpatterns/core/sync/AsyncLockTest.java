package dev.asyncpatterns.core.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class AsyncLockTest {

    private final VirtualClock clock = VirtualClock.create();
    private final AsyncLock lock = new AsyncLock(clock);

    // ---------------------------------------------------------------- lock / unlock

    @Test
    void lock_free_grantsAtOnceAndUnlockFreesIt() {
        var guard = lock.lock().join();
        assertThat(lock.isLocked()).isTrue();
        guard.unlock();
        assertThat(guard.isUnlocked()).isTrue();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void lock_held_waitersServedInFifoOrder() {
        var first = lock.lock().join();
        var order = new ArrayList<Integer>();
        var second = lock.lock();
        var third = lock.lock();
        second.thenAccept(g -> order.add(2));
        third.thenAccept(g -> order.add(3));
        assertThat(lock.waiters()).isEqualTo(2);
        first.unlock();
        assertThat(order).containsExactly(2);
        second.join().unlock();
        assertThat(order).containsExactly(2, 3);
        third.join().close();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void unlock_twice_failsAndLeavesLockUnchanged() {
        var guard = lock.lock().join();
        guard.unlock();
        var other = lock.lock().join();
        assertThatThrownBy(guard::unlock)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already");
        assertThat(lock.isLocked())
                .as("the stale guard did not unlock the new holder")
                .isTrue();
        other.unlock();
    }

    @Test
    void tryLock_heldOrWaitersQueued_empty() {
        var guard = lock.tryLock().orElseThrow();
        assertThat(lock.tryLock()).isEmpty();
        var waiter = lock.lock();
        guard.unlock();
        assertThat(waiter).isCompleted();
        assertThat(lock.tryLock()).isEmpty();
    }

    @Test
    void lockWithTimeout_expires_failsAndWithdraws() {
        var guard = lock.lock().join();
        var waiter = lock.lock(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(waiter::join).hasCauseInstanceOf(TimeoutException.class);
        assertThat(lock.waiters()).isZero();
        guard.unlock();
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.lock(Duration.ZERO)).isCompleted();
        assertThat(lock.lock(Duration.ZERO)).isCompletedExceptionally();
    }

    @Test
    void cancel_pendingLock_withdrawsAndNextGetsIt() {
        var guard = lock.lock().join();
        var cancelled = lock.lock();
        var next = lock.lock();
        cancelled.cancel(true);
        guard.unlock();
        assertThat(next).isCompleted();
        next.join().unlock();
        assertThat(lock.isLocked()).isFalse();
    }

    // ---------------------------------------------------------------- withLock

    @Test
    void withLock_mutualExclusionAndUnlockOnEveryOutcome() {
        var work = new CompletableFuture<String>();
        var held = lock.withLock(() -> work);
        var failing = lock.withLock(() -> CompletableFuture.failedFuture(new IllegalStateException("x")));
        CompletableFuture<String> throwing = lock.withLock(() -> {
            throw new Exception("checked");
        });
        assertThat(failing).isNotDone();
        work.complete("ok");
        assertThat(held).isCompletedWithValue("ok");
        assertThat(failing).isCompletedExceptionally();
        assertThatThrownBy(throwing::join).hasRootCauseMessage("checked");
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void withLock_cancelWhileRunning_unlocks() {
        var work = new CompletableFuture<String>();
        var held = lock.withLock(() -> work);
        held.cancel(true);
        assertThat(work).isCancelled();
        assertThat(lock.isLocked()).isFalse();
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInput_rejected() {
        assertThatThrownBy(() -> new AsyncLock(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeSource");
        assertThatThrownBy(() -> lock.lock(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> lock.withLock(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("action");
    }

    @Test
    void unlock_100000ChainedHandOffs_doNotOverflowTheStack() {
        int n = 100_000;
        var done = new java.util.concurrent.atomic.AtomicInteger();
        var first = lock.lock().join();
        for (int i = 0; i < n; i++) {
            lock.lock().thenAccept(guard -> {
                done.incrementAndGet();
                guard.unlock(); // hands the lock to the next waiter from inside this completion
            });
        }
        first.unlock();
        assertThat(done.get()).isEqualTo(n);
        assertThat(lock.isLocked()).isFalse();
    }
}
