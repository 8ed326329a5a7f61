package dev.asyncpatterns.benchmarks.resilience;

import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.sync.AsyncRateLimiter;
import dev.asyncpatterns.resilience.AsyncResilience;
import dev.asyncpatterns.resilience.Hedging;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Overhead of a decorated asynchronous call on the happy path: the call returns an
 * already-completed {@code CompletableFuture}, the circuit is CLOSED, permits are free and no
 * retry, timeout, hedge or fallback fires. What is measured is the policies' bookkeeping per call.
 * Each decorated supplier is built once in setup; the benchmark calls it once and returns the
 * resulting future.
 *
 * <ul>
 *   <li>{@code raw}: the undecorated call (the floor);
 *   <li>{@code ours}: {@link AsyncResilience} with a resilience4j circuit breaker, retry and
 *       bulkhead (the same three policies as {@code resilience4j});
 *   <li>{@code oursAllPolicies}: {@code ours} plus core's {@link AsyncRateLimiter}, a per-attempt
 *       timeout, an overall deadline, fixed-delay hedging and two fallbacks;
 *   <li>{@code resilience4j}: raw resilience4j 2.4.0 decorators
 *       {@code Retry.decorateCompletionStage(CircuitBreaker.decorateCompletionStage(Bulkhead.decorateCompletionStage(call)))};
 *   <li>{@code failsafe}: Failsafe 3.3.2 {@code getStageAsync} with retry policy, circuit breaker
 *       and bulkhead, on a direct {@code ExecutorService} (no thread hop);
 *   <li>{@code failsafeAllPolicies}: {@code failsafe} plus its rate limiter, timeout and fallback.
 * </ul>
 *
 * The bar (DESIGN.md): {@code ours} within 1.2x of {@code resilience4j}, and below {@code failsafe}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ResilienceHappyPathBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ResilienceHappyPathBenchmark {

    @Param({"raw", "ours", "oursAllPolicies", "resilience4j", "failsafe", "failsafeAllPolicies"})
    String impl;

    private static final CompletableFuture<String> DONE = CompletableFuture.completedFuture("ok");

    /** Runs tasks on the calling thread, so Failsafe pays no thread hop either. */
    private static final ExecutorService DIRECT = new AbstractExecutorService() {
        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {}

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return false;
        }
    };

    private Supplier<? extends CompletionStage<String>> decorated;
    private ScheduledExecutorService scheduler;
    private AsyncRateLimiter limiter;

    @Setup(Level.Trial)
    public void setUp() {
        Supplier<CompletionStage<String>> call = () -> DONE;
        AsyncSupplier<String> ourCall = () -> DONE;
        scheduler = Executors.newSingleThreadScheduledExecutor();
        CircuitBreaker circuitBreaker = CircuitBreaker.ofDefaults("bench");
        Retry retry = Retry.of(
                "bench",
                RetryConfig.custom()
                        .maxAttempts(3)
                        .waitDuration(Duration.ofMillis(10))
                        .build());
        Bulkhead bulkhead = Bulkhead.of(
                "bench",
                BulkheadConfig.custom()
                        .maxConcurrentCalls(1_000)
                        .maxWaitDuration(Duration.ZERO)
                        .build());
        switch (impl) {
            case "raw" -> decorated = call;
            case "ours" ->
                decorated = AsyncResilience.<String>builder("bench")
                        .circuitBreaker(circuitBreaker)
                        .retry(retry)
                        .bulkhead(bulkhead)
                        .build()
                        .decorateSupplier(ourCall);
            case "oursAllPolicies" -> {
                limiter = AsyncRateLimiter.builder()
                        .rate(1_000_000_000, Duration.ofSeconds(1))
                        .burst(1_000_000)
                        .build();
                decorated = AsyncResilience.<String>builder("bench")
                        .circuitBreaker(circuitBreaker)
                        .retry(retry)
                        .bulkhead(bulkhead)
                        .rateLimiter(limiter)
                        .attemptTimeout(Duration.ofSeconds(1))
                        .deadline(Duration.ofSeconds(5))
                        .hedging(Hedging.afterDelay(Duration.ofMillis(100), 1))
                        .circuitOpenFallback(e -> "open")
                        .timeoutFallback(e -> "slow")
                        .build()
                        .decorateSupplier(ourCall);
            }
            case "resilience4j" ->
                decorated = Retry.decorateCompletionStage(
                        retry,
                        scheduler,
                        CircuitBreaker.decorateCompletionStage(
                                circuitBreaker, Bulkhead.decorateCompletionStage(bulkhead, call)));
            case "failsafe" -> {
                FailsafeExecutor<String> executor = Failsafe.with(
                                dev.failsafe.RetryPolicy.<String>builder()
                                        .withMaxAttempts(3)
                                        .withDelay(Duration.ofMillis(10))
                                        .build(),
                                dev.failsafe.CircuitBreaker.<String>ofDefaults(),
                                dev.failsafe.Bulkhead.<String>of(1_000))
                        .with(DIRECT);
                decorated = () -> executor.getStageAsync(() -> DONE);
            }
            case "failsafeAllPolicies" -> {
                FailsafeExecutor<String> executor = Failsafe.with(
                                dev.failsafe.Fallback.of("fallback"),
                                dev.failsafe.RetryPolicy.<String>builder()
                                        .withMaxAttempts(3)
                                        .withDelay(Duration.ofMillis(10))
                                        .build(),
                                dev.failsafe.CircuitBreaker.<String>ofDefaults(),
                                dev.failsafe.RateLimiter.<String>smoothBuilder(1_000_000_000, Duration.ofSeconds(1))
                                        .build(),
                                dev.failsafe.Bulkhead.<String>of(1_000),
                                dev.failsafe.Timeout.<String>of(Duration.ofSeconds(1)))
                        .with(DIRECT);
                decorated = () -> executor.getStageAsync(() -> DONE);
            }
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        }
        String check = decorated.get().toCompletableFuture().join();
        if (!"ok".equals(check)) {
            throw new IllegalStateException(impl + " returned " + check);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scheduler.shutdownNow();
        if (limiter != null) {
            limiter.close();
        }
    }

    @Benchmark
    public CompletionStage<String> call() {
        return decorated.get();
    }
}
