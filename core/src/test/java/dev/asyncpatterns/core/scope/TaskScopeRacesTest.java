package dev.asyncpatterns.core.scope;

import static dev.asyncpatterns.core.StressBudget.LONG;
import static dev.asyncpatterns.core.StressBudget.seed;
import static dev.asyncpatterns.core.StressBudget.spin;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.ClosedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Races of the lock-free fork registration and idle wake-up (issue 20): forks registering from
 * many threads while the scope shuts down or closes, and joins racing the last exits. Seeded
 * ({@code stress.seed}), short by default, longer with {@code STRESS=long}; each prints one line
 * and asserts on its figures.
 */
class TaskScopeRacesTest {

    // ---------------------------------------------------------------- fork vs cancel

    @Test
    void fork_fromForksRacingCancel_everyForkCountedOnceAndNoBodyAfterClose() throws Exception {
        long seed = seed();
        var random = new Random(seed);
        int rounds = LONG ? 5_000 : 500;
        long forkedTotal = 0;
        long bornCancelled = 0;
        long ran = 0;
        int runningAfterClose = 0;
        int liveAfterClose = 0;
        int countMismatches = 0;
        for (int r = 0; r < rounds; r++) {
            var running = new AtomicInteger();
            var bodies = new LongAdder();
            List<CompletableFuture<?>> all = java.util.Collections.synchronizedList(new ArrayList<>());
            int spinBeforeCancel = random.nextInt(2_000);
            TaskScope escaped;
            try (var scope = TaskScope.open(TaskScope.Policy.COLLECT_ALL)) {
                escaped = scope;
                for (int i = 0; i < 4; i++) {
                    all.add(scope.fork(() -> {
                        // each fork forks children into the same scope: registrations from many threads
                        for (int j = 0; j < 8; j++) {
                            all.add(scope.fork(() -> {
                                running.incrementAndGet();
                                bodies.increment();
                                running.decrementAndGet();
                                return 1;
                            }));
                        }
                        return 0;
                    }));
                }
                spin(spinBeforeCancel);
                scope.cancel();
            }
            runningAfterClose += running.get();
            liveAfterClose += escaped.activeForks();
            TaskScope.Stats stats = escaped.stats();
            if (stats.forked() != stats.succeeded() + stats.failed() + stats.cancelled()) {
                countMismatches++;
            }
            synchronized (all) {
                for (CompletableFuture<?> fork : all) {
                    assertThat(fork).isDone();
                    if (fork.isCancelled()) {
                        bornCancelled++;
                    }
                }
                forkedTotal += all.size();
            }
            ran += bodies.sum();
        }
        System.out.println("scope-fork-vs-cancel seed=" + seed + " rounds=" + rounds + " forks=" + forkedTotal
                + " cancelled=" + bornCancelled + " leafBodiesRan=" + ran + " runningAfterClose=" + runningAfterClose
                + " liveAfterClose=" + liveAfterClose + " countMismatches=" + countMismatches);
        assertThat(runningAfterClose).isZero();
        assertThat(liveAfterClose).isZero();
        assertThat(countMismatches).isZero();
        assertThat(forkedTotal).isPositive();
    }

    // ---------------------------------------------------------------- fork vs close

    @Test
    void fork_fromAForkRacingClose_refusedOrCancelledNeverRunsAfterClose() throws Exception {
        long seed = seed();
        var random = new Random(seed);
        int rounds = LONG ? 10_000 : 1_000;
        int refused = 0;
        int cancelled = 0;
        int completed = 0;
        int forkerNeverStarted = 0;
        int ranAfterClose = 0;
        for (int r = 0; r < rounds; r++) {
            var closedFlag = new java.util.concurrent.atomic.AtomicBoolean();
            var late = new java.util.concurrent.atomic.AtomicReference<Object>();
            var ranLate = new AtomicInteger();
            int spinBeforeClose = random.nextInt(500);
            var forking = new java.util.concurrent.CountDownLatch(1);
            try (var scope = TaskScope.open()) {
                scope.fork(() -> {
                    forking.countDown();
                    // keeps forking until the scope refuses: some land just before the close
                    while (true) {
                        try {
                            late.set(scope.fork(() -> {
                                if (closedFlag.get()) {
                                    ranLate.incrementAndGet();
                                }
                                return 1;
                            }));
                        } catch (ClosedException closed) {
                            late.set(closed);
                            return 0;
                        }
                        if (Thread.currentThread().isInterrupted()) {
                            return 0;
                        }
                    }
                });
                forking.await(); // the close races the forker's loop, not its start
                spin(spinBeforeClose);
            }
            closedFlag.set(true);
            Object last = late.get();
            if (last == null) {
                forkerNeverStarted++; // cancelled by the close before its body started
            } else if (last instanceof ClosedException) {
                refused++;
            } else if (last instanceof CompletableFuture<?> fork) {
                assertThat(fork).isDone();
                if (fork.isCancelled()) {
                    cancelled++;
                } else {
                    completed++;
                }
            }
            ranAfterClose += ranLate.get();
        }
        System.out.println("scope-fork-vs-close seed=" + seed + " rounds=" + rounds + " lastRefused=" + refused
                + " lastCancelled=" + cancelled + " lastCompleted=" + completed + " forkerNeverStarted="
                + forkerNeverStarted + " ranAfterClose=" + ranAfterClose);
        assertThat(ranAfterClose).isZero();
        assertThat(refused + cancelled + completed + forkerNeverStarted).isEqualTo(rounds);
    }

