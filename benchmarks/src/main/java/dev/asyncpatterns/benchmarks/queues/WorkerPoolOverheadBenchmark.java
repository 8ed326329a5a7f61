package dev.asyncpatterns.benchmarks.queues;

import dev.asyncpatterns.core.pool.WorkerPool;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Overhead per job of a {@link WorkerPool} against a plain {@link ThreadPoolExecutor} set up the
 * same way: the same number of workers, the same kind of threads, the same bounded queue capacity
 * ({@value #JOBS}, so submissions never wait for room), the same job. Submit {@value #JOBS}
 * trivial jobs (the handler returns its input) and wait for every result. Time per job, so lower
 * is better; the jobs do no work, so the figure is pure hand-off cost (queue, wake-up, future
 * completion).
 *
 * <ul>
 *   <li>{@code workerPool}: {@code WorkerPool.builder(CompletableFuture::completedFuture)} with
 *       {@code threadFactory} of the {@code threads} kind;</li>
 *   <li>{@code threadPoolExecutor}: {@code workers} threads of that kind over a
 *       {@code LinkedBlockingQueue} of the same capacity, {@code submit(Callable)}.</li>
 * </ul>
 *
 * <p>{@code threads}: {@code virtual} is the pool's default; {@code platform} is the executor's.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar WorkerPoolOverhead -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WorkerPoolOverheadBenchmark {

    static final int JOBS = 10_000;

    /** The pool implementation under test. */
    @Param({"workerPool", "threadPoolExecutor"})
    public String impl;

    /** Number of workers. */
    @Param({"1", "4"})
    public int workers;

    /** The kind of worker thread, the same for both: {@code virtual} or {@code platform}. */
    @Param({"virtual", "platform"})
    public String threads;

    private WorkerPool<Integer, Integer> pool;
    private ThreadPoolExecutor executor;
    private final Integer[] boxes = new Integer[JOBS];

    /** Starts the pool under test. */
    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < JOBS; i++) {
            boxes[i] = i;
        }
        ThreadFactory factory = switch (threads) {
            case "virtual" -> Thread.ofVirtual().name("bench-worker-", 0).factory();
            case "platform" ->
                Thread.ofPlatform().daemon().name("bench-worker-", 0).factory();
            default -> throw new IllegalArgumentException("threads: " + threads);
        };
        if (impl.equals("workerPool")) {
            pool = WorkerPool.<Integer, Integer>builder(CompletableFuture::completedFuture)
                    .workers(workers)
                    .queueCapacity(JOBS)
                    .threadFactory(factory)
                    .name("bench")
                    .build();
        } else {
            executor = new ThreadPoolExecutor(
                    workers, workers, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(JOBS), factory);
            executor.prestartAllCoreThreads();
        }
    }

    /** Stops it. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /**
     * Submits {@value #JOBS} jobs and waits for all results.
     *
     * @return a checksum
     * @throws Exception if a job failed
     */
    @Benchmark
    @OperationsPerInvocation(JOBS)
    @SuppressWarnings("unchecked")
    public long submitAndAwait() throws Exception {
        long sum = 0;
        if (pool != null) {
            CompletableFuture<Integer>[] results = new CompletableFuture[JOBS];
            for (int i = 0; i < JOBS; i++) {
                results[i] = pool.submit(boxes[i]);
            }
            for (CompletableFuture<Integer> r : results) {
                sum += r.join();
            }
        } else {
            Future<Integer>[] results = new Future[JOBS];
            for (int i = 0; i < JOBS; i++) {
                Integer box = boxes[i];
                results[i] = executor.submit(() -> box);
            }
            for (Future<Integer> r : results) {
                try {
                    sum += r.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return sum;
    }
}
