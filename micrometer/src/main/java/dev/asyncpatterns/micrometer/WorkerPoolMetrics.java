package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.core.pool.WorkerPool;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds a {@link WorkerPool} to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the worker pool weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.workerpool.workers}</td><td>gauge</td><td>{@code Stats.workers}</td></tr>
 *     <tr><td>{@code asyncpatterns.workerpool.depth}</td><td>gauge</td><td>{@code Stats.depth}</td></tr>
 *     <tr><td>{@code asyncpatterns.workerpool.capacity}</td><td>gauge</td><td>{@code Stats.capacity}</td></tr>
 *     <tr><td>{@code asyncpatterns.workerpool.in.flight}</td><td>gauge</td><td>{@code Stats.inFlight}</td></tr>
 *     <tr><td>{@code asyncpatterns.workerpool.submissions}</td><td>function counter</td><td>{@code Stats.submitted}</td></tr>
 *     <tr><td>{@code asyncpatterns.workerpool.rejections}</td><td>function counter</td><td>{@code Stats.rejected}</td></tr>
 *     <tr><td>{@code asyncpatterns.workerpool.jobs{result=succeeded}}</td><td>function counter</td><td>{@code Stats.succeeded}</td></tr>
 *     <tr><td>{@code asyncpatterns.workerpool.jobs{result=failed}}</td><td>function counter</td><td>{@code Stats.failed}</td></tr>
 *     <tr><td>{@code asyncpatterns.workerpool.jobs{result=cancelled}}</td><td>function counter</td><td>{@code Stats.cancelled}</td></tr>
 *     <tr><td>{@code asyncpatterns.workerpool.busy}</td><td>function counter (seconds)</td><td>{@code Stats.busyTime}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=workerPool}
 *
 * @since 0.1.0
 */
public final class WorkerPoolMetrics extends ComponentMetrics<WorkerPool<?, ?>> {

    /**
     * A binder for {@code pool}.
     *
     * @param pool the worker pool
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public WorkerPoolMetrics(WorkerPool<?, ?> pool, Iterable<Tag> tags) {
        super(pool, "workerpool", c -> c.name(), tags);
    }

    /**
     * Binds {@code pool} to {@code registry}.
     *
     * @param <T> the worker pool's type
     * @param registry the registry
     * @param pool the worker pool
     * @param tags extra tags as key/value pairs
     * @return {@code pool}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends WorkerPool<?, ?>> T monitor(MeterRegistry registry, T pool, String... tags) {
        new WorkerPoolMetrics(pool, Tags.of(tags)).bindTo(registry);
        return pool;
    }

    @Override
    void bind(Meters<WorkerPool<?, ?>> meters) {
        meters.gauge(
                        "workers",
                        "workers",
                        "the number of workers",
                        c -> c.stats().workers())
                .gauge(
                        "depth",
                        "jobs",
                        "jobs queued, not started",
                        c -> c.stats().depth())
                .gauge("capacity", "jobs", "the queue bound", c -> c.stats().capacity())
                .gauge("in.flight", "jobs", "jobs running now", c -> c.stats().inFlight())
                .counter("submissions", null, "jobs accepted", c -> c.stats().submitted())
                .counter(
                        "rejections",
                        null,
                        "jobs refused by trySubmit (queue full)",
                        c -> c.stats().rejected())
                .counter(
                        "jobs",
                        null,
                        "jobs whose handler succeeded",
                        c -> c.stats().succeeded(),
                        "result",
                        "succeeded")
                .counter(
                        "jobs",
                        null,
                        "jobs whose handler failed",
                        c -> c.stats().failed(),
                        "result",
                        "failed")
                .counter("jobs", null, "jobs cancelled", c -> c.stats().cancelled(), "result", "cancelled")
                .seconds(
                        "busy",
                        "time spent running handlers, all workers",
                        c -> c.stats().busyTime().toNanos());
    }
}
