package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.cache.MemoizedFunction;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds a {@link MemoizedFunction} (its cache) to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the memoized function weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.cache.size}</td><td>gauge</td><td>{@code Stats.size}</td></tr>
 *     <tr><td>{@code asyncpatterns.cache.gets{result=hit}}</td><td>function counter</td><td>{@code Stats.hits}</td></tr>
 *     <tr><td>{@code asyncpatterns.cache.gets{result=miss}}</td><td>function counter</td><td>{@code Stats.misses}</td></tr>
 *     <tr><td>{@code asyncpatterns.cache.loads{result=success}}</td><td>function counter</td><td>{@code Stats.loadSuccesses}</td></tr>
 *     <tr><td>{@code asyncpatterns.cache.loads{result=failure}}</td><td>function counter</td><td>{@code Stats.loadFailures}</td></tr>
 *     <tr><td>{@code asyncpatterns.cache.load.duration}</td><td>function timer</td><td>{@code Stats.loadTime}</td></tr>
 *     <tr><td>{@code asyncpatterns.cache.evictions}</td><td>function counter</td><td>{@code Stats.evictions}</td></tr>
 *     <tr><td>{@code asyncpatterns.cache.eviction.weight}</td><td>function counter</td><td>{@code Stats.evictionWeight}</td></tr>
 *     <tr><td>{@code asyncpatterns.cache.refresh.failures}</td><td>function counter</td><td>{@code Stats.refreshFailures}</td></tr>
 *     <tr><td>{@code asyncpatterns.cache.negative.hits}</td><td>function counter</td><td>{@code Stats.negativeHits}</td></tr>
 *     <tr><td>{@code asyncpatterns.cache.abandoned.loads}</td><td>function counter</td><td>{@code Stats.abandonedLoads}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=cache}
 *
 * @since 0.1.0
 */
public final class MemoizedFunctionMetrics extends ComponentMetrics<MemoizedFunction<?, ?>> {

    /**
     * A binder for {@code function}.
     *
     * @param function the memoized function
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public MemoizedFunctionMetrics(MemoizedFunction<?, ?> function, Iterable<Tag> tags) {
        super(function, "cache", c -> c.name(), tags);
    }

    /**
     * Binds {@code function} to {@code registry}.
     *
     * @param <T> the memoized function's type
     * @param registry the registry
     * @param function the memoized function
     * @param tags extra tags as key/value pairs
     * @return {@code function}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends MemoizedFunction<?, ?>> T monitor(MeterRegistry registry, T function, String... tags) {
        new MemoizedFunctionMetrics(function, Tags.of(tags)).bindTo(registry);
        return function;
    }

    @Override
    void bind(Meters<MemoizedFunction<?, ?>> meters) {
        meters.gauge("size", "entries", "estimated entries now", c -> c.stats().size())
                .counter(
                        "gets",
                        null,
                        "requests answered from the cache (or a load in flight)",
                        c -> c.stats().hits(),
                        "result",
                        "hit")
                .counter(
                        "gets",
                        null,
                        "requests that started a load",
                        c -> c.stats().misses(),
                        "result",
                        "miss")
                .counter(
                        "loads",
                        null,
                        "loads that produced a value",
                        c -> c.stats().loadSuccesses(),
                        "result",
                        "success")
                .counter("loads", null, "loads that failed", c -> c.stats().loadFailures(), "result", "failure")
                .timer(
                        "load.duration",
                        "time spent loading (Caffeine measures it with System.nanoTime)",
                        c -> c.stats().loadSuccesses() + c.stats().loadFailures(),
                        c -> c.stats().loadTime().toNanos())
                .counter("evictions", null, "entries evicted", c -> c.stats().evictions())
                .counter(
                        "eviction.weight",
                        null,
                        "total weight of evicted entries",
                        c -> c.stats().evictionWeight())
                .counter(
                        "refresh.failures",
                        null,
                        "background refreshes that failed",
                        c -> c.stats().refreshFailures())
                .counter(
                        "negative.hits",
                        null,
                        "loads answered from the negative cache",
                        c -> c.stats().negativeHits())
                .counter(
                        "abandoned.loads",
                        null,
                        "loads cancelled because every caller left",
                        c -> c.stats().abandonedLoads());
    }
}
