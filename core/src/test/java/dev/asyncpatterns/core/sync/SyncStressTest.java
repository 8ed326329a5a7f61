package dev.asyncpatterns.core.sync;

import static dev.asyncpatterns.core.StressBudget.LONG;
import static dev.asyncpatterns.core.StressBudget.seed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.pool.AsyncPool;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Randomized invariant stress for the coordination primitives: many threads acquiring,
 * releasing, cancelling and timing out at once, then exact accounting at quiescence.
 *
 * <p>Short by default (about 1 s per test); {@code STRESS=long} runs 20 s. The seed is printed;
 * replay one with {@code -Dstress.seed=...}.
 */
class SyncStressTest {

    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(LONG ? 20 : 1);
    private static final int THREADS = 4;

    // ---------------------------------------------------------------- AsyncSemaphore

    @Test
    void semaphore_randomAcquireReleaseCancelTimeout_exactAccounting() throws Exception {
        long seed = seed();
        int permits = 4;
        var semaphore = new AsyncSemaphore(permits);
        var held = new AtomicInteger();
        var overCommitted = new AtomicInteger();
        var ops = new LongAdder();
        var acquired = new LongAdder();
        var cancelled = new LongAdder();
        var timedOut = new LongAdder();
        var lostWakeups = new LongAdder();
        var failures = new ArrayList<Throwable>();
        long deadline = System.nanoTime() + RUN_NANOS;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            var random = new SplittableRandom(seed + t);
            threads.add(Thread.ofPlatform().name("stress-" + t).start(() -> {
                try {
                    while (System.nanoTime() < deadline) {
                        int n = 1 + random.nextInt(3);
                        CompletableFuture<Void> f;
                        switch (random.nextInt(5)) {
                            case 0, 1 -> f = semaphore.acquire(n);
                            case 2 -> {
                                f = semaphore.acquire(n);
                                if (f.cancel(false)) {
                                    cancelled.increment();
                                    f = null;
                                }
                            }
                            case 3 -> f = semaphore.acquire(n, Duration.ofNanos(random.nextInt(200_000)));
                            default -> f = semaphore.tryAcquire(n) ? CompletableFuture.completedFuture(null) : null;
                        }
                        ops.increment();
                        if (f == null) {
                            continue;
                        }
                        try {
                            f.get(30, TimeUnit.SECONDS);
                        } catch (ExecutionException e) {
                            assertThat(e).hasCauseInstanceOf(TimeoutException.class);
                            timedOut.increment();
                            continue;
                        } catch (TimeoutException e) {
                            lostWakeups.increment();
                            f.cancel(false);
                            continue;
                        }
                        acquired.increment();
                        if (held.addAndGet(n) > permits) {
                            overCommitted.incrementAndGet();
                        }
                        Thread.onSpinWait();
                        held.addAndGet(-n);
                        semaphore.release(n);
                    }
                } catch (Throwable failure) {
                    synchronized (failures) {
                        failures.add(failure);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        int leaked = permits - semaphore.availablePermits();
        System.out.printf(
                "semaphore-stress seed=%d: %d ops across %d threads (acquired=%d cancelled=%d timedOut=%d "
                        + "overCommitted=%d waitersLeft=%d): %d leaked, %d lost wakeups%n",
                seed,
                ops.sum(),
                THREADS,
                acquired.sum(),
                cancelled.sum(),
                timedOut.sum(),
                overCommitted.get(),
                semaphore.waiters(),
                leaked,
                lostWakeups.sum());
        assertThat(failures).isEmpty();
        assertThat(leaked).isZero();
        assertThat(lostWakeups.sum()).isZero();
        assertThat(overCommitted).hasValue(0);
        assertThat(semaphore.waiters()).isZero();
        assertThat(acquired.sum()).isPositive();
    }

    @Test
    void semaphore_cancelFromOtherThreadRacingRelease_exactAccounting() throws Exception {
        long seed = seed();
        var random = new SplittableRandom(seed);
        var semaphore = new AsyncSemaphore(0);
        var stop = new AtomicBoolean();
        var granted = new LongAdder();
        var cancelled = new LongAdder();
        var released = new LongAdder();
        var queue = new java.util.concurrent.ConcurrentLinkedQueue<CompletableFuture<Void>>();
        // a canceller thread cancels waiters while this thread releases permits one at a time
        Thread canceller = Thread.ofPlatform().start(() -> {
            while (!stop.get() || !queue.isEmpty()) {
                CompletableFuture<Void> f = queue.poll();
                if (f != null && f.cancel(false)) {
                    cancelled.increment();
                }
            }
        });
        long deadline = System.nanoTime() + RUN_NANOS;
        long ops = 0;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 1 + random.nextInt(8); i++) {
                var f = semaphore.acquire();
                f.thenRun(granted::increment);
                queue.add(f);
            }
            semaphore.release();
            released.increment();
            ops++;
        }
        stop.set(true);
        canceller.join();
        // every permit released went either to a granted waiter or back to the semaphore
        long leaked = released.sum() - granted.sum() - semaphore.availablePermits();
        System.out.printf(
                "semaphore-cancel-race seed=%d: %d ops across 2 threads (released=%d granted=%d "
                        + "cancelled=%d available=%d waitersLeft=%d): %d leaked, %d lost wakeups%n",
                seed,
                ops,
                released.sum(),
                granted.sum(),
                cancelled.sum(),
                semaphore.availablePermits(),
                semaphore.waiters(),
                leaked,
                semaphore.waiters());
        assertThat(leaked).isZero();
        assertThat(semaphore.waiters()).as("waiters left although permits free").isZero();
    }

    // ---------------------------------------------------------------- AsyncReadWriteLock

    @Test
    void readWriteLock_randomReadWriteCancelTimeout_exclusionAndExactRelease() throws Exception {
        long seed = seed();
        var rw = new AsyncReadWriteLock();
        var readers = new AtomicInteger();
        var writers = new AtomicInteger();
        var violations = new AtomicInteger();
        var ops = new LongAdder();
        var granted = new LongAdder();
        var gaveUp = new LongAdder();
        var lostWakeups = new LongAdder();
        var failures = new ArrayList<Throwable>();
        long deadline = System.nanoTime() + RUN_NANOS;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            var random = new SplittableRandom(seed + t);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    while (System.nanoTime() < deadline) {
                        boolean write = random.nextInt(4) == 0;
                        CompletableFuture<AsyncLock.Guard> f = switch (random.nextInt(3)) {
                            case 0 ->
                                write
                                        ? rw.writeLock(Duration.ofNanos(random.nextInt(100_000)))
                                        : rw.readLock(Duration.ofNanos(random.nextInt(100_000)));
                            default -> write ? rw.writeLock() : rw.readLock();
                        };
                        ops.increment();
                        if (random.nextInt(5) == 0) {
                            f.cancel(false);
                        }
                        AsyncLock.Guard guard;
                        try {
                            guard = f.get(30, TimeUnit.SECONDS);
                        } catch (ExecutionException | CancellationException e) {
                            gaveUp.increment();
                            continue;
                        } catch (TimeoutException e) {
                            lostWakeups.increment();
                            continue;
                        }
                        granted.increment();
                        if (write) {
                            if (writers.incrementAndGet() != 1 || readers.get() != 0) {
                                violations.incrementAndGet();
                            }
                            writers.decrementAndGet();
                        } else {
                            readers.incrementAndGet();
                            if (writers.get() != 0) {
                                violations.incrementAndGet();
                            }
                            readers.decrementAndGet();
                        }
                        guard.unlock();
                    }
                } catch (Throwable failure) {
                    synchronized (failures) {
                        failures.add(failure);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        int leaked = rw.readers() + (rw.isWriteLocked() ? 1 : 0);
        System.out.printf(
                "rwlock-stress seed=%d: %d ops across %d threads (granted=%d gaveUp=%d violations=%d "
                        + "waitersLeft=%d): %d leaked, %d lost wakeups%n",
                seed,
                ops.sum(),
                THREADS,
                granted.sum(),
                gaveUp.sum(),
                violations.get(),
                rw.waiters(),
                leaked,
                lostWakeups.sum());
        assertThat(failures).isEmpty();
        assertThat(violations).hasValue(0);
        assertThat(leaked).isZero();
        assertThat(lostWakeups.sum()).isZero();
        assertThat(rw.waiters()).isZero();
        assertThat(granted.sum()).isPositive();
    }

    // ---------------------------------------------------------------- AsyncPool

    @Test
    void pool_randomAcquireReleaseInvalidateCancelTimeout_exactAccounting() throws Exception {
        long seed = seed();
        int maxSize = 3;
        var created = new AtomicInteger();
        var destroyed = new AtomicInteger();
        var pool = AsyncPool.<AtomicBoolean>builder(() -> {
                    created.incrementAndGet();
                    return CompletableFuture.completedFuture(new AtomicBoolean());
                })
                .maxSize(maxSize)
                .minSize(1)
                .destroyer(inUse -> destroyed.incrementAndGet())
                .build();
        var doubleLent = new AtomicInteger();
        var ops = new LongAdder();
        var lent = new LongAdder();
        var gaveUp = new LongAdder();
        var lostWakeups = new LongAdder();
        var failures = new ArrayList<Throwable>();
        long deadline = System.nanoTime() + RUN_NANOS;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            var random = new SplittableRandom(seed + t);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    while (System.nanoTime() < deadline) {
                        CompletableFuture<AtomicBoolean> f = random.nextInt(3) == 0
                                ? pool.acquire(Duration.ofNanos(random.nextInt(100_000)))
                                : pool.acquire();
                        ops.increment();
                        if (random.nextInt(5) == 0) {
                            f.cancel(false);
                        }
                        AtomicBoolean inUse;
                        try {
                            inUse = f.get(30, TimeUnit.SECONDS);
                        } catch (ExecutionException | CancellationException e) {
                            gaveUp.increment();
                            continue;
                        } catch (TimeoutException e) {
                            lostWakeups.increment();
                            continue;
                        }
                        lent.increment();
                        if (!inUse.compareAndSet(false, true)) {
                            doubleLent.incrementAndGet();
                        }
                        Thread.onSpinWait();
                        inUse.set(false);
                        if (random.nextInt(10) == 0) {
                            pool.invalidate(inUse);
                        } else {
                            pool.release(inUse);
                        }
                    }
                } catch (Throwable failure) {
                    synchronized (failures) {
                        failures.add(failure);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        int live = pool.size();
        long leaked = created.get() - destroyed.get() - live;
        System.out.printf(
                "pool-stress seed=%d: %d ops across %d threads (lent=%d gaveUp=%d created=%d destroyed=%d "
                        + "live=%d borrowed=%d doubleLent=%d waitersLeft=%d): %d leaked, %d lost wakeups%n",
                seed,
                ops.sum(),
                THREADS,
                lent.sum(),
                gaveUp.sum(),
                created.get(),
                destroyed.get(),
                live,
                pool.borrowedCount(),
                doubleLent.get(),
                pool.waiters(),
                leaked,
                lostWakeups.sum());
        assertThat(failures).isEmpty();
        assertThat(leaked).isZero();
        assertThat(lostWakeups.sum()).isZero();
        assertThat(doubleLent).hasValue(0);
        assertThat(live).isBetween(1, maxSize);
        assertThat(pool.borrowedCount()).isZero();
        assertThat(pool.waiters()).isZero();
        pool.shutdown().get(10, TimeUnit.SECONDS);
        assertThat(destroyed.get()).isEqualTo(created.get());
    }

    // ---------------------------------------------------------------- AsyncRateLimiter

    @Test
    void rateLimiter_randomAcquireCancelTimeout_onVirtualClock_noLeakNoOverGrant() throws Exception {
        long seed = seed();
        var clock = VirtualClock.create();
        int burst = 20;
        // one token per virtual millisecond
        var limiter = AsyncRateLimiter.builder()
                .rate(1, Duration.ofMillis(1))
                .burst(burst)
                .timeSource(clock)
                .build();
        var grantedTokens = new LongAdder();
        var ops = new LongAdder();
        var cancelled = new LongAdder();
        var timedOut = new LongAdder();
        var pending = new java.util.concurrent.ConcurrentLinkedQueue<CompletableFuture<Void>>();
        var failures = new ArrayList<Throwable>();
        long deadline = System.nanoTime() + RUN_NANOS;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS - 1; t++) {
            var random = new SplittableRandom(seed + t);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    while (System.nanoTime() < deadline) {
                        int n = 1 + random.nextInt(3);
                        CompletableFuture<Void> f = switch (random.nextInt(4)) {
                            case 0 -> limiter.acquire(n, Duration.ofNanos(random.nextInt(3_000_000)));
                            case 1 -> limiter.tryAcquire(n) ? CompletableFuture.completedFuture(null) : null;
                            default -> limiter.acquire(n);
                        };
                        ops.increment();
                        if (f == null) {
                            continue;
                        }
                        f.whenComplete((v, e) -> {
                            if (e == null) {
                                grantedTokens.add(n);
                            } else if (e instanceof CancellationException) {
                                cancelled.increment();
                            } else {
                                timedOut.increment();
                            }
                        });
                        if (random.nextInt(4) == 0) {
                            f.cancel(false);
                        }
                        pending.add(f);
                        while (pending.size() > 200) {
                            Thread.onSpinWait();
                            pending.removeIf(CompletableFuture::isDone);
                        }
                    }
                } catch (Throwable failure) {
                    synchronized (failures) {
                        failures.add(failure);
                    }
                }
            }));
        }
        var driver = new AtomicBoolean(true);
        Thread advancer = Thread.ofPlatform().start(() -> {
            while (driver.get()) {
                clock.advance(Duration.ofNanos(100_000));
            }
        });
        for (Thread thread : threads) {
            thread.join();
        }
        driver.set(false);
        advancer.join();
        clock.advance(Duration.ofSeconds(10)); // lets every queued waiter through
        long lostWakeups = pending.stream().filter(f -> !f.isDone()).count();
        long elapsedMs = clock.elapsed().toMillis();
        long allowed = burst + elapsedMs;
        clock.advance(Duration.ofSeconds(1));
        int leaked = burst - limiter.availableTokens();
        System.out.printf(
                "ratelimiter-stress seed=%d: %d ops across %d threads (tokensGranted=%d allowed<=%d "
                        + "cancelled=%d timedOut=%d waitersLeft=%d): %d leaked, %d lost wakeups%n",
                seed,
                ops.sum(),
                THREADS,
                grantedTokens.sum(),
                allowed,
                cancelled.sum(),
                timedOut.sum(),
                limiter.waiters(),
                leaked,
                lostWakeups);
        assertThat(failures).isEmpty();
        assertThat(grantedTokens.sum()).isLessThanOrEqualTo(allowed);
        assertThat(lostWakeups).isZero();
        assertThat(leaked).isZero();
        assertThat(limiter.waiters()).isZero();
    }
}
