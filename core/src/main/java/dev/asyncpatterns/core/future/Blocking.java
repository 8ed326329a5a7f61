package dev.asyncpatterns.core.future;

import dev.asyncpatterns.core.internal.TaskFuture;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/*
 * Maintainer's note.
 *
 * call(): a TaskFuture on a new virtual thread (Tasks.start). cpu(): a TaskFuture on one shared
 * ThreadPoolExecutor of daemon platform threads, one per core, with a bounded ArrayBlockingQueue.
 * A full queue rejects: the future fails with RejectedExecutionException (never blocks the
 * caller, never grows without bound). A task cancelled while queued removes itself from the
 * queue at once (TaskFuture's cancelled-before-start hook), so cancelled work frees its slot.
 */
/**
 * Bridges from asynchronous code to code that blocks or burns CPU, like {@code asyncio.to_thread}
 * and {@code run_in_executor}. Both return at once with a really cancellable future:
 * {@code cancel(true)} interrupts the running task, and a task cancelled before it starts never
 * runs.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.TasksSnippets region=blocking}
 *
 * @since 0.1.0
 */
public final class Blocking {

    /** How many tasks may wait in the CPU pool's queue per core before it rejects. */
    public static final int CPU_QUEUE_CAPACITY_PER_CORE = 1024;

    private Blocking() {}

    /**
     * Runs blocking code (I/O, locks, sleeps, legacy clients) on a new virtual thread.
     * Cancellation interrupts it; memory effects as for {@link Tasks#start(Callable)}.
     *
     * @param <T> the result type
     * @param task the blocking code
     * @return a future of its result or exception
     * @throws NullPointerException if {@code task} is null
     */
    public static <T> CompletableFuture<T> call(Callable<? extends T> task) {
        return Tasks.start(task);
    }

    /**
     * Runs blocking code without a result on a new virtual thread.
     *
     * @param task the blocking code
     * @return a future completed with {@code null} or the task's exception
     * @throws NullPointerException if {@code task} is null
     */
    public static CompletableFuture<Void> run(Runnable task) {
        return Tasks.run(task);
    }

    /**
     * Runs CPU-bound code on the shared CPU pool: {@link #cpuParallelism()} platform threads and a
     * queue of {@link #CPU_QUEUE_CAPACITY_PER_CORE} tasks per thread. Do not block in it (use
     * {@link #call(Callable)} for that). When the queue is full, the returned future fails with a
     * {@link RejectedExecutionException} at once. A loop that should stop on cancellation checks
     * {@link Thread#interrupted()}.
     *
     * @param <T> the result type
     * @param task the CPU-bound code
     * @return a future of its result or exception
     * @throws NullPointerException if {@code task} is null
     */
    public static <T> CompletableFuture<T> cpu(Callable<? extends T> task) {
        Objects.requireNonNull(task, "task");
        ThreadPoolExecutor pool = CpuPool.POOL;
        TaskFuture<T> future = new TaskFuture<>(task) {
            @Override
            protected void onCancelledBeforeStart() {
                pool.remove(this); // cancelled while queued: free its slot in the queue now
            }
        };
        return future.startOn(pool);
    }

    /**
     * How many threads the CPU pool has: the number of available processors.
     *
     * @return the CPU pool's parallelism
     */
    public static int cpuParallelism() {
        return CpuPool.POOL.getMaximumPoolSize();
    }

    /**
     * How many tasks wait in the CPU pool's queue right now (not counting running ones).
     *
     * @return the queue depth
     */
    public static int cpuQueueDepth() {
        return CpuPool.POOL.getQueue().size();
    }

    private static final class CpuPool {
        static final ThreadPoolExecutor POOL = create();

        private static ThreadPoolExecutor create() {
            int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
            int capacity = cores * CPU_QUEUE_CAPACITY_PER_CORE;
            // threads never inherit InheritableThreadLocals from whichever caller started them
            ThreadFactory threads = Thread.ofPlatform()
                    .daemon()
                    .name("async-patterns-cpu-", 1)
                    .inheritInheritableThreadLocals(false)
                    .factory();
            return new ThreadPoolExecutor(
                    cores,
                    cores,
                    0,
                    TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(capacity),
                    threads,
                    (runnable, executor) -> {
                        throw new RejectedExecutionException("Blocking.cpu queue is full (" + capacity
                                + " tasks waiting for " + cores + " threads)");
                    });
        }
    }
}
