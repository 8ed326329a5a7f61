package dev.asyncpatterns.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsyncPoolTest {

    private final VirtualClock clock = VirtualClock.create();

    /** A fake connection. */
    static final class Conn {
        final int id;
        volatile boolean open = true;
        volatile boolean destroyed;

        Conn(int id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "Conn" + id;
        }
    }

    private final AtomicInteger created = new AtomicInteger();
    private final List<Conn> destroyed = new CopyOnWriteArrayList<>();

    private AsyncPool.Builder<Conn> pool() {
        return AsyncPool.<Conn>builder(() -> CompletableFuture.completedFuture(new Conn(created.incrementAndGet())))
                .destroyer(conn -> {
                    conn.destroyed = true;
                    destroyed.add(conn);
                })
                .timeSource(clock);
    }

    // ---------------------------------------------------------------- acquire / release

    @Test
    void acquire_createsOnDemandUpToMaxThenQueues() {
        var pool = pool().maxSize(2).build();
        var a = pool.acquire().join();
        var b = pool.acquire().join();
        var c = pool.acquire();
        assertThat(c).isNotDone();
        assertThat(pool.size()).isEqualTo(2);
        assertThat(pool.waiters()).isEqualTo(1);
        pool.release(a);
        assertThat(c).isCompletedWithValue(a);
        pool.release(b);
        pool.release(c.join());
        assertThat(pool.idleCount()).isEqualTo(2);
        assertThat(created).hasValue(2);
    }

    @Test
    void acquire_reusesMostRecentlyReturned() {
        var pool = pool().maxSize(3).build();
        var a = pool.acquire().join();
        var b = pool.acquire().join();
        pool.release(a);
        pool.release(b);
        assertThat(pool.acquire().join()).isSameAs(b);
    }

    @Test
    void acquire_waitersServedFifo() {
        var pool = pool().maxSize(1).build();
        var held = pool.acquire().join();
        var order = new ArrayList<Integer>();
        for (int i = 0; i < 5; i++) {
            int id = i;
            pool.acquire().thenAccept(conn -> {
                order.add(id);
                pool.release(conn);
            });
        }
        pool.release(held);
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void release_notBorrowedOrTwice_failsAndChangesNothing() {
        var pool = pool().maxSize(2).build();
        var conn = pool.acquire().join();
        pool.release(conn);
        assertThatThrownBy(() -> pool.release(conn))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not borrowed");
        assertThatThrownBy(() -> pool.release(new Conn(99))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pool.release(null)).isInstanceOf(NullPointerException.class);
        assertThat(pool.idleCount()).isEqualTo(1);
        assertThat(pool.size()).isEqualTo(1);
    }

    @Test
    void invalidate_destroysAndFreesTheSlot() {
        var pool = pool().maxSize(1).build();
        var conn = pool.acquire().join();
        var waiter = pool.acquire();
        pool.invalidate(conn);
        assertThat(destroyed).containsExactly(conn);
        assertThat(waiter.join()).isNotSameAs(conn);
        assertThat(pool.size()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- validation

    @Test
    void validator_rejectsIdleObject_destroysItAndLendsAFreshOne() {
        var pool = pool().maxSize(1).validator(conn -> conn.open).build();
        var conn = pool.acquire().join();
        pool.release(conn);
        conn.open = false;
        var next = pool.acquire().join();
        assertThat(next).isNotSameAs(conn);
        assertThat(conn.destroyed).isTrue();
        assertThat(pool.size()).isEqualTo(1);
    }

    @Test
    void validator_throws_treatedAsInvalid() {
        var pool = pool().maxSize(1)
                .validator(conn -> {
                    if (conn.id == 1) {
                        throw new IllegalStateException("ping failed");
                    }
                    return true;
                })
                .build();
        pool.release(pool.acquire().join());
        assertThat(pool.acquire().join().id).isEqualTo(2);
    }

    // ---------------------------------------------------------------- factory failures

    @Test
    void factoryFailure_surfacesToWaiterAndDoesNotShrinkThePool() {
        var attempts = new AtomicInteger();
        var pool = AsyncPool.<Conn>builder(() -> attempts.incrementAndGet() <= 2
                        ? CompletableFuture.failedFuture(new IllegalStateException("db down"))
                        : CompletableFuture.completedFuture(new Conn(attempts.get())))
                .maxSize(1)
                .timeSource(clock)
                .build();
        assertThatThrownBy(() -> pool.acquire().join()).hasRootCauseMessage("db down");
        assertThatThrownBy(() -> pool.acquire().join()).hasRootCauseMessage("db down");
        assertThat(pool.size()).isZero();
        assertThat(pool.acquire().join().id).isEqualTo(3);
        assertThat(pool.size()).isEqualTo(1);
    }

    @Test
    void factoryThrowsOrProducesNull_surfacesToWaiter() {
        var pool = AsyncPool.<Conn>builder(() -> {
                    throw new IllegalStateException("cannot start");
                })
                .maxSize(1)
                .timeSource(clock)
                .build();
        assertThatThrownBy(() -> pool.acquire().join()).hasRootCauseMessage("cannot start");
        var nulls = AsyncPool.<Conn>builder(() -> CompletableFuture.completedFuture(null))
                .maxSize(1)
                .timeSource(clock)
                .build();
        assertThatThrownBy(() -> nulls.acquire().join()).hasCauseInstanceOf(NullPointerException.class);
        assertThat(nulls.size()).isZero();
    }

    @Test
    void slowFactory_acquireTimesOut_objectGoesIdleNotLost() {
        var pending = new CompletableFuture<Conn>();
        var pool = AsyncPool.<Conn>builder(() -> pending)
                .maxSize(1)
                .timeSource(clock)
                .build();
        var waiter = pool.acquire(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(waiter::join).hasCauseInstanceOf(TimeoutException.class);
        pending.complete(new Conn(1));
        assertThat(pool.idleCount()).isEqualTo(1);
        assertThat(pool.borrowedCount()).isZero();
    }

    // ---------------------------------------------------------------- cancellation

    @Test
    void cancel_pendingAcquire_withdrawsAndObjectGoesToNext() {
        var pool = pool().maxSize(1).build();
        var held = pool.acquire().join();
        var cancelled = pool.acquire();
        var next = pool.acquire();
        cancelled.cancel(true);
        pool.release(held);
        assertThat(next).isCompletedWithValue(held);
        assertThat(pool.waiters()).isZero();
    }

    @Test
    void cancel_atTheMomentOfLending_objectReturnedToPool() {
        var pool = pool().maxSize(1).build();
        var held = pool.acquire().join();
        var waiter = pool.acquire();
        // inside another hand-off on this thread the lending is deferred to the end of it, so the
        // cancel below lands after the pool decided to lend but before the future completes
        var trigger = new AsyncSemaphore(0, clock);
        trigger.acquire().thenRun(() -> {
            pool.release(held);
            assertThat(waiter.cancel(true)).isTrue();
        });
        trigger.release();
        assertThat(waiter).isCancelled();
        assertThat(pool.idleCount()).isEqualTo(1);
        assertThat(pool.borrowedCount()).isZero();
        assertThat(pool.acquire()).isCompletedWithValue(held);
    }

    @Test
    void acquireWithTimeout_zero_onlyIfAvailableNow() {
        var pool = pool().maxSize(1).build();
        var conn = pool.acquire(Duration.ZERO).join();
        assertThat(pool.acquire(Duration.ZERO)).isCompletedExceptionally();
        assertThat(pool.waiters()).isZero();
        pool.release(conn);
    }

    // ---------------------------------------------------------------- withResource

    @Test
    void withResource_releasesOnEveryOutcome() {
        var pool = pool().maxSize(1).build();
        var ok = pool.withResource(conn -> CompletableFuture.completedFuture(conn.id));
        var failed =
                pool.withResource(conn -> CompletableFuture.failedFuture(new IllegalStateException("query failed")));
        CompletableFuture<Integer> thrown = pool.withResource(conn -> {
            throw new IllegalStateException("thrown");
        });
        var work = new CompletableFuture<Integer>();
        var cancelled = pool.withResource(conn -> work);
        cancelled.cancel(true);
        assertThat(ok).isCompletedWithValue(1);
        assertThat(failed).isCompletedExceptionally();
        assertThat(thrown).isCompletedExceptionally();
        assertThat(work).isCancelled();
        assertThat(pool.borrowedCount()).isZero();
        assertThat(pool.idleCount()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- min size, idle eviction, lifetime

    @Test
    void minSize_createdAtBuildAndKeptThroughEviction() {
        var pool =
                pool().minSize(2).maxSize(4).idleTimeout(Duration.ofMinutes(1)).build();
        assertThat(pool.idleCount()).isEqualTo(2);
        var a = pool.acquire().join();
        var b = pool.acquire().join();
        var c = pool.acquire().join();
        pool.release(a);
        pool.release(b);
        pool.release(c);
        assertThat(pool.size()).isEqualTo(3);
        clock.advance(Duration.ofSeconds(59));
        assertThat(pool.size()).isEqualTo(3);
        clock.advance(Duration.ofSeconds(1));
        assertThat(pool.size()).isEqualTo(2);
        assertThat(destroyed).hasSize(1);
        clock.advance(Duration.ofHours(1));
        assertThat(pool.size()).isEqualTo(2);
        assertThat(clock.pendingTimers())
                .as("no timer spinning on entries it may not evict")
                .isZero();
    }

    @Test
    void idleTimeout_evictsColdestFirst() {
        var pool = pool().maxSize(3).idleTimeout(Duration.ofSeconds(10)).build();
        var a = pool.acquire().join();
        var b = pool.acquire().join();
        pool.release(a);
        clock.advance(Duration.ofSeconds(5));
        pool.release(b);
        clock.advance(Duration.ofSeconds(5));
        assertThat(destroyed).containsExactly(a);
        clock.advance(Duration.ofSeconds(5));
        assertThat(destroyed).containsExactly(a, b);
        assertThat(pool.size()).isZero();
    }

    @Test
    void maxLifetime_idleReplacedAndBorrowedDestroyedOnReturn() {
        var pool =
                pool().minSize(1).maxSize(2).maxLifetime(Duration.ofMinutes(30)).build();
        var borrowed = pool.acquire().join(); // the min-size object
        var idle = pool.acquire().join();
        pool.release(idle);
        clock.advance(Duration.ofMinutes(30));
        assertThat(destroyed).containsExactly(idle);
        pool.release(borrowed);
        assertThat(destroyed).containsExactly(idle, borrowed);
        assertThat(pool.size()).as("min size restored").isEqualTo(1);
        assertThat(pool.acquire().join().id).isEqualTo(3);
    }

    // ---------------------------------------------------------------- close

    @Test
    void shutdown_failsWaitersDestroysIdleAndWaitsForBorrowed() {
        var pool = pool().maxSize(2).build();
        var a = pool.acquire().join();
        var b = pool.acquire().join();
        pool.release(b);
        var waiterA = pool.acquire(); // gets b
        var waiter = pool.acquire();
        var closed = pool.shutdown();
        assertThatThrownBy(waiter::join).hasCauseInstanceOf(ClosedException.class);
        assertThat(closed).isNotDone();
        pool.release(a);
        assertThat(closed).isNotDone();
        pool.release(waiterA.join());
        assertThat(closed).isCompleted();
        assertThat(destroyed).containsExactlyInAnyOrder(a, b);
        assertThatThrownBy(() -> pool.acquire().join())
                .hasCauseInstanceOf(ClosedException.class)
                .hasMessageContaining("shut down");
        assertThat(pool.shutdown()).isCompleted();
    }

    @Test
    void shutdown_creationInFlight_destroyedWhenItArrives() {
        var pending = new CompletableFuture<Conn>();
        var pool = AsyncPool.<Conn>builder(() -> pending)
                .maxSize(1)
                .destroyer(destroyed::add)
                .timeSource(clock)
                .build();
        var waiter = pool.acquire();
        var closed = pool.shutdown();
        assertThat(waiter).isCompletedExceptionally();
        assertThat(closed).isNotDone();
        var conn = new Conn(7);
        pending.complete(conn);
        assertThat(closed).isCompleted();
        assertThat(destroyed).containsExactly(conn);
    }

    @Test
    void destroyerThrows_loggedAndPoolContinues() {
        var pool = AsyncPool.<Conn>builder(() -> CompletableFuture.completedFuture(new Conn(1)))
                .maxSize(1)
                .destroyer(conn -> {
                    throw new IllegalStateException("close failed");
                })
                .timeSource(clock)
                .build();
        pool.invalidate(pool.acquire().join());
        assertThat(pool.size()).isZero();
        assertThat(pool.acquire()).isCompleted();
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInput_rejected() {
        assertThatThrownBy(() -> AsyncPool.builder(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("factory");
        assertThatThrownBy(() -> pool().maxSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSize");
        assertThatThrownBy(() -> pool().minSize(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minSize");
        assertThatThrownBy(() -> pool().minSize(3).maxSize(2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minSize");
        assertThatThrownBy(() -> pool().idleTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> pool().maxLifetime(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool().validator(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool().timeSource(clock))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already");
        var pool = pool().build();
        assertThatThrownBy(() -> pool.acquire(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> pool.withResource(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("fn");
        assertThatThrownBy(() -> pool.invalidate(null)).isInstanceOf(NullPointerException.class);
    }
}
