package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.cache.BatchLoader;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds a {@link BatchLoader} to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the batch loader weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.batchloader.pending}</td><td>gauge</td><td>{@code Stats.pendingKeys}</td></tr>
 *     <tr><td>{@code asyncpatterns.batchloader.batch.largest}</td><td>gauge</td><td>{@code Stats.largestBatch}</td></tr>
 *     <tr><td>{@code asyncpatterns.batchloader.batches}</td><td>function counter</td><td>{@code Stats.batches}</td></tr>
 *     <tr><td>{@code asyncpatterns.batchloader.batch.failures}</td><td>function counter</td><td>{@code Stats.failedBatches}</td></tr>
 *     <tr><td>{@code asyncpatterns.batchloader.keys}</td><td>function counter</td><td>{@code Stats.keys}</td></tr>
 *     <tr><td>{@code asyncpatterns.batchloader.keys.missing}</td><td>function counter</td><td>{@code Stats.missingKeys}</td></tr>
 *     <tr><td>{@code asyncpatterns.batchloader.keys.rejected}</td><td>function counter</td><td>{@code Stats.rejectedKeys}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=batchLoader}
 *
 * @since 0.1.0
 */
public final class BatchLoaderMetrics extends ComponentMetrics<BatchLoader<?, ?>> {

    /**
     * A binder for {@code loader}.
     *
     * @param loader the batch loader
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public BatchLoaderMetrics(BatchLoader<?, ?> loader, Iterable<Tag> tags) {
        super(loader, "batchloader", c -> c.name(), tags);
    }

    /**
     * Binds {@code loader} to {@code registry}.
     *
     * @param <T> the batch loader's type
     * @param registry the registry
     * @param loader the batch loader
     * @param tags extra tags as key/value pairs
     * @return {@code loader}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends BatchLoader<?, ?>> T monitor(MeterRegistry registry, T loader, String... tags) {
        new BatchLoaderMetrics(loader, Tags.of(tags)).bindTo(registry);
        return loader;
    }

    @Override
    void bind(Meters<BatchLoader<?, ?>> meters) {
        meters.gauge(
                        "pending",
                        "keys",
                        "keys waiting for their batch now",
                        c -> c.stats().pendingKeys())
                .gauge(
                        "batch.largest",
                        "keys",
                        "the most keys sent in one call",
                        c -> c.stats().largestBatch())
                .counter("batches", null, "bulk calls made", c -> c.stats().batches())
                .counter(
                        "batch.failures",
                        null,
                        "bulk calls that failed",
                        c -> c.stats().failedBatches())
                .counter("keys", null, "keys sent", c -> c.stats().keys())
                .counter(
                        "keys.missing",
                        null,
                        "keys the bulk function left out",
                        c -> c.stats().missingKeys())
                .counter(
                        "keys.rejected",
                        null,
                        "loads refused (too many pending keys)",
                        c -> c.stats().rejectedKeys());
    }
}
