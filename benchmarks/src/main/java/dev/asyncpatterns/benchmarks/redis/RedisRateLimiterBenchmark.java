package dev.asyncpatterns.benchmarks.redis;

import dev.asyncpatterns.examples.LocalRedisServer;
import dev.asyncpatterns.redis.RedisRateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * The shared limiter's cost when tokens are plentiful: acquires per second, each waited for, one
 * caller at a time, against the floor it stands on, a raw {@code EVALSHA} round trip of the same
 * token-bucket script with the same arguments.
 *
 * <ul>
 *   <li>{@code rawEvalsha}: Lettuce {@code async().evalsha(...)} of the limiter's script, the peer;
 *   <li>{@code limiterAcquire}: {@code RedisRateLimiter.acquire()} (a rate no benchmark can
 *       exhaust, so it never waits for tokens): FIFO queue, circuit breaker, timeout timer, one
 *       script call.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RedisRateLimiterBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@Threads(1)
public class RedisRateLimiterBenchmark {

    @Param({"rawEvalsha", "limiterAcquire"})
    String impl;

    LocalRedisServer redis;
    RedisClient client;
    StatefulRedisConnection<String, String> connection;
    RedisAsyncCommands<String, String> commands;
    RedisRateLimiter limiter;
    String sha;
    final String[] keys = {"bench:raw-bucket"};
    final String[] args = {"1000000000", "1000000", "1000000", "1"};

    @Setup(Level.Trial)
    public void setUp() {
        redis = LocalRedisServer.start();
        client = RedisClient.create(redis.uri());
        connection = client.connect(StringCodec.UTF8);
        commands = connection.async();
        sha = connection.sync().scriptLoad(script());
        limiter = RedisRateLimiter.builder(client, "bench:bucket")
                .rate(1_000_000_000, Duration.ofSeconds(1))
                .burst(1_000_000)
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        limiter.close();
        connection.close();
        client.shutdown();
        redis.close();
    }

    @Benchmark
    public Object acquire() {
        return switch (impl) {
            case "rawEvalsha" ->
                commands.<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args)
                        .toCompletableFuture()
                        .join();
            case "limiterAcquire" -> limiter.acquire().join();
            default -> throw new IllegalArgumentException(impl);
        };
    }

    private static String script() {
        try (InputStream in = RedisRateLimiter.class.getResourceAsStream("token-bucket.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
