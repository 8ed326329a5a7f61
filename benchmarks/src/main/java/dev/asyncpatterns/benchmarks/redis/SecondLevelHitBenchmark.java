package dev.asyncpatterns.benchmarks.redis;

import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import dev.asyncpatterns.examples.LocalRedisServer;
import dev.asyncpatterns.redis.RedisSecondLevel;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A second-level hit: one read of a value held in Redis (a 100-byte string on a local
 * redis-server), waited for, one caller at a time (the round-trip latency).
 *
 * <ul>
 *   <li>{@code lettuceGet}: raw Lettuce {@code async().get(key)} on a {@code String} connection, the peer;
 *   <li>{@code secondLevelGet}: {@code RedisSecondLevel.get(key)}: prefix, codec, circuit
 *       breaker, timeout timer on the {@code TimeSource}, decode and type check;
 *   <li>{@code cacheL1MissL2Hit}: the whole cache path: the key is dropped from this instance's
 *       Caffeine level (locally only), then {@code apply(key)} misses it, reads Redis and caches
 *       the value again.
 * </ul>
 *
 * The bar (issue 15): a second-level hit within 1.1x of the raw {@code GET}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SecondLevelHitBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@Threads(1)
public class SecondLevelHitBenchmark {

    private static final String KEY = "user-42";
    private static final String VALUE = "v".repeat(100);

    @Param({"lettuceGet", "secondLevelGet", "cacheL1MissL2Hit"})
    String impl;

    LocalRedisServer redis;
    RedisClient client;
    StatefulRedisConnection<String, String> connection;
    RedisAsyncCommands<String, String> commands;
    RedisSecondLevel<String, String> level;
    MemoizedFunction<String, String> cache;

    @Setup(Level.Trial)
    public void setUp() {
        redis = LocalRedisServer.start();
        client = RedisClient.create(redis.uri());
        connection = client.connect(StringCodec.UTF8);
        commands = connection.async();
        level = RedisSecondLevel.builder(client, StringCodec.UTF8)
                .keyPrefix("bench:l2:")
                .build();
        commands.set(KEY, VALUE).toCompletableFuture().join();
        commands.set("bench:l2:" + KEY, VALUE).toCompletableFuture().join();
        cache = AsyncCaches.builder()
                .expireAfterWrite(Duration.ofHours(1))
                .secondLevel(level)
                .memoize(key ->
                        CompletableFuture.failedFuture(new IllegalStateException("the backend must not be called")));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        level.close();
        connection.close();
        client.shutdown();
        redis.close();
    }

    @Benchmark
    public String get() {
        return switch (impl) {
            case "lettuceGet" -> commands.get(KEY).toCompletableFuture().join();
            case "secondLevelGet" -> level.get(KEY).join();
            case "cacheL1MissL2Hit" -> {
                cache.cache().synchronous().invalidate(KEY); // this instance's first level only
                yield cache.apply(KEY).join();
            }
            default -> throw new IllegalArgumentException(impl);
        };
    }
}
