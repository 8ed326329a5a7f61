package dev.asyncpatterns.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.testing.GcFinalization;
import com.google.common.testing.NullPointerTester;
import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.future.Parallel;
import dev.asyncpatterns.core.pool.AsyncPool;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.testkit.VirtualClock;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Cross-cutting contract checks for the coordination primitives: nulls and leaks. */
class SyncContractTest {

    private final VirtualClock clock = VirtualClock.create();

    private NullPointerTester tester() {
        return new NullPointerTester()
                .setDefault(int.class, 1)
                .setDefault(long.class, 1L)
                .setDefault(Duration.class, Duration.ofSeconds(1))
                .setDefault(TimeSource.class, clock)
                .setDefault(Iterable.class, List.of(1))
                .setDefault(AsyncSupplier.class, () -> CompletableFuture.completedFuture(1));
    }

    // ---------------------------------------------------------------- nulls

    @Test
    void publicMethods_nullArguments_throwNullPointerException() {
        var tester = tester();
        tester.testAllPublicConstructors(AsyncSemaphore.class);
        tester.testAllPublicInstanceMethods(new AsyncSemaphore(1, clock));
        tester.testAllPublicConstructors(AsyncLock.class);
        tester.testAllPublicInstanceMethods(new AsyncLock(clock));
        tester.testAllPublicInstanceMethods(new AsyncReadWriteLock(clock));
        tester.testAllPublicInstanceMethods(new AsyncEvent(clock));
        tester.testAllPublicConstructors(AsyncLatch.class);
        tester.testAllPublicInstanceMethods(new AsyncLatch(1, clock));
        tester.testAllPublicConstructors(AsyncBarrier.class);
        tester.testAllPublicInstanceMethods(new AsyncBarrier(2, clock));
        tester.testAllPublicInstanceMethods(AsyncRateLimiter.builder()
                .rate(1, Duration.ofSeconds(1))
                .timeSource(clock)
                .build());
        tester.testAllPublicStaticMethods(AsyncRateLimiter.class);
        tester.testAllPublicInstanceMethods(AsyncRateLimiter.builder());
        tester.testAllPublicStaticMethods(Parallel.class);
        tester.testAllPublicStaticMethods(AsyncPool.class);
        tester.testAllPublicInstanceMethods(AsyncPool.builder(() -> CompletableFuture.completedFuture("x")));
        tester.testAllPublicInstanceMethods(AsyncPool.builder(() -> CompletableFuture.completedFuture("x"))
                .timeSource(clock)
                .build());
    }

    // ---------------------------------------------------------------- leaks

    @Test
    void cancelledWaiters_areNotRetained() {
        var semaphore = new AsyncSemaphore(0, clock);
        var event = new AsyncEvent(clock);
        var rw = new AsyncReadWriteLock(clock);
        var held = rw.writeLock().join();
        var limiter = AsyncRateLimiter.builder()
                .rate(1, Duration.ofDays(1))
                .timeSource(clock)
                .build();
        limiter.tryAcquire();
        WeakReference<?> semaphoreWaiter = cancelled(semaphore.acquire());
        WeakReference<?> timedOut = new WeakReference<>(semaphore.acquire(Duration.ofSeconds(1)));
        WeakReference<?> eventWaiter = cancelled(event.await());
        WeakReference<?> rwWaiter = cancelled(rw.readLock());
        WeakReference<?> limiterWaiter = cancelled(limiter.acquire());
        clock.advance(Duration.ofSeconds(1));
        GcFinalization.awaitClear(semaphoreWaiter);
        GcFinalization.awaitClear(timedOut);
        GcFinalization.awaitClear(eventWaiter);
        GcFinalization.awaitClear(rwWaiter);
        GcFinalization.awaitClear(limiterWaiter);
        assertThat(semaphore.waiters()).isZero();
        assertThat(clock.pendingTimers()).isZero();
        held.unlock();
    }

    private static WeakReference<?> cancelled(CompletableFuture<?> waiter) {
        waiter.cancel(false);
        return new WeakReference<>(waiter);
    }
}
