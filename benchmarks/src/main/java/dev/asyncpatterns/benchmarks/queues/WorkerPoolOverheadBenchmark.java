package dev.asyncpatterns.benchmarks.queues;

import dev.asyncpatterns.core.pool.WorkerPool;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * same way: the same number of workers, made by the same thread factory, the same bounded queue
 * capacity ({@value #JOBS}, so submissions never wait for room), the same job: the
 * same {@code Function} ({@link #WORK}, returns its input) applied to the same boxed input on a
 * worker. Each side hands back one future per job (ours a {@code CompletableFuture}, the
 * executor's a {@code FutureTask}), and the same code waits for all {@value #JOBS} results through
 * {@code Future.get}. Time per job, so lower is better; the jobs do no work, so the figure is pure
 * hand-off cost: submit (queue, future, on our side the context capture and stats), take, run,
 * complete.
 *
 * <ul>
 *   <li>{@code workerPool}: {@code WorkerPool.blockingBuilder(WORK)}, {@code submit(job)} (the
 *       bar's row: a synchronous function run on the worker, as the executor's);</li>
 *   <li>{@code workerPoolAsyncHandler}: {@code WorkerPool.builder(job -> completedFuture(WORK.apply(job)))},
 *       the asynchronous-handler form, which returns a stage per job that the pool then follows;
 *       shown for reference (no bar: the executor has no such form);</li>
 *   <li>{@code threadPoolExecutor}: {@code workers} core threads over a {@code LinkedBlockingQueue}
 *       of the same capacity (what {@code Executors.newFixedThreadPool} uses),
 *       {@code submit(() -> WORK.apply(job))} (its API needs a task object per job).</li>
 * </ul>
 *
 * <p><b>Noise.</b> The producer submits faster than the workers run, so the queue fills and then
 * drains; how often a worker finds it empty and parks (to be unparked by the next submit) depends
 * on how the OS schedules the producer and the workers, which on a loaded 2-core machine moves
 * either side by several times between runs. Only the ratio of the two sides within one run, over
 * several forks, means anything. The wait for the results reads the last job's future first, so the
 * waiting thread parks about once per invocation instead of once per job it catches up with (the
 * same on both sides).
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
    @Param({"workerPool", "workerPoolAsyncHandler", "threadPoolExecutor"})
    public String impl;

    /** Number of workers. */
    @Param({"1", "4"})
    public int workers;

    /** The kind of worker thread, the same for both: {@code virtual} or {@code platform}. */
    @Param({"virtual", "platform"})
    public String threads;

    /** The job both sides run: returns its input. */
    static final Function<Integer, Integer> WORK = job -> job;

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
        int capacity = JOBS;
        if (impl.equals("workerPool")) {
            pool = WorkerPool.blockingBuilder(WORK)
                    .workers(workers)
                    .queueCapacity(capacity)
                    .threadFactory(factory)
                    .name("bench")
                    .build();
        } else if (impl.equals("workerPoolAsyncHandler")) {
            pool = WorkerPool.<Integer, Integer>builder(job -> CompletableFuture.completedFuture(WORK.apply(job)))
                    .workers(workers)
                    .queueCapacity(capacity)
                    .threadFactory(factory)
                    .name("bench")
                    .build();
        } else if (impl.equals("threadPoolExecutor")) {
            executor = new ThreadPoolExecutor(
                    workers, workers, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(capacity), factory);
            executor.prestartAllCoreThreads();
        } else {
            throw new IllegalArgumentException("impl: " + impl);
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

    private Future<Integer> submit(Integer job) {
        return pool != null ? pool.submit(job) : executor.submit(() -> WORK.apply(job));
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
        Future<Integer>[] results = new Future[JOBS];
        for (int i = 0; i < JOBS; i++) {
            results[i] = submit(boxes[i]);
        }
        long sum = 0;
        try {
            sum += results[JOBS - 1].get(); // (nearly) the last to complete: one wait, not one per job
            for (Future<Integer> r : results) {
                sum += r.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        return sum;
    }
}
