package dev.asyncpatterns.benchmarks.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import dev.asyncpatterns.cache.MemoizedFunction;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 * The hit path: what one lookup of a hot, already-cached key costs, returning the value's
 * {@code CompletableFuture}. Every implementation is bounded the same way, records statistics,
 * and runs its maintenance on the calling thread ({@code executor(Runnable::run)}), so each row
 * does the same work apart from the code path under test:
 *
 * <ul>
 *   <li>{@code memoized}: {@link MemoizedFunction#apply} built by {@code AsyncCaches.builder()}
 *       (W-TinyLFU, statistics on: our hit counts itself);
 *   <li>{@code caffeineAsMapGet}: Caffeine {@code AsyncCache.asMap().get(key)}, the path our hit
 *       takes inside Caffeine (updates the eviction policy and expiry, counts no statistic);
 *   <li>{@code caffeineGet}: Caffeine {@code AsyncLoadingCache.get(key)} with {@code recordStats()}
 *       (counts the hit, and reads {@code System.nanoTime} to time a load that may follow).
 * </ul>
 *
 * Methods (one JMH thread each):
 *
 * <ul>
 *   <li>{@link #hit}: nothing else runs (uncontended);
 *   <li>{@link #hitWhileLoading}: a second thread keeps {@value #IN_FLIGHT} loads of other keys in
 *       flight in the same cache, through the same implementation (each iteration of it completes
 *       the oldest load, invalidates that key and starts a load of a new key), so the cache is
 *       being written to while the hot key is read;
 *   <li>{@link #hitWhileLoadingSampled}: the same in {@code Mode.SampleTime}, for p50/p99 (the
 *       timer's granularity, ~20-30 ns, bounds what the low percentiles can show).
 * </ul>
 *
 * The bar (DESIGN.md, issue 20): {@code memoized} within 1.2x of Caffeine's same path
 * ({@code caffeineAsMapGet}), also while loads run. Run with {@code -prof gc} for B/op; in the
 * two {@code hitWhileLoading} methods B/op also holds the loader thread's allocations (JMH's gc
 * profiler counts every thread), spread over the hits.
 *
 * <p>Also accepted by {@code -p impl=...}, for diagnosis and not in the default run:
 * {@code memoizedNoStats} (ours with {@code disableStats()}: what the hit counter costs) and
 * {@code caffeineGetIfPresent} (Caffeine's {@code AsyncCache.getIfPresent}, which counts the hit
 * in its statistics as ours does).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CacheHitBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(3)
@Threads(1)
public class CacheHitBenchmark {

    static final int IN_FLIGHT = 64;
    static final long MAXIMUM_SIZE = 1 << 14;
    static final Integer HOT = 0;

    @Param({"memoized", "caffeineAsMapGet", "caffeineGet"})
    String impl;

    /** The lookup under test. */
    Function<Integer, CompletableFuture<Integer>> lookup;
    /** The same implementation's way to drop a key (the background loader's). */
    Consumer<Integer> invalidate;
    /** Futures the backend handed out for loads still in flight; only the loader thread uses it. */
    final CompletableFuture<?>[] pending = new CompletableFuture<?>[IN_FLIGHT];

    int pendingIndex;

    @Setup
    public void setUp() {
        Function<Integer, CompletableFuture<Integer>> backend = this::backend;
        switch (impl) {
            case "memoized" -> {
                MemoizedFunction<Integer, Integer> memo =
                        SameConfig.ours(MAXIMUM_SIZE).memoize(backend);
                lookup = memo;
                invalidate = memo::invalidate;
            }
            case "memoizedNoStats" -> { // diagnosis only (-p impl=memoizedNoStats): the hit without its counter
                MemoizedFunction<Integer, Integer> memo =
                        SameConfig.ours(MAXIMUM_SIZE).disableStats().memoize(backend);
                lookup = memo;
                invalidate = memo::invalidate;
            }
            case "caffeineGetIfPresent" -> { // Caffeine's hit that counts itself, as ours does
                AsyncCache<Integer, Integer> cache =
                        SameConfig.caffeine(MAXIMUM_SIZE).buildAsync();
                lookup = key -> {
                    CompletableFuture<Integer> present = cache.getIfPresent(key);
                    return present != null ? present : cache.get(key, (k, executor) -> backend.apply(k));
                };
                invalidate = key -> cache.synchronous().invalidate(key);
            }
            case "caffeineAsMapGet" -> {
                AsyncCache<Integer, Integer> cache =
                        SameConfig.caffeine(MAXIMUM_SIZE).buildAsync();
                ConcurrentMap<Integer, CompletableFuture<Integer>> map = cache.asMap();
                lookup = key -> {
                    CompletableFuture<Integer> present = map.get(key);
                    return present != null ? present : cache.get(key, (k, executor) -> backend.apply(k));
                };
                invalidate = key -> cache.synchronous().invalidate(key);
            }
            case "caffeineGet" -> {
                AsyncLoadingCache<Integer, Integer> cache =
                        SameConfig.caffeine(MAXIMUM_SIZE).buildAsync((key, executor) -> backend.apply(key));
                lookup = cache::get;
                invalidate = key -> cache.synchronous().invalidate(key);
            }
            default -> throw new IllegalArgumentException("impl " + impl);
        }
        lookup.apply(HOT).join(); // every measured call is a hit
    }

    /** The hot key answers at once; any other key is a load left in flight until the loader ends it. */
    CompletableFuture<Integer> backend(Integer key) {
        if (key.equals(HOT)) {
            return CompletableFuture.completedFuture(key);
        }
        var future = new CompletableFuture<Integer>();
        pending[pendingIndex] = future;
        return future;
    }

    /** A thread that keeps {@value #IN_FLIGHT} loads in flight while the measured thread reads. */
    @State(Scope.Benchmark)
    public static class Loading {
        volatile boolean running;
        Thread thread;

        @Setup(Level.Iteration)
        public void start(CacheHitBenchmark bench) {
            running = true;
            thread = Thread.ofPlatform().name("loader").daemon().start(() -> bench.loadUntil(this));
        }

        @TearDown(Level.Iteration)
        public void stop() throws InterruptedException {
            running = false;
            thread.join();
        }
    }

    @SuppressWarnings("unchecked")
    void loadUntil(Loading loading) {
        int next = 1;
        while (loading.running) {
            int slot = pendingIndex;
            var oldest = (CompletableFuture<Integer>) pending[slot];
            if (oldest != null) {
                int oldKey = next - IN_FLIGHT;
                oldest.complete(oldKey);
                invalidate.accept(oldKey);
            }
            lookup.apply(next); // a miss: the backend puts its future in pending[slot]
            pendingIndex = (slot + 1) % IN_FLIGHT;
            next = next == Integer.MAX_VALUE ? 1 : next + 1;
        }
        for (int i = 0; i < IN_FLIGHT; i++) { // leave nothing in flight between iterations
            if (pending[i] != null) {
                pending[i].complete(null);
                pending[i] = null;
            }
        }
    }

    @Benchmark
    public CompletableFuture<Integer> hit() {
        return lookup.apply(HOT);
    }

    @Benchmark
    public CompletableFuture<Integer> hitWhileLoading(Loading loading) {
        return lookup.apply(HOT);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public CompletableFuture<Integer> hitWhileLoadingSampled(Loading loading) {
        return lookup.apply(HOT);
    }
}