    // ---------------------------------------------------------------- join vs exits

    @Test
    void joinBlocking_racingTheLastExits_neverReturnsBeforeEveryForkIsDone() throws Exception {
        long seed = seed();
        var random = new Random(seed);
        int rounds = LONG ? 20_000 : 3_000;
        int early = 0;
        long forks = 0;
        try (var scope = TaskScope.open()) {
            for (int r = 0; r < rounds; r++) {
                int n = 1 + random.nextInt(4);
                int work = random.nextInt(300);
                var batch = new ArrayList<CompletableFuture<Integer>>(n);
                for (int i = 0; i < n; i++) {
                    batch.add(scope.fork(() -> {
                        spin(work);
                        return 1;
                    }));
                }
                forks += n;
                scope.joinBlocking(); // idle wake-ups of the previous batch may still be in flight
                for (CompletableFuture<Integer> fork : batch) {
                    if (!fork.isDone()) {
                        early++;
                    }
                }
                if (scope.activeForks() != 0) {
                    early++;
                }
            }
        }
        System.out.println(
                "scope-join-vs-exits seed=" + seed + " rounds=" + rounds + " forks=" + forks + " earlyJoins=" + early);
        assertThat(early).isZero();
    }

    // ---------------------------------------------------------------- sweep vs cancel

    @Test
    void cancel_afterSweepsOfExitedForks_reachesEveryBlockedFork() throws Exception {
        long seed = seed();
        var random = new Random(seed);
        int forks = LONG ? 50_000 : 6_000;
        var never = new java.util.concurrent.CountDownLatch(1);
        var blocked = new ArrayList<CompletableFuture<Integer>>();
        var scope = TaskScope.open(TaskScope.Policy.COLLECT_ALL);
        try {
            for (int i = 0; i < forks; i++) {
                if (random.nextInt(50) == 0) { // stays blocked: must survive every sweep
                    blocked.add(scope.fork(() -> {
                        never.await();
                        return 1;
                    }));
                } else { // exits at once: swept from the list while others still register
                    scope.fork(() -> 0);
                }
            }
            scope.cancel(); // walks the list while the last sweep may still run beside the exits
            scope.joinAndClose().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            never.countDown();
            scope.close();
        }
        long notCancelled = blocked.stream().filter(f -> !f.isCancelled()).count();
        System.out.println("scope-sweep-vs-cancel seed=" + seed + " forks=" + forks + " blocked=" + blocked.size()
                + " notCancelled=" + notCancelled + " activeAfterClose=" + scope.activeForks());
        assertThat(notCancelled).isZero();
        assertThat(scope.activeForks()).isZero();
        assertThat(blocked).isNotEmpty();
    }

    // ---------------------------------------------------------------- failure vs cancel (fail-fast)

    @Test
    void failure_racingOwnersCancelFromManyForks_joinReportsAFailureOnlyIfOneCameFirst() throws Exception {
        long seed = seed();
        var random = new Random(seed);
        int rounds = LONG ? 5_000 : 500;
        int failedJoins = 0;
        int cleanJoins = 0;
        int wrongCause = 0;
        for (int r = 0; r < rounds; r++) {
            int spinBeforeFailure = random.nextInt(1_000);
            var boom = new IllegalStateException("boom");
            try (var scope = TaskScope.open()) {
                for (int i = 0; i < 3; i++) {
                    scope.fork(() -> {
                        spin(spinBeforeFailure);
                        throw boom;
                    });
                }
                spin(random.nextInt(1_000));
                scope.cancel();
                try {
                    scope.joinBlocking();
                    cleanJoins++;
                } catch (ExecutionException e) {
                    failedJoins++;
                    if (e.getCause() != boom) {
                        wrongCause++;
                    }
                }
                assertThat(scope.activeForks()).isZero();
            }
        }
        System.out.println("scope-failure-vs-cancel seed=" + seed + " rounds=" + rounds + " failedJoins=" + failedJoins
                + " cleanJoins=" + cleanJoins + " wrongCause=" + wrongCause);
        assertThat(wrongCause).isZero();
        assertThat(failedJoins + cleanJoins).isEqualTo(rounds);
    }
}
