package dev.asyncpatterns.redis;

import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.StringCodec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The second JVM of the two-process tests: started by {@link TwoProcessTest} with the test class
 * path, driven by lines on stdin, answering on stdout.
 *
 * <pre>
 * cache URI PREFIX     then "load KEY" -> "loaded KEY VALUE"; prints "removed KEY EPOCH_MICROS" when
 *                      another instance's invalidation drops KEY from this L1; "quit"
 * limiter URI KEY      prints "ready"; then "go END_EPOCH_MILLIS" -> acquires from 4 chains at once
 *                      until then, prints "grants T1,T2,..." (each grant's time, epoch micros)
 * </pre>
 */
public final class TwoProcessChild {

    private TwoProcessChild() {}

    static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    public static void main(String[] args) throws Exception {
        var out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        RedisClient client = RedisClient.create(args[1]);
        try {
            if (args[0].equals("cache")) {
                cache(client, args[2], in, out);
            } else {
                limiter(client, args[2], in, out);
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /**
     * The command timeout both processes give their Redis components: this test measures
     * invalidation latency and token conservation, not timeouts, and on a loaded 2-core CI box a
     * command may wait more than the defaults (100 ms, 1 s) for a CPU; a timed-out command fails the
     * run (a failed read is a backend call, a timed-out script call may still have taken a token).
     */
    static final Duration GENEROUS = Duration.ofSeconds(10);

    private static void cache(RedisClient client, String prefix, BufferedReader in, PrintStream out) throws Exception {
        var level = RedisSecondLevel.builder(client, StringCodec.UTF8)
                .keyPrefix(prefix)
                .timeout(GENEROUS)
                .build();
        MemoizedFunction<String, String> cache = AsyncCaches.builder()
                .expireAfterWrite(Duration.ofMinutes(1))
                .executor(Runnable::run) // the removal listener runs on the thread that removed the entry
                .<String, String>removalListener((key, value, cause) -> {
                    if (cause == RemovalCause.EXPLICIT) {
                        out.println("removed " + key + " " + epochMicros());
                    }
                })
                .secondLevel(level)
                .memoize(key -> CompletableFuture.completedFuture("child-" + key));
        out.println("ready");
        for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
            String[] parts = line.split(" ");
            if (parts[0].equals("load")) {
                out.println("loaded " + parts[1] + " " + cache.apply(parts[1]).get(5, TimeUnit.SECONDS));
            }
        }
        level.close();
    }

    private static void limiter(RedisClient client, String key, BufferedReader in, PrintStream out) throws Exception {
        var limiter = RedisRateLimiter.builder(client, key)
                .rate(50, Duration.ofSeconds(1))
                .burst(TwoProcessTest.BURST)
                .timeout(GENEROUS)
                .build();
        out.println("ready");
        long end = Long.parseLong(in.readLine().split(" ")[1]);
        out.println("grants "
                + String.join(
                        ",",
                        runWindow(limiter, end).stream().map(String::valueOf).toList()));
        limiter.close();
    }

    /** Four acquire chains from now until {@code end} (epoch millis); the time of each grant (epoch micros). */
    static java.util.List<Long> runWindow(RedisRateLimiter limiter, long end) {
        var grants = new java.util.concurrent.ConcurrentLinkedQueue<Long>();
        var done = new CompletableFuture<?>[4];
        for (int i = 0; i < done.length; i++) {
            var chainDone = new CompletableFuture<Void>();
            chain(limiter, end, grants, chainDone);
            done[i] = chainDone;
        }
        CompletableFuture.allOf(done).join();
        return java.util.List.copyOf(grants);
    }

    private static void chain(
            RedisRateLimiter limiter, long end, java.util.Queue<Long> grants, CompletableFuture<Void> done) {
        limiter.acquire().whenComplete((ok, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                grants.add(epochMicros()); // every grant counts, the last ones (after end) too
                if (System.currentTimeMillis() < end) {
                    chain(limiter, end, grants, done);
                } else {
                    done.complete(null);
                }
            }
        });
    }
}
