package dev.asyncpatterns.core.future;

import dev.asyncpatterns.core.internal.TaskFuture;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * Starts tasks whose futures can really be cancelled: {@code cancel(true)} on the returned future
 * interrupts the thread running the task, which plain {@link CompletableFuture#supplyAsync} and
 * {@code cancel} do not do. Use it for blocking I/O and for CPU loops that check
 * {@link Thread#interrupted()}.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.TasksSnippets region=tasksStart}
 *
 * <p>The returned future completes with exactly the task's result or exception. Its dependents
 * ({@code thenApply}...) are plain {@code CompletableFuture}s.
 *
 * <p>Context: the task runs with the request context of the thread that started it (SLF4J MDC,
 * and io.micrometer:context-propagation thread locals when that library is present), and the
 * thread running it gets its own context back afterwards. Threads started here inherit no
 * {@code InheritableThreadLocal}s.
 *
 * @since 0.1.0
 */
public final class Tasks {

    private static final ThreadFactory VIRTUAL = Thread.ofVirtual()
            .name("async-patterns-task")
            .inheritInheritableThreadLocals(false)
            .factory();
    private static final Executor VIRTUAL_EXECUTOR = new Executor() {
        @Override
        public void execute(Runnable task) {
            VIRTUAL.newThread(Objects.requireNonNull(task, "task")).start();
        }

        @Override
        public String toString() {
            return "Tasks.virtualThreads()";
        }
    };

    private Tasks() {}

    /**
     * The default executor of the toolkit: each task runs on a new virtual thread.
     *
     * @return an executor starting one virtual thread per task
     */
    public static Executor virtualThreads() {
        return VIRTUAL_EXECUTOR;
    }

    /**
     * Runs {@code task} on a new virtual thread. Never blocks.
     *
     * <p>Cancellation: {@code cancel(true)} on the returned future cancels it at once and
     * interrupts the task's thread if the task is running; {@code cancel(false)} does not
     * interrupt. A task cancelled before it started never runs.
     *
     * <p>Memory effects: actions before {@code start} happen-before the task runs; the task's
     * actions happen-before the future's dependents run.
     *
     * @param <T> the result type
     * @param task the task
     * @return a future completed with the task's result or exception
     * @throws NullPointerException if {@code task} is null
     */
    public static <T> CompletableFuture<T> start(Callable<? extends T> task) {
        return start(task, VIRTUAL_EXECUTOR);
    }

    /**
     * Runs {@code task} on {@code executor}. Never blocks. If the executor rejects the task, the
     * returned future fails with the executor's exception (nothing is thrown). Cancellation and
     * memory effects as for {@link #start(Callable)}; the interrupt is cleared before a pooled
     * thread returns to its pool.
     *
     * @param <T> the result type
     * @param task the task
     * @param executor where to run it
     * @return a future completed with the task's result or exception
     * @throws NullPointerException if an argument is null
     */
    public static <T> CompletableFuture<T> start(Callable<? extends T> task, Executor executor) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(executor, "executor");
        return new TaskFuture<T>(task).startOn(executor);
    }

    /**
     * Runs {@code task} on a new virtual thread; as {@link #start(Callable)} for a task without
     * a result.
     *
     * @param task the task
     * @return a future completed with {@code null} or the task's exception
     * @throws NullPointerException if {@code task} is null
     */
    public static CompletableFuture<Void> run(Runnable task) {
        return run(task, VIRTUAL_EXECUTOR);
    }

    /**
     * Runs {@code task} on {@code executor}; as {@link #start(Callable, Executor)} for a task
     * without a result.
     *
     * @param task the task
     * @param executor where to run it
     * @return a future completed with {@code null} or the task's exception
     * @throws NullPointerException if an argument is null
     */
    public static CompletableFuture<Void> run(Runnable task, Executor executor) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(executor, "executor");
        return new TaskFuture<Void>(() -> {
                    task.run();
                    return null;
                })
                .startOn(executor);
    }
}
