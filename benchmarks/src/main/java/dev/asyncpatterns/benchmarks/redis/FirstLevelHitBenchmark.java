package dev.asyncpatterns.benchmarks.redis;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import dev.asyncpatterns.examples.LocalRedisServer;
import dev.asyncpatterns.redis.RedisSecondLevel;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * A first-level hit of the two-level cache: what one lookup of a key already in this instance's
 * Caffeine level costs when a Redis second level sits underneath (it is not touched), against a
 * plain Caffeine hit. 2^12 warm keys read in shuffled order, 2 threads.
 *
 * <ul>
 *   <li>{@code twoLevel}: {@code AsyncCaches.builder().expireAfterWrite(..).secondLevel(redis).memoize(..)};
 *   <li>{@code oneLevel}: the same memoized function without the second level (no Redis), to
 *       separate the cost of the second level from that of the memoized function;
 *   <li>{@code caffeineGetIfPresent}: raw Caffeine {@code AsyncCache.getIfPresent}, same bound and
 *       expiry, statistics on.
 * </ul>
 *
 * The bar (issue 15): {@code twoLevel} within 1.2x of the Caffeine hit.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar FirstLevelHitBenchmark} (starts
 * {@code /usr/bin/redis-server} on a free port in each fork).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@Threads(2)
public class FirstLevelHitBenchmark {

    private static final int SIZE = 1 << 12;
    private static final int MASK = SIZE - 1;

    @Param({"twoLevel", "oneLevel", "caffeineGetIfPresent"})
    String impl;

    LocalRedisServer redis;
    RedisClient client;
    RedisSecondLevel<String, String> level;
    Function<String, CompletableFuture<String>> lookup;
    String[] keys;

    /** Per-thread position in the key order. */
    @State(Scope.Thread)
    public static class Cursor {
        int index = new Random().nextInt(SIZE);
    }

    @Setup(Level.Trial)
    public void setUp() {
        Function<String, CompletableFuture<String>> backend = key -> CompletableFuture.completedFuture("value-" + key);
        keys = new String[SIZE];
        for (int i = 0; i < SIZE; i++) {
            keys[i] = "key-" + i;
        }
        var random = new Random(42);
        for (int i = SIZE - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String swap = keys[i];
            keys[i] = keys[j];
            keys[j] = swap;
        }
        switch (impl) {
            case "twoLevel" -> {
                redis = LocalRedisServer.start();
                client = RedisClient.create(redis.uri());
                level = RedisSecondLevel.builder(client, StringCodec.UTF8)
                        .keyPrefix("bench:l1:")
                        .build();
                MemoizedFunction<String, String> memo = AsyncCaches.builder()
                        .maximumSize(2L * SIZE)
                        .expireAfterWrite(Duration.ofHours(1))
                        .secondLevel(level)
                        .memoize(backend);
                lookup = memo;
            }
            case "oneLevel" -> {
                MemoizedFunction<String, String> memo = AsyncCaches.builder()
                        .maximumSize(2L * SIZE)
                        .expireAfterWrite(Duration.ofHours(1))
                        .memoize(backend);
                lookup = memo;
            }
            case "caffeineGetIfPresent" -> {
                AsyncCache<String, String> cache = Caffeine.newBuilder()
                        .maximumSize(2L * SIZE)
                        .expireAfterWrite(Duration.ofHours(1))
                        .recordStats()
                        .buildAsync();
                for (String key : keys) {
                    cache.put(key, backend.apply(key));
                }
                lookup = cache::getIfPresent;
            }
            default -> throw new IllegalArgumentException("impl " + impl);
        }
        for (String key : keys) {
            lookup.apply(key).join(); // warm: every measured call is a first-level hit
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        if (level != null) {
            level.close();
            client.shutdown();
            redis.close();
        }
    }

    @Benchmark
    public CompletableFuture<String> hit(Cursor cursor) {
        return lookup.apply(keys[cursor.index++ & MASK]);
    }
}
