package dev.asyncpatterns.benchmarks.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hit path: what one lookup of an already-cached key costs, returning the value's
 * {@code CompletableFuture}, for a warm cache of 2^14 keys (all hits) read in a shuffled order.
 *
 * <ul>
 *   <li>{@code memoized}: {@link MemoizedFunction#apply} built by {@code AsyncCaches.builder()}
 *       (bounded, W-TinyLFU, statistics on);
 *   <li>{@code caffeineGet}: raw Caffeine {@code AsyncLoadingCache.get(key)}, same bound, stats on;
 *   <li>{@code caffeineGetIfPresent}: raw Caffeine {@code AsyncCache.getIfPresent(key)}, same bound,
 *       stats on;
 *   <li>{@code concurrentHashMap}: {@code ConcurrentHashMap.computeIfAbsent} of futures, the
 *       naive memo map (unbounded, no stats, no expiry).
 * </ul>
 *
 * The bar (DESIGN.md): {@code memoized} within 1.2x of raw Caffeine.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CacheHitBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(2)
public class CacheHitBenchmark {

    private static final int SIZE = 1 << 14;
    private static final int MASK = SIZE - 1;

    @Param({"memoized", "caffeineGet", "caffeineGetIfPresent", "concurrentHashMap"})
    String impl;

    Function<Integer, CompletableFuture<Integer>> lookup;
    Integer[] keys;

    /** Per-thread position in the key order. */
    @State(Scope.Thread)
    public static class Cursor {
        int index = new Random().nextInt(SIZE);
    }

    @Setup
    public void setUp() {
        Function<Integer, CompletableFuture<Integer>> backend = CompletableFuture::completedFuture;
        switch (impl) {
            case "memoized" -> {
                MemoizedFunction<Integer, Integer> memo =
                        AsyncCaches.builder().maximumSize(2L * SIZE).memoize(backend);
                lookup = memo;
            }
            case "caffeineGet" -> {
                AsyncLoadingCache<Integer, Integer> cache = Caffeine.newBuilder()
                        .maximumSize(2L * SIZE)
                        .recordStats()
                        .buildAsync((key, executor) -> backend.apply(key));
                lookup = cache::get;
            }
            case "caffeineGetIfPresent" -> {
                AsyncCache<Integer, Integer> cache = Caffeine.newBuilder()
                        .maximumSize(2L * SIZE)
                        .recordStats()
                        .buildAsync();
                for (int i = 0; i < SIZE; i++) {
                    cache.put(i, backend.apply(i));
                }
                lookup = cache::getIfPresent;
            }
            case "concurrentHashMap" -> {
                var map = new ConcurrentHashMap<Integer, CompletableFuture<Integer>>();
                lookup = key -> map.computeIfAbsent(key, backend);
            }
            default -> throw new IllegalArgumentException("impl " + impl);
        }
        keys = new Integer[SIZE];
        var random = new Random(42);
        for (int i = 0; i < SIZE; i++) {
            keys[i] = i;
        }
        for (int i = SIZE - 1; i > 0; i--) { // shuffle so reads do not walk memory in order
            int j = random.nextInt(i + 1);
            Integer swap = keys[i];
            keys[i] = keys[j];
            keys[j] = swap;
        }
        for (Integer key : keys) {
            lookup.apply(key).join(); // warm: every measured call is a hit
        }
    }

    @Benchmark
    public CompletableFuture<Integer> hit(Cursor cursor) {
        return lookup.apply(keys[cursor.index++ & MASK]);
    }
}
