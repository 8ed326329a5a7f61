package dev.asyncpatterns.console;

import dev.asyncpatterns.core.pool.AsyncPool;
import dev.asyncpatterns.core.pool.WorkerPool;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.supervision.Supervisor;
import dev.asyncpatterns.core.sync.AsyncRateLimiter;
import dev.asyncpatterns.core.sync.AsyncSemaphore;
import java.util.Objects;

/**
 * Console panels for core components, read from their {@code stats()} snapshots once per refresh.
 * Each panel is named after its component.
 *
 * {@snippet class=dev.asyncpatterns.console.ConsoleSnippets region=coreViews}
 *
 * @since 0.1.0
 */
public final class CoreViews {

    private CoreViews() {}

    /**
     * A queue: depth against capacity, waiting putters and takers, items put and taken.
     *
     * @param queue the queue
     * @return its panel
     * @throws NullPointerException if {@code queue} is null
     */
    public static Panel queue(AsyncQueue<?> queue) {
        Objects.requireNonNull(queue, "queue");
        return Panel.of(queue.name(), "queue", () -> {
            var s = queue.stats();
            return Panel.Reading.of(
                    s.closed() ? "CLOSED" : "",
                    Figure.gauge("depth", s.depth()),
                    Figure.gauge("capacity", s.capacity()),
                    Figure.ratio("fill", s.capacity() == 0 ? Double.NaN : (double) s.depth() / s.capacity()),
                    Figure.gauge("put waiters", s.putWaiters()),
                    Figure.gauge("take waiters", s.takeWaiters()),
                    Figure.counter("put", (double) s.put()),
                    Figure.counter("taken", (double) s.taken()),
                    Figure.counter("dropped", (double) s.dropped()));
        });
    }

    /**
     * A worker pool: utilisation (jobs in flight per worker), its queue, and its outcomes.
     *
     * @param pool the worker pool
     * @return its panel
     * @throws NullPointerException if {@code pool} is null
     */
    public static Panel workerPool(WorkerPool<?, ?> pool) {
        Objects.requireNonNull(pool, "pool");
        return Panel.of(pool.name(), "workers", () -> {
            var s = pool.stats();
            return Panel.Reading.of(
                    s.shutdown() ? "SHUTDOWN" : "RUNNING",
                    Figure.ratio(
                            "utilisation",
                            s.workers() == 0 ? Double.NaN : Math.min(1.0, (double) s.inFlight() / s.workers())),
                    Figure.gauge("in flight", s.inFlight()),
                    Figure.gauge("queued", s.depth()),
                    Figure.counter("submitted", (double) s.submitted()),
                    Figure.counter("succeeded", (double) s.succeeded()),
                    Figure.counter("failed", (double) s.failed()),
                    Figure.counter("cancelled", (double) s.cancelled()),
                    Figure.counter("rejected", (double) s.rejected()));
        });
    }

    /**
     * A semaphore: free permits, waiters, and how often callers had to wait or gave up.
     *
     * @param semaphore the semaphore
     * @return its panel
     * @throws NullPointerException if {@code semaphore} is null
     */
    public static Panel semaphore(AsyncSemaphore semaphore) {
        Objects.requireNonNull(semaphore, "semaphore");
        return Panel.of(semaphore.name(), "semaphore", () -> {
            var s = semaphore.stats();
            return Panel.Reading.of(
                    "",
                    Figure.gauge("available", s.available()),
                    Figure.gauge("waiters", s.waiters()),
                    Figure.counter("waited", (double) s.waited()),
                    Figure.counter("timed out", (double) s.timedOut()),
                    Figure.counter("cancelled", (double) s.cancelled()));
        });
    }

    /**
     * A rate limiter: tokens available, waiters, and waits, time-outs and rejections.
     *
     * @param limiter the rate limiter
     * @return its panel
     * @throws NullPointerException if {@code limiter} is null
     */
    public static Panel rateLimiter(AsyncRateLimiter limiter) {
        Objects.requireNonNull(limiter, "limiter");
        return Panel.of(limiter.name(), "rate-limiter", () -> {
            var s = limiter.stats();
            return Panel.Reading.of(
                    s.closed() ? "CLOSED" : "",
                    Figure.gauge("available", s.available()),
                    Figure.gauge("waiters", (double) s.waiters()),
                    Figure.counter("waited", (double) s.waited()),
                    Figure.counter("timed out", (double) s.timedOut()),
                    Figure.counter("rejected", (double) s.rejected()));
        });
    }

    /**
     * An object pool: borrowed and idle objects, waiters, creations and failures.
     *
     * @param pool the pool
     * @return its panel
     * @throws NullPointerException if {@code pool} is null
     */
    public static Panel pool(AsyncPool<?> pool) {
        Objects.requireNonNull(pool, "pool");
        return Panel.of(pool.name(), "pool", () -> {
            var s = pool.stats();
            return Panel.Reading.of(
                    s.closed() ? "CLOSED" : "",
                    Figure.gauge("borrowed", s.borrowed()),
                    Figure.gauge("idle", s.idle()),
                    Figure.gauge("capacity", s.capacity()),
                    Figure.gauge("waiters", (double) s.waiters()),
                    Figure.counter("acquired", (double) s.acquired()),
                    Figure.counter("created", (double) s.created()),
                    Figure.counter("create failures", (double) s.createFailures()),
                    Figure.counter("timed out", (double) s.timedOut()));
        });
    }

    /**
     * A supervisor: children running and restarting, restarts, and whether it gave up.
     *
     * @param supervisor the supervisor
     * @return its panel
     * @throws NullPointerException if {@code supervisor} is null
     */
    public static Panel supervisor(Supervisor supervisor) {
        Objects.requireNonNull(supervisor, "supervisor");
        return Panel.of(supervisor.name(), "supervisor", () -> {
            var s = supervisor.stats();
            return Panel.Reading.of(
                    s.gaveUp() > 0 ? "GAVE_UP" : s.active() ? "RUNNING" : "STOPPED",
                    Figure.gauge("children", s.children()),
                    Figure.gauge("running", s.running()),
                    Figure.gauge("restarting", (double) s.restarting()),
                    Figure.counter("restarts", (double) s.restarts()),
                    Figure.counter("failed", (double) s.failed()));
        });
    }
}
