package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.redis.RedisSecondLevel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds a {@link RedisSecondLevel} to a Micrometer registry: the meters below, tagged
 * {@code name} = the level's key prefix plus the given tags. Holds the level weakly: binding never
 * keeps it alive. The figures are this instance's (process's) view, as {@link RedisSecondLevel#stats()}.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.redis.secondlevel.reads{result=hit|miss|corrupt}}</td><td>function counter</td><td>{@code Stats.hits/misses/corrupt}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.secondlevel.puts}</td><td>function counter</td><td>{@code Stats.puts}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.secondlevel.invalidations{direction=published|received}}</td><td>function counter</td><td>{@code Stats.invalidationsPublished/invalidationsReceived}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.secondlevel.resyncs}</td><td>function counter</td><td>{@code Stats.resyncs}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.secondlevel.failures}</td><td>function counter</td><td>{@code Stats.failed}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.secondlevel.timeouts}</td><td>function counter</td><td>{@code Stats.timedOut}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.secondlevel.rejections}</td><td>function counter</td><td>{@code Stats.rejected}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.secondlevel.circuit.state{state=closed|open|half_open}}</td><td>gauge (1 for the current state)</td><td>{@code Stats.circuitState}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.RedisMetricsTest region=secondLevel}
 *
 * @since 0.1.0
 */
public final class RedisSecondLevelMetrics extends ComponentMetrics<RedisSecondLevel<?, ?>> {

    /**
     * A binder for {@code level}.
     *
     * @param level the second level
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public RedisSecondLevelMetrics(RedisSecondLevel<?, ?> level, Iterable<Tag> tags) {
        super(level, "redis.secondlevel", c -> c.keyPrefix(), tags);
    }

    /**
     * Binds {@code level} to {@code registry}.
     *
     * @param <T> the level's type
     * @param registry the registry
     * @param level the second level
     * @param tags extra tags as key/value pairs
     * @return {@code level}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends RedisSecondLevel<?, ?>> T monitor(MeterRegistry registry, T level, String... tags) {
        new RedisSecondLevelMetrics(level, Tags.of(tags)).bindTo(registry);
        return level;
    }

    @Override
    void bind(Meters<RedisSecondLevel<?, ?>> meters) {
        meters.counter(
                        "reads",
                        null,
                        "reads answered with a value",
                        c -> c.stats().hits(),
                        "result",
                        "hit")
                .counter(
                        "reads",
                        null,
                        "reads that found no value",
                        c -> c.stats().misses(),
                        "result",
                        "miss")
                .counter(
                        "reads",
                        null,
                        "reads that found a value that could not be decoded (answered as misses)",
                        c -> c.stats().corrupt(),
                        "result",
                        "corrupt")
                .counter("puts", null, "values written", c -> c.stats().puts())
                .counter(
                        "invalidations",
                        null,
                        "invalidations this instance removed and published",
                        c -> c.stats().invalidationsPublished(),
                        "direction",
                        "published")
                .counter(
                        "invalidations",
                        null,
                        "invalidations received from other instances",
                        c -> c.stats().invalidationsReceived(),
                        "direction",
                        "received")
                .counter(
                        "resyncs",
                        null,
                        "re-subscriptions that cleared the first level",
                        c -> c.stats().resyncs());
        RedisCallMeters.bind(meters, "calls", c -> {
            RedisSecondLevel.Stats s = c.stats();
            return new RedisCallMeters.Figures(s.failed(), s.timedOut(), s.rejected(), s.circuitState());
        });
    }
}
