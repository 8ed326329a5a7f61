package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.core.queue.AsyncQueue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds an {@link AsyncQueue} to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the queue weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.queue.depth}</td><td>gauge</td><td>{@code Stats.depth}</td></tr>
 *     <tr><td>{@code asyncpatterns.queue.capacity}</td><td>gauge</td><td>{@code Stats.capacity}</td></tr>
 *     <tr><td>{@code asyncpatterns.queue.put.waiters}</td><td>gauge</td><td>{@code Stats.putWaiters}</td></tr>
 *     <tr><td>{@code asyncpatterns.queue.take.waiters}</td><td>gauge</td><td>{@code Stats.takeWaiters}</td></tr>
 *     <tr><td>{@code asyncpatterns.queue.unfinished}</td><td>gauge</td><td>{@code Stats.unfinished}</td></tr>
 *     <tr><td>{@code asyncpatterns.queue.puts}</td><td>function counter</td><td>{@code Stats.put}</td></tr>
 *     <tr><td>{@code asyncpatterns.queue.takes}</td><td>function counter</td><td>{@code Stats.taken}</td></tr>
 *     <tr><td>{@code asyncpatterns.queue.drops}</td><td>function counter</td><td>{@code Stats.dropped}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=queue}
 *
 * @since 0.1.0
 */
public final class QueueMetrics extends ComponentMetrics<AsyncQueue<?>> {

    /**
     * A binder for {@code queue}.
     *
     * @param queue the queue
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public QueueMetrics(AsyncQueue<?> queue, Iterable<Tag> tags) {
        super(queue, "queue", c -> c.name(), tags);
    }

    /**
     * Binds {@code queue} to {@code registry}.
     *
     * @param <T> the queue's type
     * @param registry the registry
     * @param queue the queue
     * @param tags extra tags as key/value pairs
     * @return {@code queue}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends AsyncQueue<?>> T monitor(MeterRegistry registry, T queue, String... tags) {
        new QueueMetrics(queue, Tags.of(tags)).bindTo(registry);
        return queue;
    }

    @Override
    void bind(Meters<AsyncQueue<?>> meters) {
        meters.gauge("depth", "items", "items buffered now", c -> c.stats().depth())
                .gauge(
                        "capacity",
                        "items",
                        "the bound (2^31-1 when unbounded)",
                        c -> c.stats().capacity())
                .gauge(
                        "put.waiters",
                        "waiters",
                        "producers waiting for room now",
                        c -> c.stats().putWaiters())
                .gauge(
                        "take.waiters",
                        "waiters",
                        "consumers waiting for an item now",
                        c -> c.stats().takeWaiters())
                .gauge(
                        "unfinished",
                        "items",
                        "accepted items not yet reported done",
                        c -> c.stats().unfinished())
                .counter("puts", null, "items accepted", c -> c.stats().put())
                .counter("takes", null, "items taken", c -> c.stats().taken())
                .counter(
                        "drops",
                        null,
                        "items dropped by the overflow policy or discarded",
                        c -> c.stats().dropped());
    }
}
