package dev.asyncpatterns.core.future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.testkit.VirtualClock;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FuturesTest {

    private final VirtualClock clock = VirtualClock.create();

    /** A task that blocks until interrupted and reports the interrupt. */
    private static CompletableFuture<String> blockedTask(
            CountDownLatch started, CompletableFuture<Boolean> interrupted) {
        return Tasks.start(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
                return "never";
            } catch (InterruptedException e) {
                interrupted.complete(true);
                throw e;
            }
        });
    }

    /** A future that mirrors another and ignores cancel(), like work that cannot be stopped. */
    private static final class Uncancellable<T> extends CompletableFuture<T> {
        Uncancellable(CompletableFuture<T> source) {
            source.whenComplete((v, e) -> {
                if (e == null) {
                    super.complete(v);
                } else {
                    super.completeExceptionally(e);
                }
            });
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }
    }

    // ---------------------------------------------------------------- simple futures

    @Test
    void completedAndFailed_areDone() {
        var boom = new IOException("boom");
        assertThat(Futures.completed("v")).isCompletedWithValue("v");
        assertThat(Futures.<String>failed(boom)).isCompletedExceptionally();
        assertThatThrownBy(() -> Futures.failed(boom).join()).hasCause(boom);
    }

    @Test
    void start_supplierThrowsOrReturnsNull_failedFuture() {
        var boom = new IOException("boom");
        assertThatThrownBy(() -> Futures.start(() -> {
                            throw boom;
                        })
                        .join())
                .hasCause(boom);
        assertThatThrownBy(() -> Futures.start(() -> null).join())
                .hasCauseInstanceOf(NullPointerException.class)
                .hasMessageContaining("null stage");
    }

    // ---------------------------------------------------------------- all

    @Test
    void all_resultsInInputOrderWhateverCompletionOrder() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var c = CompletableFuture.completedFuture("c");
        var all = Futures.all(a, b, c);
        b.complete("b");
        assertThat(all).isNotDone();
        a.complete(null);
        assertThat(all).isCompletedWithValue(Arrays.asList(null, "b", "c"));
    }

    @Test
    void all_pendingPlainMinimalAndRefusingStages_resultsInInputOrderNullsKept() {
        var plain = new CompletableFuture<String>();
        var minimalSource = new CompletableFuture<String>();
        var refusingSource = new CompletableFuture<String>();
        var all = Futures.all(
                plain, minimalSource.minimalCompletionStage(), refusing(refusingSource), Futures.completed("d"));
        refusingSource.complete(null);
        minimalSource.complete("b");
        assertThat(all).isNotDone();
        plain.complete("a");
        assertThat(all).isCompletedWithValue(Arrays.asList("a", "b", null, "d"));
    }

    @Test
    void all_resultCancelled_cancelsPlainInputsButNeverThrowsOnUncancellableStages() {
        var plain = new CompletableFuture<String>();
        var minimalSource = new CompletableFuture<String>();
        var refusingSource = new CompletableFuture<String>();
        var all = Futures.all(plain, minimalSource.minimalCompletionStage(), refusing(refusingSource));
        assertThat(all.cancel(true)).isTrue();
        assertThat(plain).isCancelled();
        assertThat(minimalSource).isNotDone();
        assertThat(refusingSource).isNotDone();
    }

    @Test
    void all_pendingInputObtrudedToFailureAfterSucceeding_resultFailsWithThatFailure() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var all = Futures.all(a, b);
        a.complete("a");
        var boom = new IOException("boom");
        a.obtrudeException(boom);
        b.complete("b");
        assertThatThrownBy(all::join).isInstanceOf(CompletionException.class).hasCause(boom);
    }

    /** A stage that completes with {@code source} and refuses {@code toCompletableFuture()}. */
    @SuppressWarnings("unchecked") // the proxy implements CompletionStage<T> by delegating to a CompletionStage<T>
    private static <T> CompletionStage<T> refusing(CompletableFuture<T> source) {
        CompletionStage<T> minimal = source.minimalCompletionStage();
        return (CompletionStage<T>) Proxy.newProxyInstance(
                CompletionStage.class.getClassLoader(),
                new Class<?>[] {CompletionStage.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("toCompletableFuture")) {
                        throw new UnsupportedOperationException("refused");
                    }
                    try {
                        return method.invoke(minimal, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void all_empty_completesWithEmptyList() {
        assertThat(Futures.all(List.<CompletableFuture<String>>of())).isCompletedWithValue(List.of());
    }

    @Test
    void all_resultListIsUnmodifiable() {
        var list = Futures.all(Futures.completed(1)).join();
        assertThatThrownBy(() -> list.set(0, 2)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void all_firstFailure_failsAtOnceAndCancelsSiblings() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var c = new CompletableFuture<String>();
        var all = Futures.all(a, b, c);
        var boom = new IOException("boom");
        b.completeExceptionally(boom);
        assertThat(all).isCompletedExceptionally();
        assertThatThrownBy(all::join).isInstanceOf(CompletionException.class).hasCause(boom);
        assertThat(a).isCancelled();
        assertThat(c).isCancelled();
    }

    @Test
    void all_siblingCancellation_interruptsRunningTasks() throws Exception {
        var started = new CountDownLatch(2);
        var interrupted1 = new CompletableFuture<Boolean>();
        var interrupted2 = new CompletableFuture<Boolean>();
        var failing = new CompletableFuture<String>();
        var all = Futures.all(blockedTask(started, interrupted1), failing, blockedTask(started, interrupted2));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        failing.completeExceptionally(new IOException("boom"));
        assertThat(interrupted1.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(interrupted2.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(all).isCompletedExceptionally();
    }

    @Test
    void all_laterFailures_areSuppressedOnTheFirst() {
        // inputs that ignore cancellation still report their later failures
        var first = new IOException("first");
        var second = new IllegalStateException("second");
        var third = new IOException("third");
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var c = new CompletableFuture<String>();
        var all = Futures.all(new Uncancellable<>(a), new Uncancellable<>(b), new Uncancellable<>(c));
        a.completeExceptionally(first);
        b.completeExceptionally(second);
        c.completeExceptionally(third);
        assertThatThrownBy(all::join).hasCause(first);
        assertThat(first.getSuppressed()).containsExactly(second, third);
    }

    @Test
    void all_alreadyFailedInputs_firstInInputOrderWinsOthersSuppressed() {
        var first = new IOException("first");
        var second = new IOException("second");
        var pending = new CompletableFuture<String>();
        var all = Futures.all(Futures.failed(first), pending, Futures.failed(second));
        assertThatThrownBy(all::join).hasCause(first);
        assertThat(pending).isCancelled();
    }

    @Test
    void all_inputCancelled_resultCancelled() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var all = Futures.all(a, b);
        a.cancel(true);
        assertThat(all).isCancelled();
        assertThat(b).isCancelled();
    }

    @Test
    void all_resultCancelled_cancelsEveryInput() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var all = Futures.all(a, b);
        all.cancel(true);
        assertThat(a).isCancelled();
        assertThat(b).isCancelled();
    }

    @Test
    void all_suppliers_startEachAndStopStartingAfterSynchronousFailure() {
        var started = new AtomicInteger();
        var first = new CompletableFuture<String>();
        var boom = new IllegalStateException("cannot start");
        var all = Futures.<String>all(
                () -> {
                    started.incrementAndGet();
                    return first;
                },
                () -> {
                    throw boom;
                },
                () -> {
                    started.incrementAndGet();
                    return new CompletableFuture<String>();
                });
        assertThat(started).hasValue(1);
        assertThatThrownBy(all::join).hasCause(boom);
        assertThat(first).isCancelled();
    }

    @Test
    void all_hundredThousandFutures_completedInAnyOrder_noStackOverflow() {
        int n = 100_000;
        List<CompletableFuture<Integer>> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(new CompletableFuture<>());
        }
        var all = Futures.all(inputs);
        for (int i = n - 1; i >= 0; i--) {
            inputs.get(i).complete(i);
        }
        assertThat(all.join())
                .hasSize(n)
                .isEqualTo(IntStream.range(0, n).boxed().toList());
    }

    @Test
    void all_hundredThousandAlreadyCompleted_andDependentChain_noStackOverflow() {
        int n = 100_000;
        var inputs = IntStream.range(0, n)
                .mapToObj(CompletableFuture::completedFuture)
                .toList();
        assertThat(Futures.all(inputs).join()).hasSize(n);
        // a chain: each input completes the next from its own callback
        List<CompletableFuture<Integer>> chain = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chain.add(new CompletableFuture<>());
        }
        var all = Futures.all(chain);
        var completer = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                chain.get(i).complete(i);
            }
        });
        completer.start();
        assertThat(all.orTimeout(30, TimeUnit.SECONDS).join()).hasSize(n);
    }

    @Test
    void all_hundredThousandFutures_oneFails_restCancelledNoStackOverflow() {
        int n = 100_000;
        List<CompletableFuture<Integer>> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(new CompletableFuture<>());
        }
        var all = Futures.all(inputs);
        inputs.get(n / 2).completeExceptionally(new IOException("boom"));
        assertThat(all).isCompletedExceptionally();
        assertThat(inputs.stream().filter(CompletableFuture::isCancelled).count())
                .isEqualTo(n - 1);
    }

    // ---------------------------------------------------------------- allSettled

    @Test
    void allSettled_everyOutcomeInInputOrderNeverFails() {
        var boom = new IOException("boom");
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var c = new CompletableFuture<String>();
        var settled = Futures.allSettled(a, b, c);
        c.cancel(true);
        b.completeExceptionally(boom);
        assertThat(settled).isNotDone();
        a.complete("a");
        List<Outcome<String>> outcomes = settled.join();
        assertThat(outcomes.get(0)).isEqualTo(Outcome.success("a"));
        assertThat(outcomes.get(1)).isEqualTo(new Outcome.Failure<>(boom));
        assertThat(outcomes.get(2).isCancelled()).isTrue();
    }

    @Test
    void allSettled_suppliersThatThrow_areFailuresOthersStillStart() {
        var boom = new IllegalStateException("boom");
        var settled = Futures.<String>allSettled(
                () -> {
                    throw boom;
                },
                () -> Futures.completed("b"));
        assertThat(settled.join()).containsExactly(new Outcome.Failure<>(boom), Outcome.success("b"));
    }

    @Test
    void allSettled_resultCancelled_cancelsInputs() {
        var a = new CompletableFuture<String>();
        Futures.allSettled(a).cancel(true);
        assertThat(a).isCancelled();
    }

    @Test
    void allSettled_hundredThousandAlreadyDone() {
        int n = 100_000;
        var inputs = IntStream.range(0, n)
                .mapToObj(i -> i % 2 == 0 ? Futures.completed(i) : Futures.<Integer>failed(new IOException()))
                .toList();
        var outcomes = Futures.allSettled(inputs).join();
        assertThat(outcomes.stream().filter(Outcome::isSuccess).count()).isEqualTo(n / 2);
    }

    // ---------------------------------------------------------------- withTimeout

    @Test
    void withTimeout_expires_failsWithTimeoutAndCancelsWork() {
        var work = new CompletableFuture<String>();
        var timed = Futures.withTimeout(work, Duration.ofSeconds(5), clock);
        clock.advance(Duration.ofMillis(4_999));
        assertThat(timed).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(timed::join)
                .hasCauseInstanceOf(TimeoutException.class)
                .hasMessageContaining("timed out after PT5S");
        assertThat(work).isCancelled();
    }

    @Test
    void withTimeout_expires_interruptsRunningTask() throws Exception {
        var started = new CountDownLatch(1);
        var interrupted = new CompletableFuture<Boolean>();
        var timed = Futures.withTimeout(blockedTask(started, interrupted), Duration.ofSeconds(1), clock);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(timed).isCompletedExceptionally();
    }

    @Test
    void withTimeout_completesFirst_resultPassesAndTimerReleased() {
        var work = new CompletableFuture<String>();
        var timed = Futures.withTimeout(work, Duration.ofSeconds(5), clock);
        assertThat(clock.pendingTimers()).isOne();
        work.complete("done");
        assertThat(timed).isCompletedWithValue("done");
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void withTimeout_workFails_sameException() {
        var work = new CompletableFuture<String>();
        var timed = Futures.withTimeout(work, Duration.ofSeconds(5), clock);
        var boom = new IOException("boom");
        work.completeExceptionally(boom);
        assertThatThrownBy(timed::join).hasCause(boom);
    }

    @Test
    void withTimeout_alreadyDone_noTimer() {
        assertThat(Futures.withTimeout(Futures.completed(1), Duration.ofSeconds(1), clock))
                .isCompletedWithValue(1);
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void withTimeout_zeroOrNegative_expiresAtOnce() {
        for (Duration timeout : List.of(Duration.ZERO, Duration.ofSeconds(-1))) {
            var work = new CompletableFuture<String>();
            var timed = Futures.withTimeout(work, timeout, clock);
            assertThatThrownBy(timed::join).hasCauseInstanceOf(TimeoutException.class);
            assertThat(work).isCancelled();
        }
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void withTimeout_hugeTimeout_noOverflow() {
        var work = new CompletableFuture<String>();
        var timed = Futures.withTimeout(work, Duration.ofSeconds(Long.MAX_VALUE), clock);
        clock.advance(Duration.ofDays(365 * 100));
        assertThat(timed).isNotDone();
        work.complete("late");
        assertThat(timed).isCompletedWithValue("late");
    }

    @Test
    void withTimeout_resultCancelled_cancelsWorkAndTimer() {
        var work = new CompletableFuture<String>();
        var timed = Futures.withTimeout(work, Duration.ofSeconds(5), clock);
        timed.cancel(true);
        assertThat(work).isCancelled();
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void withTimeout_fallback_valueOnExpiryAndWorkCancelled() {
        var work = new CompletableFuture<String>();
        var timed = Futures.withTimeout(work, Duration.ofSeconds(1), () -> "fallback", clock);
        clock.advance(Duration.ofSeconds(1));
        assertThat(timed).isCompletedWithValue("fallback");
        assertThat(work).isCancelled();
    }

    @Test
    void withTimeout_fallbackThrows_failureWithTimeoutSuppressed() {
        var boom = new IllegalStateException("no fallback");
        var timed = Futures.withTimeout(
                new CompletableFuture<String>(),
                Duration.ofSeconds(1),
                () -> {
                    throw boom;
                },
                clock);
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(timed::join).hasCause(boom);
        assertThat(boom.getSuppressed()).singleElement().isInstanceOf(TimeoutException.class);
    }

    @Test
    void withTimeout_supplier_startsWorkUnderTimeout() {
        var work = new CompletableFuture<String>();
        var timed = Futures.withTimeout(() -> work, Duration.ofSeconds(1), clock);
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(timed::join).hasCauseInstanceOf(TimeoutException.class);
        assertThat(work).isCancelled();
    }

    @Test
    void withTimeout_supplierWithZeroTimeout_neverStarts() {
        var started = new AtomicInteger();
        var timed = Futures.withTimeout(
                () -> {
                    started.incrementAndGet();
                    return new CompletableFuture<String>();
                },
                Duration.ZERO,
                clock);
        assertThatThrownBy(timed::join).hasCauseInstanceOf(TimeoutException.class);
        assertThat(started).hasValue(0);
    }

    @Test
    void withTimeout_timeoutVsCompletionRace_thousandsOfTimes_noLeaks() throws Exception {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        int races = "long".equals(System.getenv("STRESS")) ? 100_000 : 5_000;
        var random = new java.util.Random(seed);
        int timedOut = 0;
        int completed = 0;
        int leaks = 0;
        for (int i = 0; i < races; i++) {
            var work = new CompletableFuture<Integer>();
            var timed = Futures.withTimeout(work, Duration.ofMillis(1), clock);
            int value = i;
            var completer = Thread.ofVirtual().start(() -> work.complete(value));
            if (random.nextBoolean()) {
                Thread.onSpinWait();
            }
            clock.advance(Duration.ofMillis(1));
            completer.join();
            // invariant: both settled, a success carries the work's value, a failure is the
            // timeout, and no timer is left behind
            boolean consistent = timed.isDone()
                    && work.isDone()
                    && (timed.isCompletedExceptionally()
                            ? Outcome.ofDone(timed).exceptionOrNull() instanceof TimeoutException
                            : timed.join() == value && !work.isCancelled());
            if (!consistent || clock.pendingTimers() != 0) {
                leaks++;
            }
            if (timed.isCompletedExceptionally()) {
                timedOut++;
            } else {
                completed++;
            }
        }
        System.out.printf(
                "withTimeout-race seed=%d races=%d timedOut=%d completed=%d leaks=%d%n",
                seed, races, timedOut, completed, leaks);
        System.out.printf("%d races: %d leaks%n", races, leaks);
        assertThat(leaks).isZero();
        assertThat(timedOut + completed).isEqualTo(races);
    }

    // ---------------------------------------------------------------- shield

    @Test
    void shield_cancelled_workCarriesOn() {
        var work = new CompletableFuture<String>();
        var shield = Futures.shield(work);
        shield.cancel(true);
        assertThat(shield).isCancelled();
        assertThat(work).isNotDone();
        work.complete("paid");
        assertThat(work).isCompletedWithValue("paid");
    }

    @Test
    void shield_underTimeout_timeoutDoesNotCancelWork() throws Exception {
        var started = new CountDownLatch(1);
        var interrupted = new CompletableFuture<Boolean>();
        var work = blockedTask(started, interrupted);
        var timed = Futures.withTimeout(Futures.shield(work), Duration.ofSeconds(1), clock);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(timed).isCompletedExceptionally();
        assertThat(work).isNotDone();
        assertThat(interrupted).isNotDone();
        work.cancel(true); // clean up
        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shield_mirrorsResultAndFailure() {
        var ok = new CompletableFuture<String>();
        var shieldOk = Futures.shield(ok);
        ok.complete("v");
        assertThat(shieldOk).isCompletedWithValue("v");
        var boom = new IOException("boom");
        var bad = new CompletableFuture<String>();
        var shieldBad = Futures.shield(bad);
        bad.completeExceptionally(boom);
        assertThatThrownBy(shieldBad::join).hasCause(boom);
    }

    // ---------------------------------------------------------------- any

    @Test
    void any_firstSuccessWinsAndCancelsTheRest() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var c = new CompletableFuture<String>();
        var any = Futures.any(a, b, c);
        a.completeExceptionally(new IOException("a failed"));
        assertThat(any).isNotDone();
        b.complete("b");
        assertThat(any).isCompletedWithValue("b");
        assertThat(c).isCancelled();
    }

    @Test
    void any_allFail_oneExceptionCarryingEveryCause() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var c = new CompletableFuture<String>();
        var any = Futures.any(a, b, c);
        var second = new IOException("b");
        var first = new IOException("c");
        var third = new IllegalStateException("a");
        c.completeExceptionally(first);
        b.completeExceptionally(second);
        a.completeExceptionally(third);
        assertThatThrownBy(any::join).hasCauseInstanceOf(AllFailedException.class);
        var failure = (AllFailedException) Outcome.ofDone(any).exceptionOrNull();
        assertThat(failure.getCause()).isSameAs(first);
        assertThat(failure.failures()).containsExactly(third, second, first);
        assertThat(failure.getSuppressed()).containsExactlyInAnyOrder(third, second);
        assertThat(failure).hasMessageContaining("all 3 inputs failed");
    }

    @Test
    void any_alreadySucceededInput_winsAtOnce() {
        var pending = new CompletableFuture<String>();
        assertThat(Futures.any(pending, Futures.completed("done"))).isCompletedWithValue("done");
        assertThat(pending).isCancelled();
    }

    @Test
    void any_suppliersThatThrow_countAsFailures() {
        var any = Futures.<String>any(
                () -> {
                    throw new IOException("down");
                },
                () -> Futures.completed("mirror"));
        assertThat(any).isCompletedWithValue("mirror");
    }

    @Test
    void any_resultCancelled_cancelsInputs() {
        var a = new CompletableFuture<String>();
        Futures.any(a).cancel(true);
        assertThat(a).isCancelled();
    }

    @Test
    void any_hundredThousandFailures_noStackOverflow() {
        int n = 100_000;
        List<CompletableFuture<Integer>> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(new CompletableFuture<>());
        }
        var any = Futures.any(inputs);
        inputs.forEach(f -> f.completeExceptionally(new IOException()));
        var failure = (AllFailedException) Outcome.ofDone(any).exceptionOrNull();
        assertThat(failure.failures()).hasSize(n);
    }

    // ---------------------------------------------------------------- race

    @Test
    void race_firstCompletionOfAnyKindWins() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var race = Futures.race(a, b);
        var boom = new IOException("fast failure");
        b.completeExceptionally(boom);
        assertThatThrownBy(race::join).hasCause(boom);
        assertThat(a).isCancelled();
    }

    @Test
    void race_valueWins() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var race = Futures.race(a, b);
        a.complete("a");
        assertThat(race).isCompletedWithValue("a");
        assertThat(b).isCancelled();
    }

    @Test
    void anyAndRace_empty_throwIae() {
        assertThatThrownBy(() -> Futures.any(List.<CompletableFuture<String>>of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("futures must not be empty");
        assertThatThrownBy(() -> Futures.race(List.<CompletableFuture<String>>of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("futures must not be empty");
    }

    // ---------------------------------------------------------------- waitFor

    @Test
    void waitFor_firstCompleted_reportsDoneAndPendingWithoutCancelling() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var c = new CompletableFuture<String>();
        var waited = Futures.waitFor(WaitPolicy.FIRST_COMPLETED, List.of(a, b, c));
        assertThat(waited).isNotDone();
        b.complete("b");
        assertThat(waited.join().done()).containsExactly(b);
        assertThat(waited.join().pending()).containsExactly(a, c);
        assertThat(a).isNotDone();
        assertThat(c).isNotDone();
    }

    @Test
    void waitFor_firstException_ignoresSuccessesAndCancellations() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var c = new CompletableFuture<String>();
        var waited = Futures.waitFor(WaitPolicy.FIRST_EXCEPTION, List.of(a, b, c));
        a.complete("a");
        b.cancel(true);
        assertThat(waited).isNotDone();
        c.completeExceptionally(new IOException());
        assertThat(waited.join().done()).containsExactly(a, b, c);
        assertThat(waited.join().pending()).isEmpty();
    }

    @Test
    void waitFor_firstException_allSucceed_stopsWhenAllDone() {
        var a = new CompletableFuture<String>();
        var waited = Futures.waitFor(WaitPolicy.FIRST_EXCEPTION, List.of(a, Futures.completed("b")));
        a.complete("a");
        assertThat(waited.join().done()).hasSize(2);
    }

    @Test
    void waitFor_allCompleted_waitsForEvery() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var waited = Futures.waitFor(WaitPolicy.ALL_COMPLETED, List.of(a, b));
        a.completeExceptionally(new IOException());
        assertThat(waited).isNotDone();
        b.complete("b");
        assertThat(waited.join().done()).containsExactly(a, b);
    }

    @Test
    void waitFor_timeout_reportsWhatWasDoneAndLeavesPendingRunning() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var waited = Futures.waitFor(WaitPolicy.ALL_COMPLETED, List.of(a, b), Duration.ofSeconds(3), clock);
        a.complete("a");
        clock.advance(Duration.ofSeconds(3));
        assertThat(waited.join().done()).containsExactly(a);
        assertThat(waited.join().pending()).containsExactly(b);
        assertThat(b).isNotDone();
    }

    @Test
    void waitFor_doneBeforeTimeout_timerCancelled() {
        var a = new CompletableFuture<String>();
        var waited = Futures.waitFor(WaitPolicy.FIRST_COMPLETED, List.of(a), Duration.ofSeconds(3), clock);
        a.complete("a");
        assertThat(waited).isDone();
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void waitFor_zeroTimeoutOrEmpty_reportsAtOnce() {
        var a = new CompletableFuture<String>();
        var waited = Futures.waitFor(WaitPolicy.ALL_COMPLETED, List.of(a), Duration.ZERO, clock);
        assertThat(waited.join().pending()).containsExactly(a);
        assertThat(Futures.waitFor(WaitPolicy.FIRST_COMPLETED, List.<CompletableFuture<String>>of())
                        .join()
                        .done())
                .isEmpty();
    }

    @Test
    void waitFor_resultCancelled_inputsUntouched() {
        var a = new CompletableFuture<String>();
        Futures.waitFor(WaitPolicy.ALL_COMPLETED, List.of(a), Duration.ofSeconds(1), clock)
                .cancel(true);
        assertThat(a).isNotDone();
        assertThat(clock.pendingTimers()).isZero();
    }

    // ---------------------------------------------------------------- asCompleted

    @Test
    void asCompleted_next_yieldsInCompletionOrder() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var c = new CompletableFuture<String>();
        var completions = Futures.asCompleted(List.of(a, b, c));
        var first = completions.next();
        assertThat(first).isNotDone();
        c.complete("c");
        assertThat(first).isCompletedWithValue(c);
        a.completeExceptionally(new IOException());
        b.complete("b");
        assertThat(completions.next()).isCompletedWithValue(a);
        assertThat(completions.next()).isCompletedWithValue(b);
        assertThat(completions.hasNext()).isFalse();
        assertThatThrownBy(() -> completions.next().join()).hasCauseInstanceOf(java.util.NoSuchElementException.class);
    }

    @Test
    void asCompleted_cancelledWaiter_givesElementToNextCaller() {
        var a = new CompletableFuture<String>();
        var completions = Futures.asCompleted(List.of(a));
        var abandoned = completions.next();
        abandoned.cancel(true);
        assertThat(completions.hasNext()).isTrue();
        a.complete("a");
        assertThat(completions.next()).isCompletedWithValue(a);
    }

    @Test
    void asCompleted_blockingIterationOnVirtualThread_completionOrderWithProgress() throws Exception {
        var inputs = List.of(
                new CompletableFuture<Integer>(), new CompletableFuture<Integer>(), new CompletableFuture<Integer>());
        var completions = Futures.asCompleted(inputs);
        var progress = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var consumer = Tasks.run(() -> {
            for (var done : completions) {
                progress.add(completions.handedOut() + "/" + completions.size() + "=" + done.join());
            }
        });
        inputs.get(2).complete(2);
        inputs.get(0).complete(0);
        inputs.get(1).complete(1);
        consumer.get(10, TimeUnit.SECONDS);
        assertThat(progress).containsExactly("1/3=2", "2/3=0", "3/3=1");
    }

    @Test
    void asCompleted_stream_ofDoneInputs() {
        var completions = Futures.asCompleted(List.of(Futures.completed(1), Futures.completed(2)));
        assertThat(completions.stream().map(CompletableFuture::join).toList()).containsExactly(1, 2);
    }

    @Test
    void asCompleted_blockingNextInterrupted_keepsElementAndInterruptFlag() throws Exception {
        var a = new CompletableFuture<String>();
        var completions = Futures.asCompleted(List.of(a));
        var thrown = new CompletableFuture<Throwable>();
        var flagAfter = new CompletableFuture<Boolean>();
        Thread consumer = Thread.ofVirtual().start(() -> {
            try {
                completions.iterator().next();
            } catch (Throwable t) {
                thrown.complete(t);
                flagAfter.complete(Thread.currentThread().isInterrupted());
            }
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> completions.handedOut() == 1);
        consumer.interrupt();
        assertThat(thrown.get(10, TimeUnit.SECONDS))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(flagAfter.join()).isTrue();
        a.complete("a");
        assertThat(completions.next()).isCompletedWithValue(a);
    }

    @Test
    void asCompleted_forEachAsync_callsInCompletionOrderWithoutBlocking() {
        var a = new CompletableFuture<String>();
        var b = new CompletableFuture<String>();
        var seen = new ArrayList<String>();
        var done = Futures.asCompleted(List.of(a, b)).forEachAsync(f -> seen.add(f.join()));
        b.complete("b");
        assertThat(done).isNotDone();
        a.complete("a");
        assertThat(done).isCompleted();
        assertThat(seen).containsExactly("b", "a");
    }

    @Test
    void asCompleted_forEachAsync_actionThrows_stopsAndFails() {
        var boom = new IllegalStateException("boom");
        var calls = new AtomicInteger();
        var done = Futures.asCompleted(List.of(Futures.completed(1), Futures.completed(2)))
                .forEachAsync(f -> {
                    calls.incrementAndGet();
                    throw boom;
                });
        assertThatThrownBy(done::join).hasCause(boom);
        assertThat(calls).hasValue(1);
    }

    @Test
    void asCompleted_hundredThousand_forEachAsyncNoStackOverflow() {
        int n = 100_000;
        List<CompletableFuture<Integer>> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(new CompletableFuture<>());
        }
        var count = new AtomicInteger();
        var done = Futures.asCompleted(inputs).forEachAsync(f -> count.incrementAndGet());
        inputs.forEach(f -> f.complete(1));
        assertThat(done).isCompleted();
        assertThat(count).hasValue(n);
        var alreadyDone = IntStream.range(0, n)
                .mapToObj(CompletableFuture::completedFuture)
                .toList();
        var count2 = new AtomicInteger();
        assertThat(Futures.asCompleted(alreadyDone).forEachAsync(f -> count2.incrementAndGet()))
                .isCompleted();
        assertThat(count2).hasValue(n);
    }

    @Test
    void asCompleted_concurrentConsumers_eachElementExactlyOnce() throws Exception {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        int n = "long".equals(System.getenv("STRESS")) ? 200_000 : 20_000;
        List<CompletableFuture<Integer>> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(new CompletableFuture<>());
        }
        var completions = Futures.asCompleted(inputs);
        var seen = java.util.concurrent.ConcurrentHashMap.<Integer>newKeySet();
        var duplicates = new AtomicInteger();
        var consumers = new ArrayList<CompletableFuture<Void>>();
        for (int t = 0; t < 4; t++) {
            consumers.add(Tasks.run(() -> {
                var random = new java.util.Random(seed);
                while (completions.hasNext()) {
                    var next = completions.next();
                    if (random.nextInt(10) == 0 && next.cancel(false)) {
                        continue; // abandoned: the element must go to someone else
                    }
                    CompletableFuture<Integer> element;
                    try {
                        element = next.join();
                    } catch (java.util.concurrent.CompletionException e) {
                        // another consumer took the last element between hasNext() and next()
                        assertThat(e).hasCauseInstanceOf(java.util.NoSuchElementException.class);
                        break;
                    }
                    if (!seen.add(element.join())) {
                        duplicates.incrementAndGet();
                    }
                }
            }));
        }
        var producer = Tasks.run(() -> {
            for (int i = 0; i < n; i++) {
                inputs.get(i).complete(i);
            }
        });
        producer.get(30, TimeUnit.SECONDS);
        Futures.all(consumers).get(30, TimeUnit.SECONDS);
        int lost = n - seen.size();
        System.out.printf(
                "asCompleted-consumers seed=%d elements=%d consumers=4 lost=%d duplicated=%d%n",
                seed, n, lost, duplicates.get());
        assertThat(lost).isZero();
        assertThat(duplicates).hasValue(0);
    }

    // ---------------------------------------------------------------- sleep / delay

    @Test
    void sleep_completesAfterVirtualDuration() {
        var slept = Futures.sleep(Duration.ofMinutes(10), clock);
        clock.advance(Duration.ofMinutes(9));
        assertThat(slept).isNotDone();
        clock.advance(Duration.ofMinutes(1));
        assertThat(slept).isCompleted();
    }

    @Test
    void delay_startsTaskOnlyAfterDelay() {
        var started = new AtomicInteger();
        var delayed = Futures.delay(
                Duration.ofSeconds(2),
                () -> {
                    started.incrementAndGet();
                    return Futures.completed("x");
                },
                clock);
        clock.advance(Duration.ofSeconds(1));
        assertThat(started).hasValue(0);
        clock.advance(Duration.ofSeconds(1));
        assertThat(delayed).isCompletedWithValue("x");
    }

    @Test
    void delay_cancelledBeforeDelay_neverStarts_afterStart_cancelsWork() {
        var started = new AtomicInteger();
        var early = Futures.delay(
                Duration.ofSeconds(2),
                () -> {
                    started.incrementAndGet();
                    return new CompletableFuture<String>();
                },
                clock);
        early.cancel(true);
        clock.advance(Duration.ofSeconds(5));
        assertThat(started).hasValue(0);
        assertThat(clock.pendingTimers()).isZero();

        var work = new CompletableFuture<String>();
        var late = Futures.delay(Duration.ofSeconds(1), () -> work, clock);
        clock.advance(Duration.ofSeconds(1));
        late.cancel(true);
        assertThat(work).isCancelled();
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badArguments_throwNpeNamingParameter() {
        var f = new CompletableFuture<String>();
        var d = Duration.ofSeconds(1);
        assertThatThrownBy(() -> Futures.all((Collection<CompletableFuture<String>>) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("futures");
        assertThatThrownBy(() -> Futures.all(f, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("futures[1] is null");
        assertThatThrownBy(() -> Futures.all(Arrays.asList(f, null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("futures[1] is null");
        assertThatThrownBy(() -> Futures.<String>all(() -> f, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("tasks[1] is null");
        assertThatThrownBy(() -> Futures.allSettled(f, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("futures[1] is null");
        assertThatThrownBy(() -> Futures.allSettled((Collection<CompletableFuture<String>>) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("futures");
        assertThatThrownBy(() -> Futures.failed(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("failure");
        assertThatThrownBy(() -> Futures.start(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("task");
        assertThatThrownBy(() -> Futures.withTimeout((CompletableFuture<String>) null, d))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("future");
        assertThatThrownBy(() -> Futures.withTimeout(f, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeout");
        assertThatThrownBy(() -> Futures.withTimeout(f, d, (TimeSource) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeSource");
        assertThatThrownBy(() -> Futures.withTimeout(f, d, (java.util.concurrent.Callable<String>) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("fallback");
        assertThatThrownBy(() -> Futures.withTimeout((AsyncSupplier<String>) null, d))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("task");
        assertThatThrownBy(() -> Futures.shield(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("future");
        assertThatThrownBy(() -> Futures.any(f, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("futures[1] is null");
        assertThatThrownBy(() -> Futures.race((Collection<CompletableFuture<String>>) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("futures");
        assertThatThrownBy(() -> Futures.waitFor(null, List.of(f)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("policy");
        assertThatThrownBy(() -> Futures.waitFor(WaitPolicy.ALL_COMPLETED, Arrays.asList(f, null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("futures[1] is null");
        assertThatThrownBy(() -> Futures.waitFor(WaitPolicy.ALL_COMPLETED, List.of(f), null, clock))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeout");
        assertThatThrownBy(() -> Futures.waitFor(WaitPolicy.ALL_COMPLETED, List.of(f), d, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeSource");
        assertThatThrownBy(() -> Futures.asCompleted(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("futures");
        assertThatThrownBy(() -> Futures.asCompleted(List.of(f)).forEachAsync(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("action");
        assertThatThrownBy(() -> Futures.sleep(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("duration");
        assertThatThrownBy(() -> Futures.sleep(d, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeSource");
        assertThatThrownBy(() -> Futures.delay(d, null, clock))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("task");
        assertThatThrownBy(() -> Futures.delay(null, () -> f, clock))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("delay");
        assertThatThrownBy(() -> Futures.<String>any(new AsyncSupplier[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tasks must not be empty");
        assertThat(f).isNotDone();
    }

    @Test
    void cancellationException_isCancellationNotFailureInOutcome() {
        var a = new CompletableFuture<String>();
        a.cancel(true);
        assertThatThrownBy(a::join).isInstanceOf(CancellationException.class);
    }
}
