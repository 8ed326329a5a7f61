package dev.asyncpatterns.benchmarks.scope;

import java.util.concurrent.Callable;

/**
 * One fork/join/close implementation measured by {@link TaskScopeForkBenchmark}: ours
 * ({@code TaskScope}) or a peer (the JDK's {@code StructuredTaskScope}, a virtual-thread-per-task
 * executor). Every implementation opens a fresh scope (or executor) per call, forks on a new
 * virtual thread per task, waits for all of them and closes, so the three run the same code path.
 */
public interface ScopeRows {

    /**
     * Forks {@code forks} copies of {@code task}, joins, closes, and returns the sum of the results.
     *
     * @param forks how many tasks to fork
     * @param task the task
     * @return the sum of the results
     * @throws Exception if a task failed or the caller was interrupted
     */
    long forkJoin(int forks, Callable<Long> task) throws Exception;

    /**
     * Forks {@code forks} tasks that block until interrupted, waits until every one has started,
     * then cancels them all (the implementation's own cancellation path) and closes, which waits
     * for every thread to finish.
     *
     * @param forks how many blocked tasks to cancel
     * @return how many tasks were started
     * @throws Exception if the caller was interrupted
     */
    long cancelBlocked(int forks) throws Exception;
}
