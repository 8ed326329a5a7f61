package dev.asyncpatterns.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.GcFinalization;
import dev.asyncpatterns.redis.RedisRateLimiter;
import dev.asyncpatterns.redis.RedisSecondLevel;
import dev.asyncpatterns.redis.RedisUnavailableException;
import dev.asyncpatterns.testkit.VirtualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Redis binders against a real redis-server: figures as the components count them. */
class RedisMetricsTest {

    private LocalRedis redis;
    private RedisClient client;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws IOException {
        redis = LocalRedis.start();
        client = redis.client();
    }

    @AfterEach
    void stop() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        redis.close();
    }

    // ---------------------------------------------------------------- RedisSecondLevel

    @Test
    void secondLevel_readsPutsAndInvalidations_areCountedUnderTheKeyPrefix() {
        // real time against a real server: a generous timeout, as a loaded CI box can stall a call
        // past the 100 ms default (the timeout metrics are tested on virtual time below)
        // @start region=secondLevel
        RedisSecondLevel<String, String> level = RedisSecondLevel.builder(client, StringCodec.UTF8)
                .keyPrefix("users:")
                .timeout(Duration.ofSeconds(10))
                .build();
        RedisSecondLevelMetrics.monitor(registry, level, "service", "users");
        // @end
        try (level) {
            level.put("a", "1", Duration.ofMinutes(1)).join();
            assertThat(level.get("a").join()).isEqualTo("1");
            assertThat(level.get("b").join()).isNull();
            assertThat(level.get("c").join()).isNull();
            level.invalidate("a").join();

            assertThat(count(registry, "asyncpatterns.redis.secondlevel.reads", "result", "hit"))
                    .isEqualTo(1);
            assertThat(count(registry, "asyncpatterns.redis.secondlevel.reads", "result", "miss"))
                    .isEqualTo(2);
            assertThat(count(registry, "asyncpatterns.redis.secondlevel.reads", "result", "corrupt"))
                    .isZero();
            assertThat(count(registry, "asyncpatterns.redis.secondlevel.puts")).isEqualTo(1);
            assertThat(count(registry, "asyncpatterns.redis.secondlevel.invalidations", "direction", "published"))
                    .isEqualTo(1);
            assertThat(count(registry, "asyncpatterns.redis.secondlevel.failures"))
                    .isZero();
            assertThat(gauge(registry, "asyncpatterns.redis.secondlevel.circuit.state", "state", "closed"))
                    .isEqualTo(1);
            assertThat(registry.get("asyncpatterns.redis.secondlevel.puts")
                            .tag("name", "users:")
                            .tag("service", "users")
                            .functionCounter())
                    .isNotNull();
        }
    }

    @Test
    void secondLevel_redisKilled_timeoutFailureRejectionAndOpenCircuitShow() {
        VirtualClock clock = VirtualClock.create();
        RedisSecondLevel<String, String> level = RedisSecondLevel.builder(client, StringCodec.UTF8)
                .keyPrefix("k:")
                .timeout(Duration.ofMillis(100))
                .circuitBreaker(1, Duration.ofMinutes(1))
                .timeSource(clock)
                .build();
        RedisSecondLevelMetrics.monitor(registry, level);
        try (level) {
            redis.kill();
            var read = level.get("a");
            clock.advance(Duration.ofMillis(100));
            assertThatThrownBy(read::join).hasCauseInstanceOf(TimeoutException.class);
            assertThatThrownBy(() -> level.get("a").join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(RedisUnavailableException.class);

            assertThat(count(registry, "asyncpatterns.redis.secondlevel.timeouts"))
                    .isEqualTo(1);
            assertThat(count(registry, "asyncpatterns.redis.secondlevel.failures"))
                    .isEqualTo(1);
            assertThat(count(registry, "asyncpatterns.redis.secondlevel.rejections"))
                    .isEqualTo(1);
            assertThat(gauge(registry, "asyncpatterns.redis.secondlevel.circuit.state", "state", "open"))
                    .isEqualTo(1);
            assertThat(gauge(registry, "asyncpatterns.redis.secondlevel.circuit.state", "state", "closed"))
                    .isZero();
        }
    }

    // ---------------------------------------------------------------- RedisRateLimiter

    @Test
    void rateLimiter_grantsWaitsAndScriptCalls_areCountedUnderTheKey() {
        VirtualClock clock = VirtualClock.create();
        // @start region=rateLimiter
        RedisRateLimiter limiter = RedisRateLimiter.builder(client, "limits:api")
                .rate(1, Duration.ofHours(1))
                .timeSource(clock)
                .build();
        RedisRateLimiterMetrics.monitor(registry, limiter, "service", "api");
        // @end
        try (limiter) {
            assertThat(limiter.tryAcquireAsync(1).join()).isTrue();
            assertThat(limiter.tryAcquireAsync(1).join()).isFalse();
            var waiting = limiter.acquire(1);
            // the answer "not yet" comes back from the server: a genuinely concurrent wait
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> limiter.stats().waited() == 1);

            assertThat(gauge(registry, "asyncpatterns.redis.ratelimiter.waiters"))
                    .isEqualTo(1);
            assertThat(count(registry, "asyncpatterns.redis.ratelimiter.grants"))
                    .isEqualTo(1);
            assertThat(count(registry, "asyncpatterns.redis.ratelimiter.script.calls"))
                    .isEqualTo(3);
            assertThat(count(registry, "asyncpatterns.redis.ratelimiter.waits")).isEqualTo(1);
            assertThat(count(registry, "asyncpatterns.redis.ratelimiter.refunds"))
                    .isZero();
            assertThat(count(registry, "asyncpatterns.redis.ratelimiter.failures"))
                    .isZero();
            assertThat(gauge(registry, "asyncpatterns.redis.ratelimiter.circuit.state", "state", "closed"))
                    .isEqualTo(1);
            assertThat(registry.get("asyncpatterns.redis.ratelimiter.waiters")
                            .tag("name", "limits:api")
                            .tag("service", "api")
                            .gauge())
                    .isNotNull();
            waiting.cancel(true);
            assertThat(gauge(registry, "asyncpatterns.redis.ratelimiter.waiters"))
                    .isZero();
        }
    }

    @Test
    void redisBinders_componentsDropped_areCollectedAndGaugesReadNaN() {
        WeakReference<RedisRateLimiter> limiter = bindLimiterAndForget();
        WeakReference<RedisSecondLevel<String, String>> level = bindLevelAndForget();

        GcFinalization.awaitClear(limiter);
        GcFinalization.awaitClear(level);

        assertThat(gauge(registry, "asyncpatterns.redis.ratelimiter.waiters")).isNaN();
        assertThat(gauge(registry, "asyncpatterns.redis.secondlevel.circuit.state", "state", "closed"))
                .isNaN();
    }

    /** Builds, binds, closes and drops a limiter in a frame of its own, so no local keeps it. */
    private WeakReference<RedisRateLimiter> bindLimiterAndForget() {
        RedisRateLimiter limiter = RedisRateLimiter.builder(client, "weak")
                .rate(1, Duration.ofSeconds(1))
                .build();
        RedisRateLimiterMetrics.monitor(registry, limiter);
        limiter.close();
        return new WeakReference<>(limiter);
    }

    private WeakReference<RedisSecondLevel<String, String>> bindLevelAndForget() {
        RedisSecondLevel<String, String> level = RedisSecondLevel.builder(client, StringCodec.UTF8)
                .keyPrefix("weak:")
                .build();
        RedisSecondLevelMetrics.monitor(registry, level);
        level.close();
        return new WeakReference<>(level);
    }

    // ---------------------------------------------------------------- helpers

    static double count(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    static double gauge(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }
}
