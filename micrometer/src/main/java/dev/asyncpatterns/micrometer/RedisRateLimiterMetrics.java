package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.redis.RedisRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds a {@link RedisRateLimiter} to a Micrometer registry: the meters below, tagged
 * {@code name} = the limiter's name (its bucket's key) plus the given tags. Holds the limiter
 * weakly: binding never keeps it alive. The figures are this process's view of the shared bucket,
 * as {@link RedisRateLimiter#stats()}.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.redis.ratelimiter.waiters}</td><td>gauge</td><td>{@code Stats.waiters}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.ratelimiter.grants}</td><td>function counter</td><td>{@code Stats.granted}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.ratelimiter.script.calls}</td><td>function counter</td><td>{@code Stats.scriptCalls}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.ratelimiter.waits}</td><td>function counter</td><td>{@code Stats.waited}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.ratelimiter.refunds}</td><td>function counter</td><td>{@code Stats.refunded}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.ratelimiter.failures}</td><td>function counter</td><td>{@code Stats.failed}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.ratelimiter.timeouts}</td><td>function counter</td><td>{@code Stats.timedOut}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.ratelimiter.rejections}</td><td>function counter</td><td>{@code Stats.rejected}</td></tr>
 *     <tr><td>{@code asyncpatterns.redis.ratelimiter.circuit.state{state=closed|open|half_open}}</td><td>gauge (1 for the current state)</td><td>{@code Stats.circuitState}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.RedisMetricsTest region=rateLimiter}
 *
 * @since 0.1.0
 */
public final class RedisRateLimiterMetrics extends ComponentMetrics<RedisRateLimiter> {

    /**
     * A binder for {@code limiter}.
     *
     * @param limiter the limiter
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public RedisRateLimiterMetrics(RedisRateLimiter limiter, Iterable<Tag> tags) {
        super(limiter, "redis.ratelimiter", c -> c.name(), tags);
    }

    /**
     * Binds {@code limiter} to {@code registry}.
     *
     * @param <T> the limiter's type
     * @param registry the registry
     * @param limiter the limiter
     * @param tags extra tags as key/value pairs
     * @return {@code limiter}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends RedisRateLimiter> T monitor(MeterRegistry registry, T limiter, String... tags) {
        new RedisRateLimiterMetrics(limiter, Tags.of(tags)).bindTo(registry);
        return limiter;
    }

    @Override
    void bind(Meters<RedisRateLimiter> meters) {
        meters.gauge(
                        "waiters",
                        "waiters",
                        "acquire requests of this process queued now",
                        c -> c.stats().waiters())
                .counter(
                        "grants",
                        null,
                        "acquires and tries granted to this process",
                        c -> c.stats().granted())
                .counter(
                        "script.calls",
                        null,
                        "script calls sent to Redis, give-backs included",
                        c -> c.stats().scriptCalls())
                .counter(
                        "waits",
                        null,
                        "answers \"not yet\" that armed the wait timer",
                        c -> c.stats().waited())
                .counter(
                        "refunds",
                        null,
                        "grants given back because their waiter had left",
                        c -> c.stats().refunded());
        RedisCallMeters.bind(meters, "script calls", c -> {
            RedisRateLimiter.Stats s = c.stats();
            return new RedisCallMeters.Figures(s.failed(), s.timedOut(), s.rejected(), s.circuitState());
        });
    }
}
