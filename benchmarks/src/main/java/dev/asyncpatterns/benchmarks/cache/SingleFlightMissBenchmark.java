package dev.asyncpatterns.benchmarks.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import dev.asyncpatterns.cache.MemoizedFunction;
import java.util.concurrent.CompletableFuture;
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
 * A single-flight miss: {@value #CALLERS} callers ask for the same absent key while its load is
 * in flight, the load completes, and every caller gets the value. One operation = one miss, one
 * call of the backend, {@value #CALLERS} returned futures and their completion. The callers
 * overlap in time (all {@value #CALLERS} futures are outstanding when the load completes), as
 * concurrent requests of an async service do; they are issued from one JMH thread so that every
 * operation is the same miss and not a race of thread schedules. Each operation uses a new key;
 * every implementation is bounded the same way (old keys are evicted), records statistics and runs
 * its maintenance on the calling thread ({@code executor(Runnable::run)}).
 *
 * <ul>
 *   <li>{@code memoized}: {@link MemoizedFunction#apply} built by {@code AsyncCaches.builder()};
 *       callers that join the load get their own future (cancelling one never cancels the load);
 *   <li>{@code caffeineGet}: Caffeine {@code AsyncCache.get(key, mappingFunction)}; every caller
 *       gets the one shared future (cancelling it cancels the load for all);
 *   <li>{@code caffeineLoadingGet}: Caffeine {@code AsyncLoadingCache.get(key)}, the same with the
 *       loader given at build time.
 * </ul>
 *
 * The bar (issue 20): {@code memoized} within 1.2x of {@code caffeineGet}. Run with
 * {@code -prof gc} for B per miss.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SingleFlightMissBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(3)
@Threads(1)
public class SingleFlightMissBenchmark {

    static final int CALLERS = 8;
    static final long MAXIMUM_SIZE = 1 << 12;

    @Param({"memoized", "caffeineGet", "caffeineLoadingGet"})
    String impl;

    Function<Integer, CompletableFuture<Integer>> lookup;
    /** The backend's future for the load in flight. */
    CompletableFuture<Integer> inFlight = new CompletableFuture<>();

    final CompletableFuture<?>[] callers = new CompletableFuture<?>[CALLERS];
    int nextKey;

    @Setup
    public void setUp() {
        Function<Integer, CompletableFuture<Integer>> backend = key -> inFlight;
        switch (impl) {
            case "memoized" -> {
                MemoizedFunction<Integer, Integer> memo =
                        SameConfig.ours(MAXIMUM_SIZE).memoize(backend);
                lookup = memo;
            }
            case "caffeineGet" -> {
                AsyncCache<Integer, Integer> cache =
                        SameConfig.caffeine(MAXIMUM_SIZE).buildAsync();
                lookup = key -> cache.get(key, (k, executor) -> backend.apply(k));
            }
            case "caffeineLoadingGet" -> {
                AsyncLoadingCache<Integer, Integer> cache =
                        SameConfig.caffeine(MAXIMUM_SIZE).buildAsync((key, executor) -> backend.apply(key));
                lookup = cache::get;
            }
            default -> throw new IllegalArgumentException("impl " + impl);
        }
    }

    @Benchmark
    public int miss() {
        Integer key = nextKey++;
        var load = new CompletableFuture<Integer>();
        inFlight = load;
        for (int i = 0; i < CALLERS; i++) {
            callers[i] = lookup.apply(key);
        }
        load.complete(key);
        int sum = 0;
        for (int i = 0; i < CALLERS; i++) {
            sum += (Integer) callers[i].join();
        }
        return sum;
    }
}
