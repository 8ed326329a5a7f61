package dev.asyncpatterns.benchmarks.sync;

import com.ibm.asyncutil.locks.FairAsyncSemaphore;
import dev.asyncpatterns.core.sync.AsyncSemaphore;
import java.util.concurrent.Semaphore;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Semaphore acquire + release, nanoseconds per pair: our {@link AsyncSemaphore} side by side with
 * IBM asyncutil's {@code FairAsyncSemaphore} and {@link java.util.concurrent.Semaphore} (fair and
 * non-fair), all with one permit.
 *
 * <ul>
 *   <li>{@code uncontended}: one thread, the permit is always free (the lock-free fast path);</li>
 *   <li>{@code contended}: two threads fight over the one permit; an acquire that has to wait is
 *       joined ({@code join()} / {@code acquireUninterruptibly()}), so this measures FIFO
 *       hand-off throughput including the park/unpark of the waiting thread.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar sync.SemaphoreBenchmark -f 2 -wi 3 -i 5 -w 1s -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class SemaphoreBenchmark {

    /** The semaphore under test. */
    @Param({"asyncPatterns", "asyncutilFair", "jdkFair", "jdkNonFair"})
    public String impl;

    private AsyncSemaphore ours;
    private FairAsyncSemaphore asyncutil;
    private Semaphore jdk;

    @Setup
    public void setUp() {
        switch (impl) {
            case "asyncPatterns" -> ours = new AsyncSemaphore(1);
            case "asyncutilFair" -> asyncutil = new FairAsyncSemaphore(1);
            case "jdkFair" -> jdk = new Semaphore(1, true);
            case "jdkNonFair" -> jdk = new Semaphore(1, false);
            default -> throw new IllegalArgumentException("impl: " + impl);
        }
    }

    private void acquireRelease() {
        if (ours != null) {
            ours.acquire().join();
            ours.release();
        } else if (asyncutil != null) {
            asyncutil.acquire(1).toCompletableFuture().join();
            asyncutil.release(1);
        } else {
            jdk.acquireUninterruptibly();
            jdk.release();
        }
    }

    /** One thread: acquire + release with the permit always free. */
    @Benchmark
    @Threads(1)
    public void uncontended() {
        acquireRelease();
    }

    /** Two threads sharing one permit: acquire (waiting if needed) + release. */
    @Benchmark
    @Threads(2)
    public void contended() {
        acquireRelease();
    }
}
