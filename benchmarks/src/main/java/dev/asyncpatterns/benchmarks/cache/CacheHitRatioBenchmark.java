package dev.asyncpatterns.benchmarks.cache;

import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Why the size-bounded cache is W-TinyLFU and not LRU: hit ratio on skewed traffic. Replays a
 * seeded Zipf-distributed trace of {@value #TRACE_LENGTH} reads over {@value #ITEMS} distinct keys
 * (optionally mixed with one-off "scan" keys, the traffic that flushes an LRU) through
 *
 * <ul>
 *   <li>{@code wTinyLfu}: our {@link MemoizedFunction} built with {@code maximumSize(capacity)}
 *       (Caffeine's W-TinyLFU), and
 *   <li>{@code lru}: a strict LRU, {@code LinkedHashMap} in access order with
 *       {@code removeEldestEntry}.
 * </ul>
 *
 * The hit ratio is the figure that matters; it is printed by {@link #main(String[])} (no JMH
 * needed) and can be read off the JMH run's {@code hits} and {@code misses} secondary results
 * ({@link AuxCounters}; ratio = hits / (hits + misses)). The primary JMH score, time per read, shows what each
 * policy costs per access (the LRU is single-threaded and unsynchronised, so it is a floor).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.asyncpatterns.benchmarks.cache.CacheHitRatioBenchmark} for the table, or
 * {@code java -jar benchmarks/target/benchmarks.jar CacheHitRatioBenchmark} for JMH.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CacheHitRatioBenchmark {

    static final int ITEMS = 100_000;
    static final int TRACE_LENGTH = 1_000_000;

    @Param({"wTinyLfu", "lru"})
    String policy;

    @Param({"1000"})
    int capacity;

    @Param({"zipf", "zipfWithScans"})
    String trace;

    @Param({"0.9"})
    double exponent;

    int[] keys;

    /**
     * Reads that hit and missed, summed over the replays of an iteration (JMH sums EVENTS counters,
     * also across iterations in the final line): hit ratio = hits / (hits + misses).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class HitCounts {
        public long hits;
        public long misses;
    }

    @Setup
    public void setUp() {
        keys = trace(trace, exponent, 42);
    }

    @Benchmark
    @OperationsPerInvocation(TRACE_LENGTH)
    public void replay(HitCounts counts) {
        long hits = Math.round(replay(policy, capacity, keys) * keys.length);
        counts.hits += hits;
        counts.misses += keys.length - hits;
    }

    /** Replays the trace through a fresh cache; returns the hit ratio. */
    static double replay(String policy, int capacity, int[] keys) {
        if (policy.equals("lru")) {
            var lru = new LinkedHashMap<Integer, Integer>(2 * capacity, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Integer, Integer> eldest) {
                    return size() > capacity;
                }
            };
            long hits = 0;
            for (int key : keys) {
                if (lru.get(key) != null) {
                    hits++;
                } else {
                    lru.put(key, key);
                }
            }
            return (double) hits / keys.length;
        }
        MemoizedFunction<Integer, Integer> memo = AsyncCaches.builder()
                .maximumSize(capacity)
                .executor(Runnable::run)
                .memoize(CompletableFuture::completedFuture);
        for (int key : keys) {
            memo.apply(key);
        }
        return memo.stats().hitRatio();
    }

    /** A seeded Zipf trace; "zipfWithScans" replaces every 5th read by a never-repeated key. */
    static int[] trace(String kind, double exponent, long seed) {
        double[] cumulative = new double[ITEMS];
        double sum = 0;
        for (int i = 0; i < ITEMS; i++) {
            sum += 1.0 / Math.pow(i + 1, exponent);
            cumulative[i] = sum;
        }
        var random = new Random(seed);
        int[] keys = new int[TRACE_LENGTH];
        int oneOff = ITEMS;
        for (int i = 0; i < TRACE_LENGTH; i++) {
            if (kind.equals("zipfWithScans") && i % 5 == 4) {
                keys[i] = oneOff++;
                continue;
            }
            int rank = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
            keys[i] = rank >= 0 ? rank : -rank - 1;
        }
        return keys;
    }

    /**
     * Prints the hit-ratio table.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("trace          exponent capacity  W-TinyLFU    LRU");
        for (String kind : new String[] {"zipf", "zipfWithScans"}) {
            for (double exponent : new double[] {0.7, 0.9, 1.1}) {
                int[] keys = trace(kind, exponent, 42);
                for (int capacity : new int[] {1_000, 10_000}) {
                    System.out.println(String.format(
                            Locale.ROOT,
                            "%-14s %8.1f %8d %9.1f%% %5.1f%%",
                            kind,
                            exponent,
                            capacity,
                            100 * replay("wTinyLfu", capacity, keys),
                            100 * replay("lru", capacity, keys)));
                }
            }
        }
    }
}
