package dev.asyncpatterns.benchmarks.observability;

import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.resilience.AsyncResilience;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import jdk.jfr.Recording;
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
 * What the toolkit's JFR events cost, nanoseconds per operation, with no recording ({@code off})
 * and with a recording that enables every {@code dev.asyncpatterns.*} event at its default
 * threshold ({@code on}):
 *
 * <ul>
 *   <li>{@code semaphoreUncontended}: {@link AsyncSemaphore} acquire + release, permit always free
 *       (the fast path never looks at JFR);</li>
 *   <li>{@code semaphoreQueuedWait}: one thread acquires a permit that is not there (the waiter is
 *       queued, which is where a {@code SlowWait} event would begin) and releases it at once: the
 *       slow path, where {@code on} pays for timing the wait (the 20 ms threshold keeps it from
 *       being written);</li>
 *   <li>{@code resilienceHappyPath}: {@link AsyncResilience} with a circuit breaker, retry and
 *       bulkhead around an already-completed call (no state change, no retry: no event).</li>
 * </ul>
 *
 * <p>Bar (issue 16): {@code off} no measurably slower than before the events existed (compare the
 * same figures of {@code SemaphoreBenchmark.uncontended} and {@code ResilienceHappyPathBenchmark}
 * on the previous jar), and {@code on} equal to {@code off} on the two fast paths.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar observability.JfrOverheadBenchmark -f 3 -wi 3 -i 5 -w 1s -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class JfrOverheadBenchmark {

    private static final List<String> EVENTS = List.of(
            "dev.asyncpatterns.SlowWait",
            "dev.asyncpatterns.QueueFull",
            "dev.asyncpatterns.SupervisorRestart",
            "dev.asyncpatterns.TaskScopeFailure",
            "dev.asyncpatterns.CircuitStateChange",
            "dev.asyncpatterns.RetryAttempt");
    private static final CompletableFuture<String> DONE = CompletableFuture.completedFuture("ok");

    /** Whether a recording with the toolkit's events enabled is running. */
    @Param({"off", "on"})
    public String recording;

    private Recording running;
    private AsyncSemaphore free;
    private AsyncSemaphore empty;
    private Supplier<? extends CompletionStage<String>> decorated;

    @Setup(Level.Trial)
    public void setUp() {
        if (recording.equals("on")) {
            running = new Recording();
            running.setToDisk(false);
            running.setMaxSize(16 * 1024 * 1024);
            EVENTS.forEach(running::enable);
            running.start();
        }
        free = new AsyncSemaphore(1);
        empty = new AsyncSemaphore(0);
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
        decorated = AsyncResilience.<String>builder("bench")
                .circuitBreaker(CircuitBreaker.ofDefaults("bench"))
                .retry(retry)
                .bulkhead(bulkhead)
                .build()
                .decorateSupplier(() -> DONE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (running != null) {
            running.close();
        }
    }

    @Benchmark
    public void semaphoreUncontended() {
        free.acquire().join();
        free.release();
    }

    @Benchmark
    public boolean semaphoreQueuedWait() {
        CompletableFuture<Void> waiting = empty.acquire(); // no permit: queued
        empty.release(); // handed to the waiter, so the count stays 0 and the next operation queues again
        return waiting.isDone();
    }

    @Benchmark
    public CompletionStage<String> resilienceHappyPath() {
        return decorated.get();
    }
}
