package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.resilience.RetryQueue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds a {@link RetryQueue} to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the retry queue weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.retryqueue.pending}</td><td>gauge</td><td>{@code Stats.pending}</td></tr>
 *     <tr><td>{@code asyncpatterns.retryqueue.in.flight}</td><td>gauge</td><td>{@code Stats.inFlight}</td></tr>
 *     <tr><td>{@code asyncpatterns.retryqueue.dead}</td><td>gauge</td><td>{@code Stats.dead}</td></tr>
 *     <tr><td>{@code asyncpatterns.retryqueue.submissions}</td><td>function counter</td><td>{@code Stats.submitted}</td></tr>
 *     <tr><td>{@code asyncpatterns.retryqueue.attempts}</td><td>function counter</td><td>{@code Stats.attempts}</td></tr>
 *     <tr><td>{@code asyncpatterns.retryqueue.jobs{result=succeeded}}</td><td>function counter</td><td>{@code Stats.succeeded}</td></tr>
 *     <tr><td>{@code asyncpatterns.retryqueue.jobs{result=dead_lettered}}</td><td>function counter</td><td>{@code Stats.deadLettered}</td></tr>
 *     <tr><td>{@code asyncpatterns.retryqueue.retries}</td><td>function counter</td><td>{@code Stats.retried}</td></tr>
 *     <tr><td>{@code asyncpatterns.retryqueue.replays}</td><td>function counter</td><td>{@code Stats.replayed}</td></tr>
 *     <tr><td>{@code asyncpatterns.retryqueue.purges}</td><td>function counter</td><td>{@code Stats.purged}</td></tr>
 *     <tr><td>{@code asyncpatterns.retryqueue.store.failures}</td><td>function counter</td><td>{@code Stats.storeFailures}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=retryQueue}
 *
 * @since 0.1.0
 */
public final class RetryQueueMetrics extends ComponentMetrics<RetryQueue<?>> {

    /**
     * A binder for {@code queue}.
     *
     * @param queue the retry queue
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public RetryQueueMetrics(RetryQueue<?> queue, Iterable<Tag> tags) {
        super(queue, "retryqueue", c -> c.name(), tags);
    }

    /**
     * Binds {@code queue} to {@code registry}.
     *
     * @param <T> the retry queue's type
     * @param registry the registry
     * @param queue the retry queue
     * @param tags extra tags as key/value pairs
     * @return {@code queue}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends RetryQueue<?>> T monitor(MeterRegistry registry, T queue, String... tags) {
        new RetryQueueMetrics(queue, Tags.of(tags)).bindTo(registry);
        return queue;
    }

    @Override
    void bind(Meters<RetryQueue<?>> meters) {
        meters.gauge(
                        "pending",
                        "jobs",
                        "jobs waiting in the store",
                        c -> c.stats().pending())
                .gauge(
                        "in.flight",
                        "jobs",
                        "jobs being attempted",
                        c -> c.stats().inFlight())
                .gauge(
                        "dead",
                        "jobs",
                        "dead letters in the store",
                        c -> c.stats().dead())
                .counter(
                        "submissions",
                        null,
                        "jobs acknowledged by submit",
                        c -> c.stats().submitted())
                .counter("attempts", null, "attempts started", c -> c.stats().attempts())
                .counter("jobs", null, "jobs that succeeded", c -> c.stats().succeeded(), "result", "succeeded")
                .counter(
                        "jobs",
                        null,
                        "jobs moved to the dead letters",
                        c -> c.stats().deadLettered(),
                        "result",
                        "dead_lettered")
                .counter(
                        "retries",
                        null,
                        "failed attempts scheduled again",
                        c -> c.stats().retried())
                .counter(
                        "replays", null, "dead letters replayed", c -> c.stats().replayed())
                .counter("purges", null, "dead letters purged", c -> c.stats().purged())
                .counter(
                        "store.failures",
                        null,
                        "store operations that failed",
                        c -> c.stats().storeFailures());
    }
}
