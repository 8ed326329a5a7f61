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
 * IBM asyncutil's {@code FairAsyncSemaphore} and the JDK's fair {@link Semaphore}
 * ({@code -p impl=jdkNonFair} adds the non-fair one), all with {@value #PERMITS} permits.
 *
 * <ul>
 *   <li>{@code uncontended}: one thread, a permit is always free (the lock-free fast path);</li>
 *   <li>{@code contended}: four threads on the {@value #PERMITS} permits; an acquire that has to
 *       wait is joined ({@code join()} / {@code acquireUninterruptibly()}), so this measures FIFO
 *       hand-off including the park/unpark of the waiting thread. Sampled
 *       ({@link Mode#SampleTime}), so the report shows p50 and p99 next to the mean.</li>
 * </ul>
 *
 * <p>An acquire that queues without a second thread is in {@link SemaphorePendingBenchmark}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar sync.SemaphoreBenchmark -f 1 -wi 2 -i 3 -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class SemaphoreBenchmark {

    static final int PERMITS = 2;

    /** The semaphore under test. */
    @Param({"asyncPatterns", "asyncutilFair", "jdkFair"})
    public String impl;

    private SemaphoreUnderTest semaphore;

    @Setup
    public void setUp() {
        semaphore = SemaphoreUnderTest.of(impl, PERMITS);
    }

    /** One thread: acquire + release with a permit always free. */
    @Benchmark
    @Threads(1)
    public void uncontended() {
        semaphore.acquireRelease();
    }

    /** Four threads sharing two permits: acquire (waiting if needed) + release. */
    @Benchmark
    @Threads(4)
    @BenchmarkMode(Mode.SampleTime)
    public void contended() {
        semaphore.acquireRelease();
    }

    /** One semaphore implementation behind one acquire + release. */
    interface SemaphoreUnderTest {

        /** Acquires one permit (waiting if needed) and releases it. */
        void acquireRelease();

        static SemaphoreUnderTest of(String impl, int permits) {
            return switch (impl) {
                case "asyncPatterns" -> {
                    AsyncSemaphore s = new AsyncSemaphore(permits);
                    yield () -> {
                        s.acquire().join();
                        s.release();
                    };
                }
                case "asyncutilFair" -> {
                    FairAsyncSemaphore s = new FairAsyncSemaphore(permits);
                    yield () -> {
                        s.acquire(1).toCompletableFuture().join();
                        s.release(1);
                    };
                }
                case "jdkFair", "jdkNonFair" -> {
                    Semaphore s = new Semaphore(permits, impl.equals("jdkFair"));
                    yield () -> {
                        s.acquireUninterruptibly();
                        s.release();
                    };
                }
                default -> throw new IllegalArgumentException("impl: " + impl);
            };
        }
    }
}
