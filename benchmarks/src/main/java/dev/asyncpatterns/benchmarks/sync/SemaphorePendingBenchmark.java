package dev.asyncpatterns.benchmarks.sync;

import com.ibm.asyncutil.locks.FairAsyncSemaphore;
import dev.asyncpatterns.core.sync.AsyncSemaphore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * An acquire that has to wait, nanoseconds per round: with the only permit held, {@code acquire()}
 * queues a waiter and returns a pending future; {@code release()} hands the permit to that waiter,
 * completing its future; the round ends holding the permit again. This is the slow path of an async
 * semaphore (waiter node, queue, hand-off, future completion) without a second thread, so it
 * measures the data structure rather than park/unpark. Ours against IBM asyncutil's
 * {@code FairAsyncSemaphore}; the JDK {@code Semaphore} has no acquire that returns before it holds
 * the permit, so its waiting path is in {@link SemaphoreBenchmark#contended}.
 *
 * <p>{@code asyncPatterns} and {@code asyncutilFair}: both semaphores as constructed, with nothing
 * reading their statistics: ours then reads no clock on this path (it times queued waits for
 * {@code stats().waitTime()} only from the first {@code stats()} call on), and asyncutil keeps no
 * statistics. {@code asyncPatternsObserved}: ours after one {@code stats()} call (as a Micrometer
 * binder makes when it binds), so every queued wait is timed: two {@code System.nanoTime()} reads
 * per round, the price of the {@code waitTime} statistic, shown next to the bar's pair.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SemaphorePendingBenchmark -f 1 -wi 2 -i 3 -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class SemaphorePendingBenchmark {

    /** The semaphore under test. */
    @Param({"asyncPatterns", "asyncutilFair", "asyncPatternsObserved"})
    public String impl;

    private AsyncSemaphore ours;
    private FairAsyncSemaphore asyncutil;

    /** Creates a one-permit semaphore and takes its permit, so every acquire below waits. */
    @Setup
    public void setUp() {
        switch (impl) {
            case "asyncPatterns" -> {
                ours = new AsyncSemaphore(1);
                ours.acquire().join();
            }
            case "asyncPatternsObserved" -> {
                ours = new AsyncSemaphore(1);
                ours.stats(); // from here on queued waits are timed
                ours.acquire().join();
            }
            case "asyncutilFair" -> {
                asyncutil = new FairAsyncSemaphore(1);
                asyncutil.acquire(1).toCompletableFuture().join();
            }
            default -> throw new IllegalArgumentException("impl: " + impl);
        }
    }

    /**
     * Queues an acquire, releases the held permit to it, and checks it was granted.
     *
     * @return whether the waiter was granted (always true)
     */
    @Benchmark
    public boolean acquirePendingThenRelease() {
        if (ours != null) {
            CompletableFuture<Void> waiter = ours.acquire();
            ours.release();
            return waiter.isDone();
        }
        CompletableFuture<Void> waiter = asyncutil.acquire(1).toCompletableFuture();
        asyncutil.release(1);
        return waiter.isDone();
    }
}
