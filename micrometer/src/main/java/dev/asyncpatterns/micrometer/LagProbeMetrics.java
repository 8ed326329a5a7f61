package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.core.time.LagProbe;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds a {@link LagProbe} (an executor's scheduling lag) to a Micrometer registry: the meters
 * below, tagged {@code name} = the probe's name plus the given tags. Holds the probe weakly:
 * binding never keeps it alive (a running probe is kept alive by its own ticks until it is
 * closed).
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.lag.last}</td><td>gauge (seconds)</td><td>{@code Stats.lastLag}</td></tr>
 *     <tr><td>{@code asyncpatterns.lag.max}</td><td>gauge (seconds)</td><td>{@code Stats.maxLag}</td></tr>
 *     <tr><td>{@code asyncpatterns.lag.average}</td><td>gauge (seconds)</td><td>{@code Stats.averageLag}</td></tr>
 *     <tr><td>{@code asyncpatterns.lag.starved}</td><td>gauge, 1 or 0</td><td>{@code Stats.starved}</td></tr>
 *     <tr><td>{@code asyncpatterns.lag.samples}</td><td>function counter</td><td>{@code Stats.samples}</td></tr>
 *     <tr><td>{@code asyncpatterns.lag.rejections}</td><td>function counter</td><td>{@code Stats.rejected}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=lagProbe}
 *
 * @since 0.1.0
 */
public final class LagProbeMetrics extends ComponentMetrics<LagProbe> {

    /**
     * A binder for {@code probe}.
     *
     * @param probe the probe
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public LagProbeMetrics(LagProbe probe, Iterable<Tag> tags) {
        super(probe, "lag", c -> c.name(), tags);
    }

    /**
     * Binds {@code probe} to {@code registry}.
     *
     * @param registry the registry
     * @param probe the probe
     * @param tags extra tags as key/value pairs
     * @return {@code probe}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static LagProbe monitor(MeterRegistry registry, LagProbe probe, String... tags) {
        new LagProbeMetrics(probe, Tags.of(tags)).bindTo(registry);
        return probe;
    }

    @Override
    void bind(Meters<LagProbe> meters) {
        meters.gauge(
                        "last",
                        "seconds",
                        "lag of the latest tick, or age of a tick still waiting",
                        c -> c.stats().lastLag().toNanos() / 1e9)
                .gauge(
                        "max",
                        "seconds",
                        "worst lag seen",
                        c -> c.stats().maxLag().toNanos() / 1e9)
                .gauge(
                        "average",
                        "seconds",
                        "mean lag over the ticks that ran",
                        c -> c.stats().averageLag().toNanos() / 1e9)
                .gauge(
                        "starved",
                        null,
                        "1 while the lag exceeds the threshold, else 0",
                        c -> c.stats().starved() ? 1 : 0)
                .counter("samples", null, "ticks that ran", c -> c.stats().samples())
                .counter(
                        "rejections",
                        null,
                        "ticks the executor refused",
                        c -> c.stats().rejected());
    }
}
