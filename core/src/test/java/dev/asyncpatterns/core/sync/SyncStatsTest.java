package dev.asyncpatterns.core.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Names and {@code stats()} of the sync primitives (ADR core-0003). */
class SyncStatsTest {

    private final VirtualClock clock = VirtualClock.create();

    // ---------------------------------------------------------------- names

    @Test
    void builders_name_validatedAndSetOnce() {
        assertThatNullPointerException()
                .isThrownBy(() -> AsyncSemaphore.builder(1).name(null))
                .withMessage("name");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AsyncLock.builder().name(" "))
                .withMessageContaining("name");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AsyncReadWriteLock.builder().name("a\nb"))
                .withMessageContaining("control");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AsyncRateLimiter.builder().name("x".repeat(201)))
                .withMessageContaining("200");
        assertThatIllegalStateException()
                .isThrownBy(() -> AsyncSemaphore.builder(1).name("a").name("b"))
                .withMessage("name was already set");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AsyncSemaphore.builder(-1))
                .withMessageContaining("permits");
    }

    @Test
    void unnamed_components_getTheirKindAndIdentity() {
        assertThat(new AsyncSemaphore(1).name()).startsWith("semaphore@");
        assertThat(new AsyncLock().name()).startsWith("lock@");
        assertThat(new AsyncReadWriteLock().name()).startsWith("rwlock@");
        assertThat(AsyncRateLimiter.perSecond(1).name()).startsWith("ratelimiter@");
        assertThat(AsyncSemaphore.builder(1).name("db").build().toString()).startsWith("AsyncSemaphore[db,");
    }

    // ---------------------------------------------------------------- semaphore

    @Test
    void semaphoreStats_fastPath_countsNothing() {
        var semaphore = AsyncSemaphore.builder(2).name("s").build();
        semaphore.acquire().join();
        semaphore.release();
        assertThat(semaphore.tryAcquire()).isTrue();
        assertThat(semaphore.stats()).isEqualTo(new AsyncSemaphore.Stats("s", 1, 0, 0, 0, 0, Duration.ZERO));
    }

    @Test
    void semaphoreStats_waitsEndingEachWay_areCountedOnce() {
        var semaphore = AsyncSemaphore.builder(0).name("s").timeSource(clock).build();
        semaphore.stats(); // switches on wait timing
        CompletableFuture<Void> granted = semaphore.acquire();
        CompletableFuture<Void> timed = semaphore.acquire(Duration.ofSeconds(1));
        CompletableFuture<Void> cancelled = semaphore.acquire();
        CompletableFuture<Void> completedByCaller = semaphore.acquire();
        cancelled.cancel(true);
        cancelled.cancel(true); // a second cancel does not count twice
        completedByCaller.complete(null);
        clock.advance(Duration.ofSeconds(1));
        semaphore.release();

        assertThat(granted).isCompleted();
        assertThat(timed).isCompletedExceptionally();
        assertThat(semaphore.stats().granted()).isEqualTo(1);
        assertThat(semaphore.stats()).isEqualTo(new AsyncSemaphore.Stats("s", 0, 0, 4, 1, 2, Duration.ofSeconds(1)));
    }

    @Test
    void semaphoreStats_waitTime_timesOnlyWaitsQueuedAfterTheFirstStatsCall() {
        var counting = new CountingClock(clock);
        var semaphore = AsyncSemaphore.builder(0).timeSource(counting).build();
        CompletableFuture<Void> before = semaphore.acquire();
        assertThat(semaphore.toString()).contains("waiters=1"); // printing it is not reading the stats
        clock.advance(Duration.ofSeconds(5));
        semaphore.release();
        assertThat(before).isCompleted();
        assertThat(counting.reads)
                .as("no clock read before anybody reads the stats (toString included)")
                .isZero();

        assertThat(semaphore.stats().waitTime()).isZero(); // granted, but queued before timing began
        assertThat(semaphore.stats().granted()).isEqualTo(1);
        CompletableFuture<Void> after = semaphore.acquire();
        clock.advance(Duration.ofSeconds(3));
        semaphore.release();
        assertThat(after).isCompleted();
        assertThat(counting.reads).isEqualTo(2); // queued, granted
        assertThat(semaphore.stats().waitTime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(semaphore.stats().granted()).isEqualTo(2);
    }

    @Test
    void readWriteLockStats_waitTime_timesOnlyWaitsQueuedAfterTheFirstStatsCall() {
        var counting = new CountingClock(clock);
        var lock = AsyncReadWriteLock.builder().timeSource(counting).build();
        var write = lock.writeLock().join();
        var before = lock.readLock();
        clock.advance(Duration.ofSeconds(5));
        write.unlock();
        before.join().unlock();
        assertThat(counting.reads).isZero();

        assertThat(lock.stats().waitTime()).isZero();
        write = lock.writeLock().join();
        var after = lock.readLock();
        clock.advance(Duration.ofSeconds(3));
        write.unlock();
        after.join().unlock();
        assertThat(counting.reads).isEqualTo(2);
        assertThat(lock.stats().waitTime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(lock.stats().granted()).isEqualTo(2);
    }

    /** A time source that counts its nanoTime reads. */
    private static final class CountingClock implements TimeSource {
        private final TimeSource delegate;
        int reads;

        CountingClock(TimeSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public long nanoTime() {
            reads++;
            return delegate.nanoTime();
        }

        @Override
        public Instant instant() {
            return delegate.instant();
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            return delegate.schedule(delay, task);
        }
    }

    // ---------------------------------------------------------------- locks

    @Test
    void lockStats_followHolderAndWaiters() {
        var lock = AsyncLock.builder().name("l").timeSource(clock).build();
        lock.stats(); // switches on wait timing
        var guard = lock.lock().join();
        var timed = lock.lock(Duration.ofMillis(10));
        var next = lock.lock();
        assertThat(lock.stats()).isEqualTo(new AsyncLock.Stats("l", true, 2, 2, 0, 0, Duration.ZERO));
        clock.advance(Duration.ofMillis(10));
        guard.unlock();
        assertThat(timed).isCompletedExceptionally();
        next.join().unlock();
        assertThat(lock.stats()).isEqualTo(new AsyncLock.Stats("l", false, 0, 2, 1, 0, Duration.ofMillis(10)));
    }

    @Test
    void readWriteLockStats_readersWriterAndWaits() {
        var lock = AsyncReadWriteLock.builder().name("rw").timeSource(clock).build();
        lock.stats(); // switches on wait timing
        var read = lock.readLock().join();
        var write = lock.writeLock();
        var cancelled = lock.readLock(); // behind the writer
        cancelled.cancel(true);
        assertThat(lock.stats()).isEqualTo(new AsyncReadWriteLock.Stats("rw", 1, false, 1, 2, 0, 1, Duration.ZERO));
        clock.advance(Duration.ofMillis(20));
        read.unlock();
        assertThat(write).isCompleted();
        assertThat(lock.stats())
                .isEqualTo(new AsyncReadWriteLock.Stats("rw", 0, true, 0, 2, 0, 1, Duration.ofMillis(20)));
    }

    // ---------------------------------------------------------------- rate limiter

    @Test
    void rateLimiterStats_tokensWaitsRejectionsAndClose() {
        var limiter = AsyncRateLimiter.builder()
                .name("r")
                .rate(1, Duration.ofSeconds(1))
                .burst(2)
                .timeSource(clock)
                .build();
        assertThat(limiter.tryAcquire(2)).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
        assertThat(limiter.acquire(1, Duration.ZERO)).isCompletedExceptionally();
        var waiting = limiter.acquire();
        var timed = limiter.acquire(1, Duration.ofMillis(100));
        assertThat(limiter.stats())
                .isEqualTo(new AsyncRateLimiter.Stats("r", 0, 2, 2, 2, 0, 0, 2, Duration.ZERO, false));
        clock.advance(Duration.ofMillis(100));
        assertThat(timed).isCompletedExceptionally();
        clock.advance(Duration.ofMillis(900));
        assertThat(waiting).isCompleted();
        limiter.close();
        assertThat(limiter.acquire())
                .failsWithin(Duration.ZERO)
                .withThrowableThat()
                .withCauseInstanceOf(ClosedException.class);
        assertThat(limiter.stats())
                .isEqualTo(new AsyncRateLimiter.Stats("r", 0, 2, 0, 2, 1, 0, 3, Duration.ofSeconds(1), true));
    }
}
