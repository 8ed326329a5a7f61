package dev.asyncpatterns.examples;

import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.resilience.AsyncResilience;
import dev.asyncpatterns.resilience.ResilienceEvent;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Example 6: a flaky price service behind {@link AsyncResilience}, configured with your own
 * resilience4j {@link Retry} (exponential backoff with jitter) and {@link CircuitBreaker}. The
 * service goes through three phases: flaky (retries hide the failures), down (retries run out,
 * the circuit opens and later calls fail fast to a fallback without touching the service), and
 * back up (after the open-state wait, trial calls close the circuit again). Retries and circuit
 * state changes are printed as they happen, from the decorator's events. No thread ever sleeps:
 * backoff waits are timers.
 *
 * <p>asyncio: a {@code tenacity}-style retry decorator with {@code wait_random_exponential} around
 * {@code await fetch()}, plus a circuit breaker such as {@code aiobreaker}.
 */
final class RetryCircuitBreaker implements Example {

    @Override
    public String name() {
        return "retry-circuit-breaker";
    }

    @Override
    public String description() {
        return "retry with jittered backoff and a circuit breaker around a flaky service; state changes printed";
    }

    enum Health {
        FLAKY,
        DOWN,
        UP
    }

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        TimeSource time = TimeSource.system();
        Duration openWait = Duration.ofMillis(fast ? 300 : 2000);

        // the simulated service: answers after 10 ms; FLAKY fails every 3rd request, DOWN all of them
        var health = new AtomicReference<>(Health.FLAKY);
        var requests = new AtomicInteger();
        AsyncSupplier<String> fetchPrice = () -> {
            int n = requests.incrementAndGet();
            boolean fails = switch (Objects.requireNonNull(health.get())) {
                case FLAKY -> n % 3 == 1;
                case DOWN -> true;
                case UP -> false;
            };
            return time.delay(Duration.ofMillis(10)).thenApply(x -> {
                if (fails) {
                    throw new IllegalStateException("503 from the price service");
                }
                return "price=42";
            });
        };

        // plain resilience4j configuration, as you may already have it
        Retry retry = Retry.of(
                "price",
                RetryConfig.custom()
                        .maxAttempts(3)
                        // 20 ms, 40 ms... each randomized by +-50% (jitter), so clients do not retry in step
                        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(20), 2.0, 0.5))
                        .ignoreExceptions(CallNotPermittedException.class) // an open circuit is not worth retrying
                        .build());
        CircuitBreaker breaker = CircuitBreaker.of(
                "price",
                CircuitBreakerConfig.custom()
                        .slidingWindowSize(10) // the last 10 attempts...
                        .minimumNumberOfCalls(5)
                        .failureRateThreshold(60) // ...60% failed: open
                        .waitDurationInOpenState(openWait) // then let trial calls through
                        .permittedNumberOfCallsInHalfOpenState(2)
                        .build());

        AsyncResilience<String> prices = AsyncResilience.<String>builder("prices")
                .circuitBreaker(breaker)
                .retry(retry)
                .attemptTimeout(Duration.ofSeconds(1))
                .circuitOpenFallback(open -> "price=40 (cached)") // fail fast to a stale answer
                .on(
                        ResilienceEvent.RetryScheduled.class,
                        e -> out.printf(
                                "    retry: attempt %d in %d ms (after: %s)%n",
                                e.nextAttempt(),
                                e.delay().toMillis(),
                                e.failure() == null ? "?" : e.failure().getMessage()))
                .on(
                        ResilienceEvent.CircuitStateChanged.class,
                        e -> out.printf("    circuit: %s -> %s%n", e.from(), e.to()))
                .build();

        out.println("phase 1: the service fails every 3rd request");
        call(out, prices, fetchPrice, 1, 4);

        health.set(Health.DOWN);
        out.println("phase 2: the service is down");
        call(out, prices, fetchPrice, 5, 4);

        health.set(Health.UP);
        out.printf(
                "phase 3: the service is back; waiting %d ms for the circuit to allow trial calls%n",
                openWait.toMillis());
        time.delay(openWait.plusMillis(50)).join();
        call(out, prices, fetchPrice, 9, 3);

        AsyncResilience.Stats stats = prices.stats();
        out.printf(
                "stats: %d calls (%d ok, %d failed), %d attempts, %d retries, %d fallbacks, %d circuit transitions, now %s%n",
                stats.calls(),
                stats.succeeded(),
                stats.failed(),
                stats.attempts(),
                stats.retries(),
                stats.fallbacks(),
                stats.circuitTransitions(),
                stats.circuitState().orElseThrow());
        out.printf("the service saw %d requests%n", requests.get());
    }

    /** Makes {@code count} calls one after another, printing each result. */
    private static void call(
            PrintStream out, AsyncResilience<String> prices, AsyncSupplier<String> fetchPrice, int first, int count) {
        for (int i = first; i < first + count; i++) {
            long start = System.nanoTime();
            String result;
            try {
                result = "ok \"" + prices.call(fetchPrice).join() + "\"";
            } catch (CompletionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                result = "failed: " + cause.getMessage();
            }
            out.printf("  call %2d: %s (%d ms)%n", i, result, (System.nanoTime() - start) / 1_000_000);
        }
    }
}
