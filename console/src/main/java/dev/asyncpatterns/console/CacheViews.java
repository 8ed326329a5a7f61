package dev.asyncpatterns.console;

import dev.asyncpatterns.cache.MemoizedFunction;
import java.util.Objects;

/**
 * Console panels for the cache module (needs {@code async-patterns-cache} on the class or module
 * path).
 *
 * @since 0.1.0
 */
public final class CacheViews {

    private CacheViews() {}

    /**
     * A memoized function: hit ratio, size, hits, misses, loads and their failures.
     *
     * @param cache the memoized function
     * @return its panel, named after it
     * @throws NullPointerException if {@code cache} is null
     */
    public static Panel memoized(MemoizedFunction<?, ?> cache) {
        Objects.requireNonNull(cache, "cache");
        return Panel.of(cache.name(), "cache", () -> {
            var s = cache.stats();
            double requests = s.hits() + s.misses();
            return Panel.Reading.of(
                    "",
                    Figure.ratio("hit ratio", requests == 0 ? Double.NaN : s.hits() / requests),
                    Figure.gauge("size", (double) s.size()),
                    Figure.counter("hits", (double) s.hits()),
                    Figure.counter("misses", (double) s.misses()),
                    Figure.counter("loads", (double) s.loadSuccesses()),
                    Figure.counter("load failures", (double) s.loadFailures()),
                    Figure.counter("evictions", (double) s.evictions()));
        });
    }
}
