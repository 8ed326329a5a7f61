package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.core.sync.AsyncRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds an {@link AsyncRateLimiter} to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the rate limiter weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.ratelimiter.available}</td><td>gauge</td><td>{@code Stats.available}</td></tr>
 *     <tr><td>{@code asyncpatterns.ratelimiter.burst}</td><td>gauge</td><td>{@code Stats.burst}</td></tr>
 *     <tr><td>{@code asyncpatterns.ratelimiter.waiters}</td><td>gauge</td><td>{@code Stats.waiters}</td></tr>
 *     <tr><td>{@code asyncpatterns.ratelimiter.waits}</td><td>function counter</td><td>{@code Stats.waited}</td></tr>
 *     <tr><td>{@code asyncpatterns.ratelimiter.wait.duration}</td><td>function timer</td><td>{@code Stats.granted()}, {@code Stats.waitTime}</td></tr>
 *     <tr><td>{@code asyncpatterns.ratelimiter.timeouts}</td><td>function counter</td><td>{@code Stats.timedOut}</td></tr>
 *     <tr><td>{@code asyncpatterns.ratelimiter.cancellations}</td><td>function counter</td><td>{@code Stats.cancelled}</td></tr>
 *     <tr><td>{@code asyncpatterns.ratelimiter.rejections}</td><td>function counter</td><td>{@code Stats.rejected}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=rateLimiter}
 *
 * @since 0.1.0
 */
public final class RateLimiterMetrics extends ComponentMetrics<AsyncRateLimiter> {

    /**
     * A binder for {@code limiter}.
     *
     * @param limiter the rate limiter
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public RateLimiterMetrics(AsyncRateLimiter limiter, Iterable<Tag> tags) {
        super(limiter, "ratelimiter", c -> c.name(), tags);
    }

    /**
     * Binds {@code limiter} to {@code registry}.
     *
     * @param <T> the rate limiter's type
     * @param registry the registry
     * @param limiter the rate limiter
     * @param tags extra tags as key/value pairs
     * @return {@code limiter}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends AsyncRateLimiter> T monitor(MeterRegistry registry, T limiter, String... tags) {
        new RateLimiterMetrics(limiter, Tags.of(tags)).bindTo(registry);
        return limiter;
    }

    @Override
    void bind(Meters<AsyncRateLimiter> meters) {
        meters.gauge(
                        "available",
                        "tokens",
                        "whole tokens in the bucket now",
                        c -> c.stats().available())
                .gauge("burst", "tokens", "the bucket size", c -> c.stats().burst())
                .counter(
                        "rejections",
                        null,
                        "requests refused without waiting",
                        c -> c.stats().rejected())
                .waitQueue("acquire requests", c -> {
                    AsyncRateLimiter.Stats s = c.stats();
                    return new WaitFigures(
                            s.waiters(), s.waited(), s.granted(), s.waitTime().toNanos(), s.timedOut(), s.cancelled());
                });
    }
}
