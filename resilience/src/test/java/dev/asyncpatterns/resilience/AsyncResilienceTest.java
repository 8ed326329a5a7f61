package dev.asyncpatterns.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.sync.AsyncRateLimiter;
import dev.asyncpatterns.testkit.VirtualClock;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.MaxRetriesExceededException;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsyncResilienceTest {

    private final VirtualClock clock = VirtualClock.create();

    /** An operation whose attempts the test completes by hand. */
    private static final class Calls implements AsyncSupplier<String> {
        final List<CompletableFuture<String>> started = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<String> get() {
            var future = new CompletableFuture<String>();
            started.add(future);
            return future;
        }

        CompletableFuture<String> last() {
            return started.get(started.size() - 1);
        }

        int count() {
            return started.size();
        }
    }

    private static Bulkhead bulkhead(int permits) {
        return Bulkhead.of(
                "bh",
                BulkheadConfig.custom()
                        .maxConcurrentCalls(permits)
                        .maxWaitDuration(Duration.ZERO)
                        .build());
    }

    private CircuitBreaker breaker(int window) {
        return CircuitBreaker.of(
                "cb",
                CircuitBreakerConfig.custom()
                        .clock(AsyncResilience.clock(clock))
                        .slidingWindowSize(window)
                        .minimumNumberOfCalls(window)
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(Duration.ofSeconds(10))
                        .permittedNumberOfCallsInHalfOpenState(1)
                        .build());
    }

    private static Retry retry(int attempts, Duration wait) {
        return Retry.of(
                "retry",
                RetryConfig.custom().maxAttempts(attempts).waitDuration(wait).build());
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
        throw new AssertionError("not failed");
    }

    // ---------------------------------------------------------------- happy path and basics

    @Test
    void call_allPoliciesAndSuccess_returnsValueAndCountsOneAttempt() {
        var cb = breaker(4);
        var bh = bulkhead(2);
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .bulkhead(bh)
                .circuitBreaker(cb)
                .retry(retry(3, Duration.ofMillis(100)))
                .attemptTimeout(Duration.ofSeconds(1))
                .deadline(Duration.ofSeconds(5))
                .hedging(Hedging.afterDelay(Duration.ofMillis(200), 1))
                .build();

        var result = policy.call(() -> CompletableFuture.completedFuture("ok"));

        assertThat(result).isCompletedWithValue("ok");
        var stats = policy.stats();
        assertThat(stats.calls()).isEqualTo(1);
        assertThat(stats.succeeded()).isEqualTo(1);
        assertThat(stats.attempts()).isEqualTo(1);
        assertThat(stats.inFlight()).isZero();
        assertThat(cb.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
        assertThat(bh.getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
        assertThat(clock.pendingTimers())
                .as("no timers left behind on the sync happy path")
                .isZero();
    }

    @Test
    void call_operationThrowsOrReturnsNull_failsTheAttempt() {
        var policy = AsyncResilience.<String>builder("svc").timeSource(clock).build();

        assertThat(failureOf(policy.call(() -> {
                    throw new IllegalStateException("boom");
                })))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("boom");
        assertThat(failureOf(policy.call(() -> null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("null stage");
    }

    /** A client method as users write them: it declares a checked exception. */
    private static CompletableFuture<String> fetch(boolean fail) throws IOException {
        if (fail) {
            throw new IOException("connection refused");
        }
        return CompletableFuture.completedFuture("fetched");
    }

    @Test
    void call_clientMethodDeclaringCheckedException_compilesAndItsExceptionFailsTheAttempt() {
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(retry(2, Duration.ofMillis(10)))
                .build();

        var ok = policy.call(() -> fetch(false));
        var failed = policy.call(() -> fetch(true));
        clock.advance(Duration.ofMillis(10));

        assertThat(ok).isCompletedWithValue("fetched");
        assertThat(failureOf(failed)).isInstanceOf(IOException.class).hasMessage("connection refused");
        assertThat(policy.stats().attempts())
                .as("the thrown IOException was retried like a failed stage")
                .isEqualTo(3);
    }

    @Test
    void decorateFunction_reappliesTheArgumentOnEachAttempt() {
        var seen = new CopyOnWriteArrayList<Integer>();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(retry(3, Duration.ofMillis(10)))
                .build();
        var decorated = policy.<Integer>decorateFunction(n -> {
            seen.add(n);
            return seen.size() < 3
                    ? CompletableFuture.failedFuture(new IOException("flaky"))
                    : CompletableFuture.completedFuture("v" + n);
        });

        var result = decorated.apply(7);
        clock.advance(Duration.ofMillis(20));

        assertThat(result).isCompletedWithValue("v7");
        assertThat(seen).containsExactly(7, 7, 7);
    }

    // ---------------------------------------------------------------- composition order

    @Test
    void order_openCircuit_refusesBeforeBulkheadAndOperation() {
        var cb = breaker(2);
        cb.transitionToOpenState();
        var bh = bulkhead(1);
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .bulkhead(bh)
                .circuitBreaker(cb)
                .build();

        var result = policy.call(calls);

        assertThat(failureOf(result)).isInstanceOf(CallNotPermittedException.class);
        assertThat(calls.count()).isZero();
        assertThat(bh.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
        assertThat(policy.stats().attemptFailures(FailureKind.CIRCUIT_OPEN)).isEqualTo(1);
    }

    @Test
    void order_bulkheadFull_releasesCircuitPermissionWithoutRecording() {
        var cb = breaker(2);
        var bh = bulkhead(1);
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .bulkhead(bh)
                .circuitBreaker(cb)
                .build();

        var first = policy.call(calls);
        var second = policy.call(calls);

        assertThat(failureOf(second)).isInstanceOf(BulkheadFullException.class);
        assertThat(cb.getMetrics().getNumberOfBufferedCalls())
                .as("bulkhead refusal is not a dependency failure")
                .isZero();
        calls.last().complete("done");
        assertThat(first).isCompletedWithValue("done");
        assertThat(bh.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
    }

    @Test
    void order_retryOutsideCircuitBreaker_everyAttemptIsRecorded() {
        var cb = breaker(10);
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .circuitBreaker(cb)
                .retry(retry(3, Duration.ofMillis(100)))
                .build();

        var result = policy.call(() -> CompletableFuture.failedFuture(new IOException("down")));
        clock.advance(Duration.ofSeconds(1));

        assertThat(failureOf(result)).isInstanceOf(IOException.class);
        assertThat(cb.getMetrics().getNumberOfFailedCalls()).isEqualTo(3);
    }

    @Test
    void order_retryOutsideBulkhead_backoffWaitHoldsNoPermit() {
        var bh = bulkhead(1);
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .bulkhead(bh)
                .retry(retry(2, Duration.ofSeconds(1)))
                .build();

        var result = policy.call(calls);
        calls.last().completeExceptionally(new IOException("flaky"));

        assertThat(bh.getMetrics().getAvailableConcurrentCalls())
                .as("permit free during backoff")
                .isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(calls.count()).isEqualTo(2);
        assertThat(bh.getMetrics().getAvailableConcurrentCalls()).isZero();
        calls.last().complete("ok");
        assertThat(result).isCompletedWithValue("ok");
        assertThat(bh.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
    }

    @Test
    void order_attemptTimeoutInsideRetry_timedOutAttemptIsRecordedCancelledAndRetried() {
        var cb = breaker(10);
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .circuitBreaker(cb)
                .retry(retry(2, Duration.ofMillis(100)))
                .attemptTimeout(Duration.ofMillis(500))
                .build();

        var result = policy.call(calls);
        clock.advance(Duration.ofMillis(500));

        assertThat(calls.started.get(0)).isCancelled();
        assertThat(cb.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
        assertThat(policy.stats().attemptFailures(FailureKind.TIMEOUT)).isEqualTo(1);
        clock.advance(Duration.ofMillis(100));
        assertThat(calls.count()).isEqualTo(2);
        calls.last().complete("second");
        assertThat(result).isCompletedWithValue("second");
    }

    @Test
    void order_deadlineOutsideRetry_boundsBackoffAndStopsAttempts() {
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(retry(10, Duration.ofMillis(300)))
                .deadline(Duration.ofSeconds(1))
                .build();

        var result = policy.call(calls);
        calls.last().completeExceptionally(new IOException("1"));
        clock.advance(Duration.ofMillis(300));
        calls.last().completeExceptionally(new IOException("2"));
        clock.advance(Duration.ofMillis(300));
        // third attempt starts at 600 ms and hangs; the deadline at 1 s cancels it
        assertThat(calls.count()).isEqualTo(3);
        clock.advance(Duration.ofMillis(400));

        assertThat(failureOf(result))
                .isInstanceOf(DeadlineExceededException.class)
                .hasMessageContaining("PT1S")
                .hasCauseInstanceOf(IOException.class);
        assertThat(calls.last()).isCancelled();
        clock.advance(Duration.ofSeconds(10));
        assertThat(calls.count()).isEqualTo(3);
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void order_retryWaitBeyondDeadline_failsAtOnceInsteadOfWaiting() {
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(retry(3, Duration.ofSeconds(5)))
                .deadline(Duration.ofSeconds(1))
                .build();

        var result = policy.call(calls);
        calls.last().completeExceptionally(new IOException("down"));

        assertThat(failureOf(result))
                .isInstanceOf(DeadlineExceededException.class)
                .hasCauseInstanceOf(IOException.class);
        assertThat(clock.elapsed()).isZero();
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void order_hedgesPassTheBulkhead_aHedgeRefusedByTheBulkheadDoesNotFailTheAttempt() {
        var bh = bulkhead(1);
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .bulkhead(bh)
                .hedging(Hedging.afterDelay(Duration.ofMillis(50), 1))
                .build();

        var result = policy.call(calls);
        clock.advance(Duration.ofMillis(50));

        assertThat(calls.count())
                .as("hedge refused: the only permit is the primary's")
                .isEqualTo(1);
        assertThat(policy.stats().attemptFailures(FailureKind.BULKHEAD_FULL)).isEqualTo(1);
        assertThat(result).isNotDone();
        calls.last().complete("primary");
        assertThat(result).isCompletedWithValue("primary");
        assertThat(bh.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
    }

    @Test
    void order_rateLimiterAfterCircuitBreaker_openCircuitSpendsNoTokens() {
        var cb = breaker(2);
        cb.transitionToOpenState();
        var limiter = AsyncRateLimiter.builder()
                .rate(1, Duration.ofSeconds(1))
                .burst(1)
                .timeSource(clock)
                .build();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .circuitBreaker(cb)
                .rateLimiter(limiter)
                .build();

        assertThat(failureOf(policy.call(new Calls()))).isInstanceOf(CallNotPermittedException.class);
        assertThat(limiter.availableTokens()).isEqualTo(1);
    }

    @Test
    void order_rateLimiterBeforeBulkhead_waitHoldsNoPermitAndIsNotCountedAsCallDuration() {
        var cb = CircuitBreaker.of(
                "slow",
                CircuitBreakerConfig.custom()
                        .slidingWindowSize(2)
                        .minimumNumberOfCalls(2)
                        .slowCallDurationThreshold(Duration.ofMillis(500))
                        .build());
        var bh = bulkhead(2);
        var limiter = AsyncRateLimiter.builder()
                .rate(1, Duration.ofSeconds(1))
                .burst(1)
                .timeSource(clock)
                .build();
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .circuitBreaker(cb)
                .rateLimiter(limiter)
                .bulkhead(bh)
                .build();

        var first = policy.call(calls);
        var second = policy.call(calls);
        assertThat(calls.count()).as("second waits for a token").isEqualTo(1);
        assertThat(bh.getMetrics().getAvailableConcurrentCalls())
                .as("waiting holds no bulkhead permit")
                .isEqualTo(1);
        calls.last().complete("one");
        clock.advance(Duration.ofSeconds(1));
        assertThat(calls.count()).isEqualTo(2);
        calls.last().complete("two");

        assertThat(first).isCompletedWithValue("one");
        assertThat(second).isCompletedWithValue("two");
        assertThat(cb.getMetrics().getNumberOfSlowCalls())
                .as("the 1 s token wait is not call time")
                .isZero();
    }

    @Test
    void cancel_whileWaitingForRateLimiter_withdrawsTheRequestAndReleasesTheCircuitPermission() {
        var cb = CircuitBreaker.of(
                "half",
                CircuitBreakerConfig.custom()
                        .permittedNumberOfCallsInHalfOpenState(1)
                        .build());
        cb.transitionToOpenState();
        cb.transitionToHalfOpenState();
        var limiter = AsyncRateLimiter.builder()
                .rate(1, Duration.ofSeconds(1))
                .burst(1)
                .timeSource(clock)
                .build();
        limiter.tryAcquire();
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .circuitBreaker(cb)
                .rateLimiter(limiter)
                .build();

        var waiting = policy.call(calls);
        assertThat(limiter.waiters()).isEqualTo(1);
        waiting.cancel(true);

        assertThat(limiter.waiters()).isZero();
        assertThat(cb.tryAcquirePermission())
                .as("the half-open trial permission came back")
                .isTrue();
        clock.advance(Duration.ofSeconds(5));
        assertThat(calls.count()).isZero();
    }

    @Test
    void rateLimiterClosed_failsTheAttemptAsRateLimited() {
        var limiter = AsyncRateLimiter.builder()
                .rate(1, Duration.ofSeconds(1))
                .timeSource(clock)
                .build();
        limiter.close();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .rateLimiter(limiter)
                .build();

        assertThat(failureOf(policy.call(new Calls()))).isInstanceOf(ClosedException.class);
        assertThat(policy.stats().attemptFailures(FailureKind.RATE_LIMITED)).isEqualTo(1);
    }

    @Test
    void order_fallbackOutermost_seesFinalFailureAfterRetries() {
        var attempts = new AtomicInteger();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(retry(3, Duration.ofMillis(10)))
                .fallback(IOException.class, e -> "fallback after " + attempts.get())
                .build();

        var result = policy.call(() -> {
            attempts.incrementAndGet();
            return CompletableFuture.failedFuture(new IOException("down"));
        });
        clock.advance(Duration.ofMillis(100));

        assertThat(result).isCompletedWithValue("fallback after 3");
        assertThat(policy.stats().fallbacks()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- retry on virtual time

    @Test
    void retry_exponentialIntervalFunction_followsScheduleOnVirtualClock() {
        var startTimes = new CopyOnWriteArrayList<Duration>();
        var retry = Retry.of(
                "exp",
                RetryConfig.custom()
                        .maxAttempts(4)
                        .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2))
                        .build());
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(retry)
                .build();

        var result = policy.call(() -> {
            startTimes.add(clock.elapsed());
            return CompletableFuture.failedFuture(new IOException("down"));
        });
        clock.advance(Duration.ofSeconds(5));

        assertThat(startTimes)
                .containsExactly(Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMillis(700));
        assertThat(failureOf(result)).isInstanceOf(IOException.class);
        assertThat(retry.getMetrics().getNumberOfFailedCallsWithRetryAttempt()).isEqualTo(1);
        assertThat(policy.stats().retries()).isEqualTo(3);
    }

    @Test
    void retry_exponentialRandomBackoff_waitsWithinTheRandomizedBounds() {
        var retry = Retry.of(
                "rnd",
                RetryConfig.custom()
                        .maxAttempts(2)
                        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(1000), 2, 0.5))
                        .build());
        var calls = new Calls();
        var delays = new CopyOnWriteArrayList<Duration>();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(retry)
                .on(ResilienceEvent.RetryScheduled.class, e -> delays.add(e.delay()))
                .build();

        for (int i = 0; i < 20; i++) {
            policy.call(calls);
            calls.last().completeExceptionally(new IOException("down"));
            assertThat(clock.nextTimerIn())
                    .hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofMillis(500), Duration.ofMillis(1500)));
            clock.advance(Duration.ofMillis(1500));
            calls.last().complete("ok");
        }

        assertThat(delays).hasSize(20);
        assertThat(delays.stream().distinct().count())
                .as("randomized, not fixed")
                .isGreaterThan(1);
    }

    @Test
    void retry_exceptionNotAllowedByConfig_isNotRetried() {
        var retry = Retry.of(
                "io-only",
                RetryConfig.custom()
                        .maxAttempts(5)
                        .waitDuration(Duration.ofMillis(10))
                        .retryExceptions(IOException.class)
                        .build());
        var attempts = new AtomicInteger();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(retry)
                .build();

        var result = policy.call(() -> {
            attempts.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalArgumentException("bad request"));
        });
        clock.advance(Duration.ofSeconds(1));

        assertThat(failureOf(result)).isInstanceOf(IllegalArgumentException.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void retry_errorsAreNeverRetried() {
        var attempts = new AtomicInteger();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(retry(5, Duration.ofMillis(1)))
                .build();

        var result = policy.call(() -> {
            attempts.incrementAndGet();
            return CompletableFuture.failedFuture(new AssertionError("bug"));
        });
        clock.advance(Duration.ofSeconds(1));

        assertThat(failureOf(result)).isInstanceOf(AssertionError.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void retry_onResultPredicate_retriesAndFailsAfterMaxAttempts() {
        RetryConfig config = RetryConfig.<String>custom()
                .maxAttempts(3)
                .waitDuration(Duration.ofMillis(10))
                .retryOnResult(value -> value.equals("busy"))
                .failAfterMaxAttempts(true)
                .build();
        var attempts = new AtomicInteger();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(Retry.of("res", config))
                .build();

        var result = policy.call(() -> {
            attempts.incrementAndGet();
            return CompletableFuture.completedFuture("busy");
        });
        clock.advance(Duration.ofSeconds(1));

        assertThat(attempts).hasValue(3);
        assertThat(failureOf(result)).isInstanceOf(MaxRetriesExceededException.class);
    }

    @Test
    void retry_cancelledDuringBackoff_stopsFurtherAttempts() {
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(retry(5, Duration.ofSeconds(1)))
                .build();

        var result = policy.call(calls);
        calls.last().completeExceptionally(new IOException("flaky"));
        assertThat(clock.pendingTimers()).isEqualTo(1);
        result.cancel(true);

        assertThat(clock.pendingTimers()).as("backoff timer cancelled").isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(calls.count()).isEqualTo(1);
        assertThat(policy.stats().cancelled()).isEqualTo(1);
    }

    @Test
    void cancel_duringAttempt_cancelsTheCallAndReleasesPermits() {
        var cb = breaker(10);
        var bh = bulkhead(1);
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .bulkhead(bh)
                .circuitBreaker(cb)
                .retry(retry(3, Duration.ofMillis(10)))
                .deadline(Duration.ofSeconds(5))
                .build();

        var result = policy.call(calls);
        assertThat(bh.getMetrics().getAvailableConcurrentCalls()).isZero();
        result.cancel(true);

        assertThat(calls.last()).isCancelled();
        assertThat(bh.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
        assertThat(cb.getMetrics().getNumberOfBufferedCalls())
                .as("cancellation is not recorded")
                .isZero();
        assertThat(clock.pendingTimers()).as("deadline timer cancelled").isZero();
    }

    @Test
    void complete_byCaller_stopsTheWorkLikeCancel() {
        var bh = bulkhead(1);
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .bulkhead(bh)
                .hedging(Hedging.afterDelay(Duration.ofMillis(10), 1))
                .build();

        var result = policy.call(calls);
        result.complete("from cache");

        assertThat(calls.last()).isCancelled();
        assertThat(bh.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(calls.count()).as("no hedge after the caller finished").isEqualTo(1);
        assertThat(result).isCompletedWithValue("from cache");
    }

    // ---------------------------------------------------------------- circuit breaker on virtual time

    @Test
    void circuit_failuresOpenItAndTheOpenWaitPassesOnTheVirtualClock() {
        var cb = breaker(2);
        var transitions = new ArrayList<String>();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .circuitBreaker(cb)
                .circuitOpenFallback(open -> "cached")
                .on(ResilienceEvent.CircuitStateChanged.class, e -> transitions.add(e.from() + "->" + e.to()))
                .build();
        var failing = (AsyncSupplier<String>) () -> CompletableFuture.failedFuture(new IOException("x"));

        policy.call(failing);
        policy.call(failing);
        assertThat(cb.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(policy.call(() -> CompletableFuture.completedFuture("live"))).isCompletedWithValue("cached");

        clock.advance(Duration.ofSeconds(9));
        assertThat(policy.call(() -> CompletableFuture.completedFuture("live"))).isCompletedWithValue("cached");
        clock.advance(Duration.ofSeconds(1).plusMillis(1)); // resilience4j: strictly after the wait
        assertThat(policy.call(() -> CompletableFuture.completedFuture("live"))).isCompletedWithValue("live");

        assertThat(cb.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
        assertThat(policy.stats().circuitTransitions()).isEqualTo(3);
        assertThat(policy.stats().circuitState()).hasValue(CircuitBreaker.State.CLOSED);
    }

    @Test
    void circuit_slowCallDurationComesFromTheTimeSource() {
        var cb = CircuitBreaker.of(
                "slow",
                CircuitBreakerConfig.custom()
                        .slidingWindowSize(2)
                        .minimumNumberOfCalls(2)
                        .slowCallDurationThreshold(Duration.ofSeconds(1))
                        .slowCallRateThreshold(50)
                        .build());
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .circuitBreaker(cb)
                .build();

        for (int i = 0; i < 2; i++) {
            policy.call(calls);
            clock.advance(Duration.ofSeconds(2));
            calls.last().complete("late");
        }

        assertThat(cb.getMetrics().getNumberOfSlowSuccessfulCalls()).isEqualTo(2);
        assertThat(cb.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    // ---------------------------------------------------------------- hedging

    @Test
    void hedging_hedgeSucceedsFirst_winsAndPrimaryIsCancelled() {
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .hedging(Hedging.afterDelay(Duration.ofMillis(100), 1))
                .build();

        var result = policy.call(calls);
        clock.advance(Duration.ofMillis(100));
        assertThat(calls.count()).isEqualTo(2);
        calls.started.get(1).complete("hedge");

        assertThat(result).isCompletedWithValue("hedge");
        assertThat(calls.started.get(0)).isCancelled();
        assertThat(policy.stats().hedges()).isEqualTo(1);
        assertThat(policy.stats().hedgeWins()).isEqualTo(1);
    }

    @Test
    void hedging_primarySucceedsFirst_hedgeIsCancelled() {
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .hedging(Hedging.afterDelay(Duration.ofMillis(100), 2))
                .build();

        var result = policy.call(calls);
        clock.advance(Duration.ofMillis(100));
        calls.started.get(0).complete("primary");

        assertThat(result).isCompletedWithValue("primary");
        assertThat(calls.started.get(1)).isCancelled();
        assertThat(clock.pendingTimers())
                .as("the second hedge is never started")
                .isZero();
        assertThat(policy.stats().hedgeWins()).isZero();
    }

    @Test
    void hedging_boundedNumberOfHedges() {
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .hedging(Hedging.afterDelay(Duration.ofMillis(100), 2))
                .build();

        var result = policy.call(calls);
        clock.advance(Duration.ofSeconds(10));

        assertThat(calls.count()).isEqualTo(3);
        result.cancel(true);
        assertThat(calls.started).allSatisfy(f -> assertThat(f).isCancelled());
    }

    @Test
    void hedging_allAttemptsFail_failsWithFirstFailureAndOthersSuppressed() {
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .hedging(Hedging.afterDelay(Duration.ofMillis(100), 1))
                .build();

        var result = policy.call(calls);
        clock.advance(Duration.ofMillis(100));
        calls.started.get(0).completeExceptionally(new IOException("primary"));
        assertThat(result).isNotDone();
        calls.started.get(1).completeExceptionally(new IOException("hedge"));

        assertThat(failureOf(result))
                .hasMessage("primary")
                .satisfies(e -> assertThat(e.getSuppressed())
                        .extracting(Throwable::getMessage)
                        .containsExactly("hedge"));
    }

    @Test
    void hedging_percentile_usesRecentLatencies() {
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .hedging(Hedging.afterPercentile(0.95, Duration.ofSeconds(1), 1).minSamples(5))
                .build();
        for (int i = 0; i < 5; i++) {
            policy.call(calls);
            clock.advance(Duration.ofMillis(20));
            calls.last().complete("ok");
        }

        policy.call(calls);
        int before = calls.count();
        clock.advance(Duration.ofMillis(20));

        assertThat(calls.count())
                .as("hedged after p95 = 20 ms, not the 1 s initial delay")
                .isEqualTo(before + 1);
    }

    // ---------------------------------------------------------------- fallbacks

    @Test
    void fallback_kindSpecificTakesPrecedenceOverType() {
        var bh = bulkhead(1);
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .bulkhead(bh)
                .fallback(RuntimeException.class, e -> "by type")
                .bulkheadFullFallback(e -> "bulkhead full")
                .build();
        var holder = new Calls();
        policy.call(holder);

        assertThat(policy.call(new Calls())).isCompletedWithValue("bulkhead full");
        holder.last().complete("free the permit");
        assertThat(policy.call(() -> CompletableFuture.failedFuture(new IllegalStateException())))
                .isCompletedWithValue("by type");
    }

    @Test
    void fallback_timeoutFallbackCoversAttemptTimeoutAndDeadline() {
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .attemptTimeout(Duration.ofMillis(100))
                .timeoutFallback(e -> e.getClass().getSimpleName())
                .build();
        var deadlined = AsyncResilience.<String>builder("svc2")
                .timeSource(clock)
                .deadline(Duration.ofMillis(100))
                .timeoutFallback(e -> e.getClass().getSimpleName())
                .build();

        var a = policy.call(new Calls());
        var b = deadlined.call(new Calls());
        clock.advance(Duration.ofMillis(100));

        assertThat(a).isCompletedWithValue("TimeoutException");
        assertThat(b).isCompletedWithValue("DeadlineExceededException");
    }

    @Test
    void fallback_throws_failsWithItsExceptionAndOriginalSuppressed() {
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .fallback(IOException.class, e -> {
                    throw new UncheckedIOException("fallback broke", e);
                })
                .build();

        var result = policy.call(() -> CompletableFuture.failedFuture(new IOException("down")));

        assertThat(failureOf(result))
                .isInstanceOf(UncheckedIOException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    }

    @Test
    void fallbackAsync_completesWithTheFallbacksValueWhenItArrives() {
        var secondary = new CompletableFuture<String>();
        var seen = new CopyOnWriteArrayList<ResilienceEvent>();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .fallbackAsync(IOException.class, e -> secondary)
                .onEvent(seen::add)
                .build();

        var result = policy.call(() -> CompletableFuture.failedFuture(new IOException("primary down")));
        assertThat(result).as("waits for the secondary").isNotDone();
        assertThat(policy.stats().fallbacks()).isZero();

        secondary.complete("from secondary");
        assertThat(result).isCompletedWithValue("from secondary");
        assertThat(policy.stats().fallbacks()).isEqualTo(1);
        assertThat(policy.stats().succeeded()).isEqualTo(1);
        assertThat(seen).anySatisfy(e -> assertThat(e).isInstanceOf(ResilienceEvent.FallbackApplied.class));
    }

    @Test
    void fallbackAsync_fails_callFailsWithItsExceptionAndOriginalSuppressed() {
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .fallbackAsync(
                        IOException.class,
                        e -> CompletableFuture.failedFuture(new IllegalStateException("secondary down")))
                .build();

        var result = policy.call(() -> CompletableFuture.failedFuture(new IOException("primary down")));

        assertThat(failureOf(result))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("secondary down")
                .satisfies(e -> assertThat(e.getSuppressed())
                        .extracting(Throwable::getMessage)
                        .containsExactly("primary down"));
        assertThat(policy.stats().failed()).isEqualTo(1);
        assertThat(policy.stats().fallbacks()).isZero();
    }

    @Test
    void fallbackAsync_callerCancels_fallbackCancelledAndCountedAsCancelled() {
        var secondary = new CompletableFuture<String>();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .fallbackAsync(IOException.class, e -> secondary)
                .build();
        var result = policy.call(() -> CompletableFuture.failedFuture(new IOException("primary down")));

        result.cancel(true);

        assertThat(secondary).isCancelled();
        assertThat(policy.stats().cancelled()).isEqualTo(1);
        assertThat(policy.stats().failed()).isZero();
        assertThat(policy.stats().succeeded()).isZero();
    }

    @Test
    void fallbackAsync_returnsNull_failsWithASpecificMessage() {
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .fallbackAsync(IOException.class, e -> null)
                .build();

        var result = policy.call(() -> CompletableFuture.failedFuture(new IOException("down")));

        assertThat(failureOf(result)).isInstanceOf(NullPointerException.class).hasMessageContaining("returned null");
    }

    @Test
    void fallbackAsync_sameTypeAsASyncFallback_rejected() {
        var builder = AsyncResilience.<String>builder("svc").fallback(IOException.class, e -> "x");
        assertThatThrownBy(() -> builder.fallbackAsync(IOException.class, e -> CompletableFuture.completedFuture("y")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already set");
    }

    // ---------------------------------------------------------------- events and stats

    @Test
    void events_listenerThrows_isIsolatedAndOthersStillRun() {
        var seen = new CopyOnWriteArrayList<ResilienceEvent>();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(retry(2, Duration.ofMillis(10)))
                .onEvent(e -> {
                    throw new IllegalStateException("listener bug");
                })
                .on(ResilienceEvent.class, seen::add)
                .build();
        var attempts = new AtomicInteger();

        var result = policy.call(() -> attempts.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new IOException("once"))
                : CompletableFuture.completedFuture("ok"));
        clock.advance(Duration.ofMillis(10));

        assertThat(result).isCompletedWithValue("ok");
        assertThat(seen)
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly(
                        "AttemptStarted",
                        "AttemptFailed",
                        "RetryScheduled",
                        "AttemptStarted",
                        "AttemptSucceeded",
                        "CallFinished");
        assertThat(seen).allSatisfy(e -> assertThat(e.name()).isEqualTo("svc"));
    }

    @Test
    void events_listenersAreFixedAtBuild_laterBuilderChangesDoNotReachABuiltDecorator() {
        var first = new CopyOnWriteArrayList<ResilienceEvent>();
        var second = new CopyOnWriteArrayList<ResilienceEvent>();
        var builder = AsyncResilience.<String>builder("svc").timeSource(clock).onEvent(first::add);
        var built = builder.build();
        builder.on(ResilienceEvent.CallFinished.class, second::add);

        built.call(() -> CompletableFuture.completedFuture("ok")).join();
        builder.build().call(() -> CompletableFuture.completedFuture("ok")).join();

        assertThat(first)
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly(
                        "AttemptStarted",
                        "AttemptSucceeded",
                        "CallFinished",
                        "AttemptStarted",
                        "AttemptSucceeded",
                        "CallFinished");
        assertThat(second).as("only the decorator built after on(...) has it").hasSize(1);
    }

    @Test
    void events_callFinished_reportsTheElapsedTimeOnTheTimeSource() {
        var seen = new CopyOnWriteArrayList<ResilienceEvent.CallFinished>();
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .on(ResilienceEvent.CallFinished.class, seen::add)
                .build();

        policy.call(calls);
        clock.advance(Duration.ofMillis(250));
        calls.last().complete("late");

        assertThat(seen).singleElement().satisfies(e -> {
            assertThat(e.elapsed()).isEqualTo(Duration.ofMillis(250));
            assertThat(e.attempts()).isEqualTo(1);
            assertThat(e.kind()).isNull();
        });
    }

    @Test
    void stats_readFromTheCallersDependent_alreadyCountTheCall() {
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .retry(retry(2, Duration.ofMillis(10)))
                .build();
        var upstream = new CompletableFuture<String>();
        var failing = new CompletableFuture<String>();

        var seenOnSuccess = policy.call(() -> upstream).thenApply(v -> policy.stats());
        var seenOnFailure = policy.call(() -> failing).handle((v, e) -> policy.stats());
        upstream.complete("ok");
        failing.completeExceptionally(new IOException("down"));
        clock.advance(Duration.ofMillis(10)); // the retry of the failing call: it fails again

        // the caller reacting to its future (as the retry-circuit-breaker example prints stats) must
        // see its own call counted: counters go up before the result completes
        assertThat(seenOnSuccess.join().succeeded()).isEqualTo(1);
        assertThat(seenOnFailure.join().failed()).isEqualTo(1);
        assertThat(policy.stats().calls()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- registries and bad configuration

    @Test
    void builder_registries_useTheRegisteredInstances() {
        var cbs = CircuitBreakerRegistry.ofDefaults();
        var retries = RetryRegistry.ofDefaults();
        var policy = AsyncResilience.<String>builder("svc")
                .circuitBreaker(cbs, "inventory")
                .retry(retries, "inventory")
                .build();

        policy.call(() -> CompletableFuture.completedFuture("ok")).join();

        assertThat(cbs.circuitBreaker("inventory").getMetrics().getNumberOfSuccessfulCalls())
                .isEqualTo(1);
        assertThat(retries.retry("inventory").getMetrics().getNumberOfSuccessfulCallsWithoutRetryAttempt())
                .isEqualTo(1);
    }

    @Test
    void builder_blockingBulkhead_isRejected() {
        var blocking = Bulkhead.of(
                "blocking",
                BulkheadConfig.custom().maxWaitDuration(Duration.ofSeconds(1)).build());

        assertThatThrownBy(() -> AsyncResilience.builder("svc").bulkhead(blocking))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxWaitDuration PT1S");
    }

    @Test
    void builder_settingGivenTwice_isRejected() {
        var builder = AsyncResilience.<String>builder("svc").retry(retry(2, Duration.ofMillis(1)));

        assertThatThrownBy(() -> builder.retry(retry(2, Duration.ofMillis(1))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("retry was already set");
        builder.fallback(IOException.class, e -> "x");
        assertThatThrownBy(() -> builder.fallback(IOException.class, e -> "y"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("java.io.IOException");
        builder.onEvent(e -> {}).on(ResilienceEvent.RetryScheduled.class, e -> {});
        assertThatThrownBy(() -> builder.onEvent(e -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("onEvent was already set");
        assertThatThrownBy(() -> builder.on(ResilienceEvent.RetryScheduled.class, e -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("on(RetryScheduled) was already set");
    }

    @Test
    void builder_inconsistentDurations_areRejected() {
        assertThatThrownBy(() -> AsyncResilience.builder("svc")
                        .attemptTimeout(Duration.ofSeconds(5))
                        .deadline(Duration.ofSeconds(2))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attemptTimeout PT5S");
        assertThatThrownBy(() -> AsyncResilience.builder("svc")
                        .attemptTimeout(Duration.ofSeconds(1))
                        .hedging(Hedging.afterDelay(Duration.ofSeconds(1), 1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hedging delay PT1S");
        assertThatThrownBy(() -> AsyncResilience.builder("svc").deadline(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deadline must be positive");
        assertThatThrownBy(() -> AsyncResilience.builder("svc").attemptTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout must be positive");
        assertThatThrownBy(() -> AsyncResilience.builder(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hedging_badParameters_areRejected() {
        assertThatThrownBy(() -> Hedging.afterDelay(Duration.ofMillis(10), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxHedges must be in [1, 16], was 0");
        assertThatThrownBy(() -> Hedging.afterDelay(Duration.ofMillis(10), 17))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hedging.afterPercentile(1.0, Duration.ofMillis(10), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 1.0");
        assertThatThrownBy(() -> Hedging.afterPercentile(Double.NaN, Duration.ofMillis(10), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hedging.afterDelay(Duration.ZERO, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hedging.afterDelay(null, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("delay");
    }

    @Test
    void nullArguments_areRejectedAtOnce() {
        var policy = AsyncResilience.<String>builder("svc").build();

        assertThatThrownBy(() -> policy.call(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("operation");
        assertThatThrownBy(() -> AsyncResilience.builder("x").onEvent(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AsyncResilience.builder(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AsyncResilience.builder("x").circuitBreaker((CircuitBreaker) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("circuitBreaker");
        assertThatThrownBy(() -> AsyncResilience.clock(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void deadline_callNeverCompletes_failsAtTheDeadlineOnVirtualTime() throws Exception {
        var calls = new Calls();
        var policy = AsyncResilience.<String>builder("svc")
                .timeSource(clock)
                .deadline(Duration.ofSeconds(3))
                .build();

        var result = policy.call(calls);
        clock.advance(Duration.ofMillis(2999));
        assertThat(result).isNotDone();
        clock.advance(Duration.ofMillis(1));

        assertThatThrownBy(result::get)
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(calls.last()).isCancelled();
    }
}
