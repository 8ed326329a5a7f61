package dev.asyncpatterns.core.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.future.AllFailedException;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.Tasks;
import dev.asyncpatterns.testkit.VirtualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class TaskScopeTest {

    private final VirtualClock clock = VirtualClock.create();
    /** Task bodies currently executing (incremented on entry, decremented in finally). */
    private final AtomicInteger running = new AtomicInteger();

    private final AtomicInteger interrupted = new AtomicInteger();

    /** A body that blocks until interrupted, counting itself in {@link #running}. */
    private String blockUntilInterrupted() throws InterruptedException {
        running.incrementAndGet();
        try {
            new CountDownLatch(1).await();
            return "never";
        } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
        } finally {
            running.decrementAndGet();
        }
    }

    private static void awaitTrue(java.util.concurrent.Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(condition);
    }

    // ---------------------------------------------------------------- fork and join

    @Test
    void forkJoin_allSucceed_resultsAvailable() throws Exception {
        try (var scope = TaskScope.open()) {
            var a = scope.fork(() -> "a");
            var b = scope.forkAsync(() -> Futures.completed(2));
            var c = scope.fork(() -> Thread.currentThread().isVirtual());
            scope.joinBlocking();
            assertThat(a.resultNow()).isEqualTo("a");
            assertThat(b.resultNow()).isEqualTo(2);
            assertThat(c.resultNow()).isTrue();
            assertThat(scope.activeForks()).isZero();
        }
    }

    @Test
    void joinBlocking_noForks_returnsWithoutWaiting() throws Exception {
        try (var scope = TaskScope.open()) {
            // an interrupted owner makes any real wait throw InterruptedException at once
            Thread.currentThread().interrupt();
            try {
                scope.joinBlocking();
                assertThat(Thread.currentThread().isInterrupted())
                        .as("interrupt status kept")
                        .isTrue();
            } finally {
                Thread.interrupted();
            }
            assertThat(scope.activeForks()).isZero();
            assertThat(scope.fork(() -> 1))
                    .succeedsWithin(Duration.ofSeconds(20))
                    .isEqualTo(1); // still open
        }
    }

    @Test
    void joinBlocking_calledAgainAfterMoreForks_waitsForThem() throws Exception {
        try (var scope = TaskScope.open()) {
            scope.fork(() -> 1);
            scope.joinBlocking();
            var second = scope.fork(() -> 2);
            scope.joinBlocking();
            assertThat(second.resultNow()).isEqualTo(2);
        }
    }

    // ---------------------------------------------------------------- fail fast

    @Test
    void failFast_firstFailureCancelsAndInterruptsSiblings_joinThrowsIt() throws Exception {
        var boom = new IOException("boom");
        var started = new CountDownLatch(2);
        try (var scope = TaskScope.open()) {
            var s1 = scope.fork(() -> {
                started.countDown();
                return blockUntilInterrupted();
            });
            var s2 = scope.fork(() -> {
                started.countDown();
                return blockUntilInterrupted();
            });
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
            scope.fork(() -> {
                throw boom;
            });
            assertThatThrownBy(scope::joinBlocking)
                    .isInstanceOf(ExecutionException.class)
                    .hasCause(boom);
            assertThat(s1).isCancelled();
            assertThat(s2).isCancelled();
            assertThat(interrupted).hasValue(2);
            assertThat(running).hasValue(0); // join returned only after the siblings stopped
        }
    }

    @Test
    void failFast_failuresDuringCancellation_areSuppressedOnTheFirst() throws Exception {
        var boom = new IOException("boom");
        var cleanup = new IllegalStateException("cleanup failed");
        var started = new CountDownLatch(2);
        try (var scope = TaskScope.open()) {
            scope.fork(() -> {
                started.countDown();
                try {
                    return blockUntilInterrupted();
                } catch (InterruptedException e) {
                    throw cleanup; // a real error while being cancelled: must not be lost
                }
            });
            scope.fork(() -> {
                started.countDown();
                return blockUntilInterrupted(); // plain InterruptedException: just cancellation
            });
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
            scope.fork(() -> {
                throw boom;
            });
            assertThatThrownBy(scope::joinBlocking).hasCause(boom);
            assertThat(boom.getSuppressed()).containsExactly(cleanup);
        }
    }

    @Test
    void failFast_forkAfterFailure_isBornCancelledAndNeverRuns() throws Exception {
        var ran = new AtomicInteger();
        try (var scope = TaskScope.open()) {
            scope.fork(() -> {
                throw new IOException("boom");
            });
            assertThatThrownBy(scope::joinBlocking).isInstanceOf(ExecutionException.class);
            assertThat(scope.isShutdown()).isTrue();
            var late = scope.fork(ran::incrementAndGet);
            var lateAsync = scope.forkAsync(() -> {
                ran.incrementAndGet();
                return Futures.completed(1);
            });
            assertThat(late).isCancelled();
            assertThat(lateAsync).isCancelled();
        }
        assertThat(ran).hasValue(0);
    }

    @Test
    void failFast_forkCancelledByCaller_isNotAFailure() throws Exception {
        try (var scope = TaskScope.open()) {
            var slow = scope.fork(this::blockUntilInterrupted);
            var fine = scope.fork(() -> "fine");
            slow.cancel(true);
            scope.joinBlocking();
            assertThat(fine.resultNow()).isEqualTo("fine");
        }
    }

    @Test
    void forkAsync_supplierThrows_failsTheScope() {
        var boom = new IllegalStateException("cannot start");
        try (var scope = TaskScope.open()) {
            var fork = scope.forkAsync(() -> {
                throw boom;
            });
            assertThatThrownBy(scope::joinBlocking).hasCause(boom);
            assertThat(fork).isCompletedExceptionally();
        }
    }

    @Test
    void forkAsync_sameStageTwice_countedTwiceAndCancellationReachesIt() throws Exception {
        var shared = new CompletableFuture<String>();
        try (var scope = TaskScope.open()) {
            var a = scope.forkAsync(() -> shared);
            var b = scope.forkAsync(() -> shared);
            assertThat(scope.activeForks()).isEqualTo(2);
            shared.complete("x");
            scope.joinBlocking();
            assertThat(a.resultNow()).isEqualTo("x");
            assertThat(b.resultNow()).isEqualTo("x");
        }
        var work = new CompletableFuture<String>();
        try (var scope = TaskScope.open()) {
            scope.forkAsync(() -> work);
        }
        assertThat(work).isCancelled();
    }

    // ---------------------------------------------------------------- collect all

    @Test
    void collectAll_everyForkRunsAndJoinDoesNotThrow() throws Exception {
        var boom = new IOException("boom");
        try (var scope = TaskScope.open(TaskScope.Policy.COLLECT_ALL)) {
            var bad = scope.fork(() -> {
                throw boom;
            });
            var good = scope.fork(() -> "good");
            scope.joinBlocking();
            assertThat(Outcome.ofDone(bad)).isEqualTo(new Outcome.Failure<>(boom));
            assertThat(Outcome.ofDone(good)).isEqualTo(Outcome.success("good"));
            assertThat(scope.isShutdown()).isFalse();
        }
    }

    // ---------------------------------------------------------------- first success

    @Test
    void firstSuccess_winnerCancelsTheRest() throws Exception {
        try (var scope = TaskScope.open(TaskScope.Policy.FIRST_SUCCESS)) {
            var slow = scope.fork(this::blockUntilInterrupted);
            scope.fork(() -> {
                throw new IOException("mirror down");
            });
            var fast = scope.fork(() -> "fast");
            scope.joinBlocking();
            assertThat(fast.resultNow()).isEqualTo("fast");
            assertThat(slow).isCancelled();
            assertThat(running).hasValue(0);
        }
    }

    @Test
    void firstSuccess_allFail_joinThrowsAllFailedWithEveryCause() {
        var e1 = new IOException("one");
        var e2 = new IOException("two");
        try (var scope = TaskScope.open(TaskScope.Policy.FIRST_SUCCESS)) {
            scope.fork(() -> {
                throw e1;
            });
            scope.fork(() -> {
                throw e2;
            });
            assertThatThrownBy(scope::joinBlocking)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(AllFailedException.class)
                    .satisfies(
                            e -> assertThat(((AllFailedException) e).failures()).containsExactlyInAnyOrder(e1, e2));
        }
    }

    // ---------------------------------------------------------------- deadline

    @Test
    void deadline_passes_cancelsForksAndJoinThrowsTimeout() throws Exception {
        try (var scope = TaskScope.builder()
                .deadline(Duration.ofSeconds(5))
                .timeSource(clock)
                .open()) {
            var started = new CountDownLatch(1);
            var fork = scope.fork(() -> {
                started.countDown();
                return blockUntilInterrupted();
            });
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
            clock.advance(Duration.ofSeconds(4));
            assertThat(fork).isNotDone();
            clock.advance(Duration.ofSeconds(1));
            assertThatThrownBy(scope::joinBlocking)
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class)
                    .hasMessageContaining("deadline of PT5S");
            assertThat(fork).isCancelled();
            assertThat(running).hasValue(0);
        }
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void deadline_collectAll_stillReportsTimeout() {
        try (var scope = TaskScope.builder()
                .policy(TaskScope.Policy.COLLECT_ALL)
                .deadline(Duration.ofSeconds(1))
                .timeSource(clock)
                .open()) {
            scope.fork(this::blockUntilInterrupted);
            clock.advance(Duration.ofSeconds(1));
            assertThatThrownBy(scope::joinBlocking).hasCauseInstanceOf(TimeoutException.class);
        }
    }

    @Test
    void deadline_instantInPastOrZero_opensExpired() {
        var ran = new AtomicInteger();
        try (var scope = TaskScope.builder()
                .deadline(clock.instant().minusSeconds(1))
                .timeSource(clock)
                .open()) {
            assertThat(scope.isShutdown()).isTrue();
            assertThat(scope.fork(ran::incrementAndGet)).isCancelled();
            assertThatThrownBy(scope::joinBlocking).hasCauseInstanceOf(TimeoutException.class);
        }
        try (var scope =
                TaskScope.builder().deadline(Duration.ZERO).timeSource(clock).open()) {
            assertThat(scope.isShutdown()).isTrue();
        }
        assertThat(ran).hasValue(0);
    }

    @Test
    void deadline_instant_expiresAtThatInstant() throws Exception {
        try (var scope = TaskScope.builder()
                .deadline(clock.instant().plusSeconds(60))
                .timeSource(clock)
                .open()) {
            var fork = scope.fork(this::blockUntilInterrupted);
            clock.advance(Duration.ofSeconds(59));
            assertThat(scope.isShutdown()).isFalse();
            clock.advance(Duration.ofSeconds(1));
            assertThat(fork).isCancelled();
        }
    }

    @Test
    void deadline_doneEarly_timerCancelledOnClose() throws Exception {
        try (var scope = TaskScope.builder()
                .deadline(Duration.ofHours(1))
                .timeSource(clock)
                .open()) {
            scope.fork(() -> 1);
            scope.joinBlocking();
        }
        assertThat(clock.pendingTimers()).isZero();
    }

    // ---------------------------------------------------------------- close

    @Test
    void close_onlyCompletedForkAsyncs_cancelsTheDeadlineTimerAndShutsDown() throws Exception {
        var scope = TaskScope.builder()
                .deadline(Duration.ofHours(1))
                .timeSource(clock)
                .open();
        var fork = scope.forkAsync(() -> Futures.completed(7)); // done at once: never registered
        scope.joinBlocking();
        scope.close();
        assertThat(fork.resultNow()).isEqualTo(7);
        assertThat(clock.pendingTimers()).isZero();
        assertThat(scope.isShutdown()).isTrue();
        assertThat(scope.stats().closed()).isTrue();
        assertThatThrownBy(() -> scope.fork(() -> 1)).isInstanceOf(ClosedException.class);
    }

    @Test
    void close_childThatNeverForked_isDetachedAndTheParentIsInnermostAgain() throws Exception {
        try (var parent = TaskScope.open()) {
            var child = TaskScope.open();
            child.close(); // no fork: the one-section close
            var sibling = TaskScope.open(); // a child of parent, not of the closed child
            parent.cancel();
            assertThat(sibling.isShutdown()).isTrue();
            sibling.close();
            assertThat(parent.fork(() -> 1).isCancelled()).isTrue();
        }
    }

    @Test
    void close_withoutJoin_cancelsAndAwaitsEveryFork() throws Exception {
        var started = new CountDownLatch(3);
        try (var scope = TaskScope.open()) {
            for (int i = 0; i < 3; i++) {
                scope.fork(() -> {
                    started.countDown();
                    return blockUntilInterrupted();
                });
            }
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(running).hasValue(0);
        assertThat(interrupted).hasValue(3);
    }

    @Test
    void close_forkIgnoringInterrupts_waitsUntilItFinishes() throws Exception {
        var release = new CountDownLatch(1);
        var finished = new AtomicInteger();
        var started = new CountDownLatch(1);
        var scope = TaskScope.open();
        scope.fork(() -> {
            started.countDown();
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException ignored) {
                    // stubborn task
                }
            }
            finished.incrementAndGet();
            return null;
        });
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        var releaser = Thread.ofVirtual().start(() -> {
            awaitTrue(scope::isShutdown);
            release.countDown();
        });
        scope.close();
        assertThat(finished).hasValue(1);
        releaser.join();
    }

    @Test
    void close_isIdempotentAndRejectsLaterForks() {
        var scope = TaskScope.open();
        scope.close();
        scope.close();
        assertThatThrownBy(() -> scope.fork(() -> 1))
                .isInstanceOf(ClosedException.class)
                .hasMessage("TaskScope is closed: fork refused");
        assertThatThrownBy(() -> scope.forkAsync(() -> Futures.completed(1))).isInstanceOf(ClosedException.class);
        assertThatThrownBy(scope::joinBlocking).isInstanceOf(ClosedException.class);
    }

    @Test
    void joinBlocking_ownerInterrupted_throwsAndCloseStillCleansUp() {
        try (var scope = TaskScope.open()) {
            scope.fork(this::blockUntilInterrupted);
            Thread.currentThread().interrupt();
            assertThatThrownBy(scope::joinBlocking).isInstanceOf(InterruptedException.class);
        }
        assertThat(running).hasValue(0);
        assertThat(Thread.interrupted()).isFalse();
    }

    // ---------------------------------------------------------------- non-blocking join

    @Test
    void joinAndClose_completesAfterForksAndClosesTheScope() {
        var work = new CompletableFuture<String>();
        var scope = TaskScope.open();
        var fork = scope.forkAsync(() -> work);
        var joined = scope.joinAndClose();
        assertThat(joined).isNotDone();
        work.complete("w");
        assertThat(joined).isCompleted();
        assertThat(fork.resultNow()).isEqualTo("w");
        assertThatThrownBy(() -> scope.fork(() -> 1)).isInstanceOf(ClosedException.class);
        scope.close(); // no-op
    }

    @Test
    void joinAndClose_failure_completesExceptionallyWithTheCause() {
        var boom = new IOException("boom");
        var other = new CompletableFuture<String>();
        var scope = TaskScope.open();
        scope.forkAsync(() -> other);
        scope.forkAsync(() -> Futures.failed(boom));
        var joined = scope.joinAndClose();
        assertThatThrownBy(joined::join).hasCause(boom);
        assertThat(other).isCancelled();
    }

    @Test
    void forkAsync_cancelled_workIsCancelledBeforeTheForkCompletes() {
        try (var scope = TaskScope.open()) {
            var work = new CompletableFuture<String>();
            CompletableFuture<String> fork = scope.forkAsync(() -> work);
            var workCancelledWhenForkCompleted = new AtomicBoolean();
            fork.whenComplete((value, failure) -> workCancelledWhenForkCompleted.set(work.isCancelled()));
            assertThat(fork.cancel(true)).isTrue();
            // what waits for the fork (joinBlocking, a dependent) must find the work already stopped
            assertThat(workCancelledWhenForkCompleted).isTrue();
            assertThat(fork).isCancelled();
        }
    }

    @Test
    void joinAndClose_cancelled_cancelsForks() {
        var work = new CompletableFuture<String>();
        var scope = TaskScope.open();
        scope.forkAsync(() -> work);
        scope.joinAndClose().cancel(true);
        assertThat(work).isCancelled();
        assertThat(scope.activeForks()).isZero();
    }

    // ---------------------------------------------------------------- nesting

    @Test
    void nested_inFork_parentFailureCancelsChildForks() throws Exception {
        var childStarted = new CountDownLatch(2);
        var boom = new IOException("boom");
        try (var parent = TaskScope.open()) {
            parent.fork(() -> {
                try (var child = TaskScope.open()) {
                    child.fork(() -> {
                        childStarted.countDown();
                        return blockUntilInterrupted();
                    });
                    child.fork(() -> {
                        childStarted.countDown();
                        return blockUntilInterrupted();
                    });
                    child.joinBlocking();
                }
                return "child done";
            });
            assertThat(childStarted.await(20, TimeUnit.SECONDS)).isTrue();
            parent.fork(() -> {
                throw boom;
            });
            assertThatThrownBy(parent::joinBlocking).hasCause(boom);
        }
        assertThat(running).hasValue(0);
        assertThat(interrupted).hasValue(2);
    }

    @Test
    void nested_onSameThread_parentCancelReachesChild_closeClosesChild() throws Exception {
        var parent = TaskScope.open();
        var child = TaskScope.open();
        var fork = child.fork(this::blockUntilInterrupted);
        parent.cancel();
        assertThat(child.isShutdown()).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(fork::isCancelled);
        var child2 = TaskScope.builder().open(); // the innermost open scope is still child
        child2.close();
        parent.close(); // closes child too, out of order
        assertThat(running).hasValue(0);
        assertThatThrownBy(() -> child.fork(() -> 1)).isInstanceOf(ClosedException.class);
        child.close();
    }

    @Test
    void forkFromFork_isAllowed() throws Exception {
        try (var scope = TaskScope.open()) {
            var inner = new CompletableFuture<CompletableFuture<String>>();
            scope.fork(() -> inner.complete(scope.fork(() -> "grandchild")));
            scope.joinBlocking();
            assertThat(inner.resultNow().resultNow()).isEqualTo("grandchild");
        }
    }

    // ---------------------------------------------------------------- threads

    @Test
    void otherThreads_cannotJoinCloseOrFork() throws Exception {
        try (var scope = TaskScope.open()) {
            var errors = Tasks.start(() -> {
                        List<Class<?>> thrown = new ArrayList<>();
                        for (Runnable call : List.<Runnable>of(
                                () -> scope.fork(() -> 1),
                                scope::close,
                                () -> {
                                    try {
                                        scope.joinBlocking();
                                    } catch (ExecutionException | InterruptedException e) {
                                        throw new IllegalStateException(e);
                                    }
                                },
                                scope::joinAndClose)) {
                            try {
                                call.run();
                            } catch (RuntimeException e) {
                                thrown.add(e.getClass());
                            }
                        }
                        return thrown;
                    })
                    .get(20, TimeUnit.SECONDS);
            assertThat(errors).containsOnly(WrongThreadException.class).hasSize(4);
        }
    }

    // ---------------------------------------------------------------- scale and races

    @Test
    void hundredThousandForks_joinAndNoLeak() throws Exception {
        int n = 100_000;
        var sum = new java.util.concurrent.atomic.LongAdder();
        try (var scope = TaskScope.open()) {
            for (int i = 0; i < n; i++) {
                int value = i;
                if (i % 2 == 0) {
                    scope.fork(() -> {
                        sum.add(value);
                        return null;
                    });
                } else {
                    scope.forkAsync(() -> {
                        sum.add(value);
                        return Futures.completed(null);
                    });
                }
            }
            scope.joinBlocking();
            assertThat(scope.activeForks()).isZero();
        }
        assertThat(sum.sum()).isEqualTo((long) n * (n - 1) / 2);
    }

    @Test
    void failVsCompleteVsClose_races_neverLeakARunningTask() {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        int races = "long".equals(System.getenv("STRESS")) ? 30_000 : 3_000;
        var random = new Random(seed);
        int leaks = 0;
        int failedJoins = 0;
        for (int r = 0; r < races; r++) {
            int forks = 1 + random.nextInt(6);
            int failAt = random.nextInt(forks + 2); // sometimes no failure
            boolean joinFirst = random.nextBoolean();
            TaskScope escaped;
            try (var scope = TaskScope.open()) {
                escaped = scope;
                for (int i = 0; i < forks; i++) {
                    int spin = random.nextInt(2_000);
                    boolean fail = i == failAt;
                    // a blocked fork ends only by cancellation: a failure or close() must come
                    boolean block = (failAt < forks || !joinFirst) && random.nextInt(4) == 0;
                    scope.fork(() -> {
                        running.incrementAndGet();
                        try {
                            long x = 0;
                            for (int s = 0; s < spin; s++) {
                                x += s;
                            }
                            if (fail) {
                                throw new IOException("fail " + x);
                            }
                            if (block) {
                                new CountDownLatch(1).await();
                            }
                            return x;
                        } finally {
                            running.decrementAndGet();
                        }
                    });
                }
                if (joinFirst) {
                    try {
                        scope.joinBlocking();
                    } catch (ExecutionException e) {
                        failedJoins++;
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }
            }
            if (running.get() != 0 || escaped.activeForks() != 0) {
                leaks++;
            }
        }
        System.out.printf("taskScope-race seed=%d races=%d failedJoins=%d leaks=%d%n", seed, races, failedJoins, leaks);
        System.out.printf("%d races: %d leaks%n", races, leaks);
        assertThat(leaks).isZero();
        assertThat(running).hasValue(0);
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badArguments_throwClearly() {
        try (var scope = TaskScope.open()) {
            assertThatThrownBy(() -> scope.fork(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("task");
            assertThatThrownBy(() -> scope.forkAsync(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("task");
        }
        assertThatThrownBy(() -> TaskScope.open(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("policy");
        var builder = TaskScope.builder();
        assertThatThrownBy(() -> builder.deadline((Duration) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("deadline");
        assertThatThrownBy(() -> builder.deadline((java.time.Instant) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("deadline");
        assertThatThrownBy(() -> builder.timeSource(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeSource");
        assertThatThrownBy(() -> builder.executor(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("executor");
        builder.deadline(Duration.ofSeconds(1))
                .policy(TaskScope.Policy.COLLECT_ALL)
                .timeSource(clock)
                .executor(Runnable::run);
        assertThatThrownBy(() -> builder.deadline(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("deadline was already set");
        assertThatThrownBy(() -> builder.deadline(clock.instant())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.policy(TaskScope.Policy.FAIL_FAST)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.timeSource(clock)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.executor(Runnable::run)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void executorRejects_forkFailsAndScopeFailsFast() {
        var boom = new java.util.concurrent.RejectedExecutionException("full");
        try (var scope = TaskScope.builder()
                .executor(task -> {
                    throw boom;
                })
                .open()) {
            var fork = scope.fork(() -> 1);
            assertThat(fork).isCompletedExceptionally();
            assertThatThrownBy(scope::joinBlocking).hasCause(boom);
            assertThat(scope.activeForks()).isZero();
        }
    }

    @Test
    void fork_onAPoolThread_bodyMayForkAndThePoolThreadIsLeftOutsideTheScope() throws Exception {
        var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (var scope = TaskScope.builder().executor(pool).open()) {
            // the body runs with the scope as its current one (enterFork/leaveFork hooks around it)
            CompletableFuture<CompletableFuture<Integer>> outer = scope.fork(() -> scope.fork(() -> 2));
            scope.joinBlocking();
            assertThat(outer.resultNow().resultNow()).isEqualTo(2);

            // afterwards the same pool thread, running a plain task, is no fork of the scope
            var later = pool.submit(() -> scope.fork(() -> 3));
            assertThatThrownBy(() -> later.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(WrongThreadException.class);
            assertThat(scope.stats().forked()).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }
}
