package dev.asyncpatterns.core.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsyncSemaphoreTest {

    private final VirtualClock clock = VirtualClock.create();

    // ---------------------------------------------------------------- acquire / release

    @Test
    void acquire_permitFree_completesAtOnce() {
        var semaphore = new AsyncSemaphore(2, clock);
        assertThat(semaphore.acquire()).isCompleted();
        assertThat(semaphore.acquire()).isCompleted();
        assertThat(semaphore.availablePermits()).isZero();
    }

    @Test
    void acquire_noPermit_waitsUntilRelease() {
        var semaphore = new AsyncSemaphore(0, clock);
        var waiter = semaphore.acquire();
        assertThat(waiter).isNotDone();
        assertThat(semaphore.waiters()).isEqualTo(1);
        semaphore.release();
        assertThat(waiter).isCompleted();
        assertThat(semaphore.waiters()).isZero();
        assertThat(semaphore.availablePermits()).isZero();
    }

    @Test
    void release_noWaiters_addsPermits() {
        var semaphore = new AsyncSemaphore(1, clock);
        semaphore.release(3);
        assertThat(semaphore.availablePermits()).isEqualTo(4);
    }

    @Test
    void release_moreThanHeadNeeds_wakesSeveralInOrderAndKeepsRest() {
        var semaphore = new AsyncSemaphore(0, clock);
        var order = new ArrayList<Integer>();
        semaphore.acquire(2).thenRun(() -> order.add(1));
        semaphore.acquire(1).thenRun(() -> order.add(2));
        semaphore.acquire(5).thenRun(() -> order.add(3));
        semaphore.release(4);
        assertThat(order).containsExactly(1, 2);
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        assertThat(semaphore.waiters()).isEqualTo(1);
        semaphore.release(4);
        assertThat(order).containsExactly(1, 2, 3);
        assertThat(semaphore.availablePermits()).isZero();
    }

    @Test
    void acquire_dependentAcquiresAndReleasesAgain_noDeadlock() {
        var semaphore = new AsyncSemaphore(0, clock);
        var inner = new CompletableFuture<Void>();
        semaphore.acquire().thenRun(() -> {
            semaphore.release();
            semaphore.acquire().thenRun(() -> inner.complete(null));
        });
        semaphore.release();
        assertThat(inner).isCompleted();
        assertThat(semaphore.availablePermits()).isZero();
    }

    // ---------------------------------------------------------------- fairness

    @Test
    void acquire_largeRequestAtHead_holdsBackSmallerOnesBehindIt() {
        var semaphore = new AsyncSemaphore(1, clock);
        var large = semaphore.acquire(3);
        var small = semaphore.acquire(1);
        assertThat(large).isNotDone();
        assertThat(small).as("no barging past the large head request").isNotDone();
        assertThat(semaphore.tryAcquire())
                .as("tryAcquire does not barge either")
                .isFalse();
        semaphore.release(2);
        assertThat(large).isCompleted();
        assertThat(small).isNotDone();
        semaphore.release(1);
        assertThat(small).isCompleted();
    }

    @Test
    void acquire_largeRequest_notStarvedByStreamOfSmallOnes() {
        var semaphore = new AsyncSemaphore(4, clock);
        // four holders cycle permits: each release is immediately followed by a new small acquire
        for (int i = 0; i < 4; i++) {
            semaphore.acquire();
        }
        var large = semaphore.acquire(4);
        int smallGranted = 0;
        for (int round = 0; round < 4; round++) {
            semaphore.release();
            if (semaphore.acquire().isDone()) {
                smallGranted++;
            }
        }
        assertThat(large).isCompleted();
        assertThat(smallGranted).isZero();
    }

    @Test
    void acquire_100000QueuedWaiters_completeInFifoOrder() {
        int n = 100_000;
        var semaphore = new AsyncSemaphore(0, clock);
        var order = new int[n];
        var next = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            int id = i;
            semaphore.acquire().thenRun(() -> order[next.getAndIncrement()] = id);
        }
        assertThat(semaphore.waiters()).isEqualTo(n);
        for (int i = 0; i < n; i += 1000) {
            semaphore.release(1000);
        }
        assertThat(next.get()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            if (order[i] != i) {
                throw new AssertionError("waiter " + order[i] + " completed at position " + i);
            }
        }
        assertThat(semaphore.waiters()).isZero();
        assertThat(semaphore.availablePermits()).isZero();
    }

    @Test
    void release_100000ChainedHandOffs_doNotOverflowTheStack() {
        int n = 100_000;
        var semaphore = new AsyncSemaphore(0, clock);
        var done = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            semaphore.acquire().thenRun(() -> {
                done.incrementAndGet();
                semaphore.release(); // wakes the next waiter from inside this completion
            });
        }
        semaphore.release();
        assertThat(done.get()).isEqualTo(n);
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void release_100000HandOffsPingPongingBetweenTwoSemaphores_doNotOverflowTheStackAndKeepFifo() {
        int n = 50_000; // waiters per semaphore: 100,000 nested hand-offs in all
        var a = new AsyncSemaphore(0, clock);
        var b = new AsyncSemaphore(0, clock);
        var order = new int[2 * n];
        var next = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            int id = i;
            a.acquire().thenRun(() -> {
                order[next.getAndIncrement()] = 2 * id;
                b.release(); // completes b's next waiter, nested in a's hand-off
            });
            b.acquire().thenRun(() -> {
                order[next.getAndIncrement()] = 2 * id + 1;
                a.release(); // and back
            });
        }
        a.release();
        assertThat(next.get()).isEqualTo(2 * n);
        for (int i = 0; i < 2 * n; i++) {
            if (order[i] != i) {
                throw new AssertionError("hand-off " + order[i] + " ran at position " + i);
            }
        }
        assertThat(a.availablePermits()).isEqualTo(1);
        assertThat(b.availablePermits()).isZero();
    }

    @Test
    void release_nestedInAHandOff_firesAfterTheOuterChainInFifoOrder() {
        var semaphore = new AsyncSemaphore(0, clock);
        var log = new ArrayList<String>();
        semaphore.acquire().thenRun(() -> {
            log.add("first");
            semaphore.release(); // for "third": queued on the trampoline, fired after "second"
        });
        semaphore.acquire().thenRun(() -> log.add("second"));
        semaphore.acquire().thenRun(() -> log.add("third"));
        semaphore.release(2); // grants "first" and "second" in one chain
        assertThat(log).containsExactly("first", "second", "third");
        assertThat(semaphore.waiters()).isZero();
    }

    // ---------------------------------------------------------------- cancellation

    @Test
    void cancel_queuedWaiter_removedAndPermitGoesToNext() {
        var semaphore = new AsyncSemaphore(0, clock);
        var first = semaphore.acquire();
        var second = semaphore.acquire();
        assertThat(first.cancel(true)).isTrue();
        assertThat(semaphore.waiters()).isEqualTo(1);
        semaphore.release();
        assertThat(second).isCompleted();
        assertThat(semaphore.availablePermits()).isZero();
    }

    @Test
    void cancel_largeHead_letsSmallerWaitersBehindProceed() {
        var semaphore = new AsyncSemaphore(2, clock);
        var large = semaphore.acquire(5);
        var small = semaphore.acquire(2);
        assertThat(small).isNotDone();
        large.cancel(false);
        assertThat(small).isCompleted();
        assertThat(semaphore.availablePermits()).isZero();
        assertThat(semaphore.waiters()).isZero();
    }

    @Test
    void completeByCaller_queuedWaiter_treatedAsWithdrawn() {
        var semaphore = new AsyncSemaphore(0, clock);
        var waiter = semaphore.acquire();
        waiter.complete(null);
        assertThat(semaphore.waiters()).isZero();
        semaphore.release();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void cancel_afterGrant_doesNothing() {
        var semaphore = new AsyncSemaphore(0, clock);
        var waiter = semaphore.acquire();
        semaphore.release();
        assertThat(waiter.cancel(true)).isFalse();
        assertThat(semaphore.availablePermits()).isZero();
    }

    @Test
    void cancel_afterHandOffDecidedButBeforeCompletion_permitPassesToNextWaiter() {
        var semaphore = new AsyncSemaphore(0, clock);
        var first = semaphore.acquire();
        var second = semaphore.acquire();
        // inside another hand-off on this thread, completions are deferred to its end: the cancel
        // lands after the semaphore gave first the permit but before first's future completes
        var trigger = new AsyncSemaphore(0, clock);
        trigger.acquire().thenRun(() -> {
            semaphore.release();
            assertThat(first.cancel(true)).isTrue();
        });
        trigger.release();
        assertThat(first).isCancelled();
        assertThat(second).as("the permit went on to the next waiter").isCompleted();
        assertThat(semaphore.availablePermits()).isZero();
        assertThat(semaphore.waiters()).isZero();
    }

    @Test
    void cancel_racingWithRelease_neverLosesOrDuplicatesAPermit() throws Exception {
        var semaphore = new AsyncSemaphore(0, clock);
        int rounds = 3_000;
        int granted = 0;
        for (int i = 0; i < rounds; i++) {
            var waiter = semaphore.acquire();
            var start = new CountDownLatch(1);
            Thread canceller = Thread.ofPlatform().start(() -> {
                awaitQuietly(start);
                waiter.cancel(false);
            });
            start.countDown();
            semaphore.release();
            canceller.join();
            if (!waiter.isCancelled()) {
                granted++;
                semaphore.release(); // give back what the waiter got
            }
            assertThat(semaphore.availablePermits()).as("round " + i).isEqualTo(1);
            assertThat(semaphore.waiters()).isZero();
            assertThat(semaphore.tryAcquire()).isTrue();
        }
        assertThat(granted).isBetween(0, rounds);
    }

    // ---------------------------------------------------------------- timeouts (virtual clock)

    @Test
    void acquireWithTimeout_noRelease_failsWithTimeoutAfterExactlyTheTimeout() {
        var semaphore = new AsyncSemaphore(0, clock);
        var waiter = semaphore.acquire(Duration.ofSeconds(5));
        clock.advance(Duration.ofMillis(4_999));
        assertThat(waiter).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThat(waiter).isCompletedExceptionally();
        assertThatThrownBy(waiter::join).hasCauseInstanceOf(TimeoutException.class);
        assertThat(semaphore.waiters()).isZero();
        semaphore.release();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void acquireWithTimeout_releasedInTime_succeedsAndCancelsTimer() {
        var semaphore = new AsyncSemaphore(0, clock);
        var waiter = semaphore.acquire(Duration.ofSeconds(5));
        assertThat(clock.pendingTimers()).isEqualTo(1);
        semaphore.release();
        assertThat(waiter).isCompleted();
        assertThat(clock.pendingTimers()).isZero();
        clock.advance(Duration.ofSeconds(10));
        assertThat(waiter).isCompleted();
    }

    @Test
    void acquireWithTimeout_zeroOrNegative_neverWaits() {
        var semaphore = new AsyncSemaphore(1, clock);
        assertThat(semaphore.acquire(Duration.ZERO)).isCompleted();
        var none = semaphore.acquire(Duration.ZERO);
        var negative = semaphore.acquire(Duration.ofSeconds(-1));
        assertThat(none).isCompletedExceptionally();
        assertThat(negative).isCompletedExceptionally();
        assertThatThrownBy(none::join).hasCauseInstanceOf(TimeoutException.class);
        assertThat(semaphore.waiters()).isZero();
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void acquireWithTimeout_hugeTimeout_doesNotOverflow() {
        var semaphore = new AsyncSemaphore(0, clock);
        var waiter = semaphore.acquire(1, Duration.ofSeconds(Long.MAX_VALUE));
        var nanos = semaphore.acquire(1, Duration.ofNanos(Long.MAX_VALUE));
        clock.advance(Duration.ofDays(365_000));
        assertThat(waiter).isNotDone();
        assertThat(nanos).isNotDone();
        semaphore.release(2);
        assertThat(waiter).isCompleted();
        assertThat(nanos).isCompleted();
    }

    @Test
    void acquireWithTimeout_thousandsOfTinyTimeoutsThenRelease_progress() {
        var semaphore = new AsyncSemaphore(0, clock);
        var waiters = new ArrayList<CompletableFuture<Void>>();
        for (int i = 0; i < 5_000; i++) {
            waiters.add(semaphore.acquire(Duration.ofNanos(1 + i % 3)));
        }
        var patient = semaphore.acquire();
        clock.advance(Duration.ofNanos(3));
        assertThat(waiters).allMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(semaphore.waiters()).isEqualTo(1);
        semaphore.release();
        assertThat(patient).isCompleted();
    }

    @Test
    void timeout_firesWhileGrantInFlight_permitNotLost() {
        // the timer and the release happen at the same virtual instant, in either order
        var semaphore = new AsyncSemaphore(0, clock);
        var waiter = semaphore.acquire(Duration.ofSeconds(1));
        clock.schedule(Duration.ofSeconds(1), semaphore::release); // runs after the timeout timer
        clock.advance(Duration.ofSeconds(1));
        assertThat(waiter).isCompletedExceptionally();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- withPermit

    @Test
    void withPermit_success_releasesAndReturnsValue() {
        var semaphore = new AsyncSemaphore(1, clock);
        var work = new CompletableFuture<String>();
        var result = semaphore.withPermit(() -> work);
        assertThat(semaphore.availablePermits()).isZero();
        work.complete("done");
        assertThat(result).isCompletedWithValue("done");
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void withPermit_actionFailsThrowsOrReturnsNull_releases() {
        var semaphore = new AsyncSemaphore(1, clock);
        var failed = semaphore.withPermit(() -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
        var thrown = semaphore.withPermit(() -> {
            throw new IllegalStateException("thrown");
        });
        CompletableFuture<Object> returnedNull = semaphore.withPermit(() -> null);
        CompletableFuture<Object> error = semaphore.withPermit(() -> {
            throw new AssertionError("an Error");
        });
        assertThatThrownBy(failed::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(thrown::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(returnedNull::join).hasCauseInstanceOf(NullPointerException.class);
        assertThatThrownBy(error::join).hasCauseInstanceOf(AssertionError.class);
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void withPermit_cancelledWhileWaiting_neverRunsAndWithdraws() {
        var semaphore = new AsyncSemaphore(0, clock);
        var ran = new AtomicInteger();
        var result = semaphore.withPermit(() -> {
            ran.incrementAndGet();
            return CompletableFuture.completedFuture(1);
        });
        result.cancel(true);
        assertThat(semaphore.waiters()).isZero();
        semaphore.release();
        assertThat(ran).hasValue(0);
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void withPermit_cancelledWhileRunning_cancelsWorkAndReleases() {
        var semaphore = new AsyncSemaphore(1, clock);
        var work = new CompletableFuture<String>();
        var result = semaphore.withPermit(() -> work);
        result.cancel(true);
        assertThat(work).isCancelled();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void withPermit_workIgnoresCancellation_permitHeldUntilItCompletes() {
        var semaphore = new AsyncSemaphore(1, clock);
        var work = new CompletableFuture<String>();
        CompletionStage<String> uncancellable = work.minimalCompletionStage();
        var result = semaphore.withPermit(() -> uncancellable);
        result.cancel(true);
        assertThat(semaphore.availablePermits()).isZero();
        work.complete("late");
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void withPermit_boundsConcurrency() {
        var semaphore = new AsyncSemaphore(3, clock);
        var inFlight = new AtomicInteger();
        var peak = new AtomicInteger();
        List<CompletableFuture<Void>> works = new ArrayList<>();
        List<CompletableFuture<Void>> results = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            results.add(semaphore.withPermit(() -> {
                peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                var work = new CompletableFuture<Void>();
                works.add(work);
                return work.whenComplete((v, e) -> inFlight.decrementAndGet());
            }));
        }
        while (results.stream().anyMatch(r -> !r.isDone())) {
            works.stream().filter(w -> !w.isDone()).findFirst().orElseThrow().complete(null);
        }
        assertThat(peak).hasValue(3);
        assertThat(semaphore.availablePermits()).isEqualTo(3);
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInput_rejectedAtOnceNamingTheParameter() {
        var semaphore = new AsyncSemaphore(1, clock);
        assertThatThrownBy(() -> new AsyncSemaphore(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("permits")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> new AsyncSemaphore(1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeSource");
        assertThatThrownBy(() -> semaphore.acquire(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("permits");
        assertThatThrownBy(() -> semaphore.acquire(-2, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> semaphore.acquire(1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> semaphore.tryAcquire(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> semaphore.release(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> semaphore.withPermit(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("action");
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void release_beyondIntegerMax_failsAndLeavesStateUnchanged() {
        var semaphore = new AsyncSemaphore(Integer.MAX_VALUE - 1, clock);
        semaphore.release();
        assertThatThrownBy(semaphore::release)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exceed");
        assertThatThrownBy(() -> semaphore.release(Integer.MAX_VALUE)).isInstanceOf(IllegalStateException.class);
        assertThat(semaphore.availablePermits()).isEqualTo(Integer.MAX_VALUE);
        assertThat(semaphore.acquire(Integer.MAX_VALUE)).isCompleted();
    }

    @Test
    void acquireFastPath_sharedFuture_cannotBeObtruded() {
        var semaphore = new AsyncSemaphore(1, clock);
        var acquired = semaphore.acquire();
        assertThatThrownBy(() -> acquired.obtrudeValue(null)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(acquired.cancel(true)).isFalse();
        assertThat(acquired.complete(null)).isFalse();
        semaphore.release();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void acquire_realThreads_releaseFromAnotherThreadCompletesWaiter() throws Exception {
        var semaphore = new AsyncSemaphore(0);
        var waiter = semaphore.acquire();
        Thread.ofVirtual().start(semaphore::release).join();
        waiter.get(10, TimeUnit.SECONDS);
        assertThat(waiter).isCompleted();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
