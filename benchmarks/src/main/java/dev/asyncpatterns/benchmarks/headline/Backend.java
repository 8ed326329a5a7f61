package dev.asyncpatterns.benchmarks.headline;

import java.util.concurrent.CompletableFuture;

/**
 * One simulated I/O dependency of a scenario (an API, a database, a file system, a web site):
 * call number {@code i} answers {@code "<kind>-i"} after the scenario's latency. Both forms hit
 * the same backend, so "sync vs async" compares only how the caller waits.
 */
public interface Backend extends AutoCloseable {

    /**
     * Starts call {@code i} and returns at once.
     *
     * @param i the call number
     * @return a future completed with the answer after the latency
     */
    CompletableFuture<String> callAsync(int i);

    /**
     * Makes call {@code i} and blocks the calling thread until the answer arrives, like a classic
     * blocking client.
     *
     * @param i the call number
     * @return the answer
     * @throws Exception if the call fails or the thread is interrupted
     */
    String call(int i) throws Exception;

    /**
     * Brings the backend's own code (an HTTP client and server) to steady state before anything
     * is measured, as in a long-running service. The latency model has nothing to warm up.
     *
     * @param concurrency how many calls the batches will have in flight at once
     */
    default void warmUp(int concurrency) {}

    /** Releases the backend's resources (server, client). */
    @Override
    void close();
}
