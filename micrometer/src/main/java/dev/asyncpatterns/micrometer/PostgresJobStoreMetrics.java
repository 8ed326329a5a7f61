package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.postgres.PostgresJobStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds a {@link PostgresJobStore} to a Micrometer registry: the jobs in its table by state, for
 * every process sharing the table, tagged {@code name} = the table's name plus the given tags.
 * Holds the store weakly: binding never keeps it alive.
 *
 * <p>The gauges read {@link PostgresJobStore#counts()}, which answers from a cache: refreshed every
 * poll interval once the store listens for work (a {@code RetryQueue} on it does), and by
 * {@link PostgresJobStore#refreshCounts()}. A scrape never queries the database.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.postgres.jobs{state=pending}}</td><td>gauge</td><td>{@code Counts.pending}</td></tr>
 *     <tr><td>{@code asyncpatterns.postgres.jobs{state=in_flight}}</td><td>gauge</td><td>{@code Counts.inFlight}</td></tr>
 *     <tr><td>{@code asyncpatterns.postgres.jobs{state=dead}}</td><td>gauge</td><td>{@code Counts.dead}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.PostgresMetricsTest region=jobStore}
 *
 * @since 0.1.0
 */
public final class PostgresJobStoreMetrics extends ComponentMetrics<PostgresJobStore<?>> {

    /**
     * A binder for {@code store}.
     *
     * @param store the job store
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public PostgresJobStoreMetrics(PostgresJobStore<?> store, Iterable<Tag> tags) {
        super(store, "postgres", c -> c.table(), tags);
    }

    /**
     * Binds {@code store} to {@code registry}.
     *
     * @param <T> the store's type
     * @param registry the registry
     * @param store the job store
     * @param tags extra tags as key/value pairs
     * @return {@code store}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends PostgresJobStore<?>> T monitor(MeterRegistry registry, T store, String... tags) {
        new PostgresJobStoreMetrics(store, Tags.of(tags)).bindTo(registry);
        return store;
    }

    @Override
    void bind(Meters<PostgresJobStore<?>> meters) {
        meters.gauge("jobs", "jobs", "jobs waiting or due", c -> c.counts().pending(), "state", "pending")
                .gauge("jobs", "jobs", "jobs being attempted", c -> c.counts().inFlight(), "state", "in_flight")
                .gauge("jobs", "jobs", "dead letters", c -> c.counts().dead(), "state", "dead");
    }
}
