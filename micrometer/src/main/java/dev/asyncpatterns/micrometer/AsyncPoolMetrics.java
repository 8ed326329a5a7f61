package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.core.pool.AsyncPool;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds an {@link AsyncPool} to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the pool weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.pool.size}</td><td>gauge</td><td>{@code Stats.size}</td></tr>
 *     <tr><td>{@code asyncpatterns.pool.idle}</td><td>gauge</td><td>{@code Stats.idle}</td></tr>
 *     <tr><td>{@code asyncpatterns.pool.borrowed}</td><td>gauge</td><td>{@code Stats.borrowed}</td></tr>
 *     <tr><td>{@code asyncpatterns.pool.capacity}</td><td>gauge</td><td>{@code Stats.capacity}</td></tr>
 *     <tr><td>{@code asyncpatterns.pool.waiters}</td><td>gauge</td><td>{@code Stats.waiters}</td></tr>
 *     <tr><td>{@code asyncpatterns.pool.acquisitions}</td><td>function counter</td><td>{@code Stats.acquired}</td></tr>
 *     <tr><td>{@code asyncpatterns.pool.creations{result=succeeded}}</td><td>function counter</td><td>{@code Stats.created}</td></tr>
 *     <tr><td>{@code asyncpatterns.pool.creations{result=failed}}</td><td>function counter</td><td>{@code Stats.createFailures}</td></tr>
 *     <tr><td>{@code asyncpatterns.pool.destructions}</td><td>function counter</td><td>{@code Stats.destroyed}</td></tr>
 *     <tr><td>{@code asyncpatterns.pool.timeouts}</td><td>function counter</td><td>{@code Stats.timedOut}</td></tr>
 *     <tr><td>{@code asyncpatterns.pool.cancellations}</td><td>function counter</td><td>{@code Stats.cancelled}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=pool}
 *
 * @since 0.1.0
 */
public final class AsyncPoolMetrics extends ComponentMetrics<AsyncPool<?>> {

    /**
     * A binder for {@code pool}.
     *
     * @param pool the pool
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public AsyncPoolMetrics(AsyncPool<?> pool, Iterable<Tag> tags) {
        super(pool, "pool", c -> c.name(), tags);
    }

    /**
     * Binds {@code pool} to {@code registry}.
     *
     * @param <T> the pool's type
     * @param registry the registry
     * @param pool the pool
     * @param tags extra tags as key/value pairs
     * @return {@code pool}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends AsyncPool<?>> T monitor(MeterRegistry registry, T pool, String... tags) {
        new AsyncPoolMetrics(pool, Tags.of(tags)).bindTo(registry);
        return pool;
    }

    @Override
    void bind(Meters<AsyncPool<?>> meters) {
        meters.gauge("size", "objects", "live objects now", c -> c.stats().size())
                .gauge("idle", "objects", "idle objects now", c -> c.stats().idle())
                .gauge(
                        "borrowed",
                        "objects",
                        "objects lent out now",
                        c -> c.stats().borrowed())
                .gauge(
                        "capacity",
                        "objects",
                        "the most objects alive at once",
                        c -> c.stats().capacity())
                .gauge(
                        "waiters",
                        "waiters",
                        "acquires waiting now",
                        c -> c.stats().waiters())
                .counter("acquisitions", null, "objects lent", c -> c.stats().acquired())
                .counter(
                        "creations",
                        null,
                        "factory calls that succeeded",
                        c -> c.stats().created(),
                        "result",
                        "succeeded")
                .counter(
                        "creations",
                        null,
                        "factory calls that failed",
                        c -> c.stats().createFailures(),
                        "result",
                        "failed")
                .counter(
                        "destructions",
                        null,
                        "objects destroyed",
                        c -> c.stats().destroyed())
                .counter(
                        "timeouts",
                        null,
                        "acquires that timed out",
                        c -> c.stats().timedOut())
                .counter(
                        "cancellations",
                        null,
                        "acquires cancelled",
                        c -> c.stats().cancelled());
    }
}
