package dev.asyncpatterns.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.StringCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two JVMs sharing one real redis-server: this one and a child started with the test class path
 * ({@link TwoProcessChild}).
 */
class TwoProcessTest {

    static RedisServer server;
    static RedisClient client;
    static io.lettuce.core.api.StatefulRedisConnection<String, String> raw;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start();
        client = Redis.client(server);
        raw = client.connect();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        raw.close();
        Redis.shutdown(client);
        server.close();
    }

    /** A child JVM on our class path, talking by lines. */
    static final class Child implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final PrintStream in;

        Child(String... args) throws IOException {
            var command = new ArrayList<String>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    TwoProcessChild.class.getName()));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        String expect(String prefix) throws IOException {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IllegalStateException("child exited before printing " + prefix);
        }

        @Override
        public void close() throws InterruptedException {
            in.println("quit");
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Invalidations not measured while the child JVM warms up (class loading, JIT). */
    static final int WARMUP = 5;

    @Test
    @Timeout(120)
    void invalidate_inOneProcess_dropsTheKeyFromTheOtherProcessWithin100ms() throws Exception {
        var backendCalls = new AtomicInteger();
        var level = RedisSecondLevel.builder(client, StringCodec.UTF8)
                .keyPrefix("two:")
                .timeout(TwoProcessChild.GENEROUS)
                .build();
        MemoizedFunction<String, String> here = AsyncCaches.builder()
                .expireAfterWrite(Duration.ofMinutes(1))
                .secondLevel(level)
                .memoize(key -> {
                    backendCalls.incrementAndGet();
                    return CompletableFuture.completedFuture("parent-" + key);
                });
        var latenciesMicros = new ArrayList<Long>();
        try (var child = new Child("cache", server.uri(), "two:")) {
            child.expect("ready");
            for (int i = 0; i < WARMUP + 30; i++) {
                String key = "k" + i;
                child.in.println("load " + key);
                assertThat(child.expect("loaded " + key)).isEqualTo("loaded " + key + " child-" + key);
                // the child's write to Redis is fire-and-forget: wait until it has landed
                Redis.eventually(Duration.ofSeconds(5), () -> raw.sync().exists("two:" + key) == 1);
                assertThat(here.apply(key).get(5, TimeUnit.SECONDS))
                        .as("read from Redis")
                        .isEqualTo("child-" + key);

                long sentAt = TwoProcessChild.epochMicros();
                here.invalidate(key).get(5, TimeUnit.SECONDS);
                String removed = child.expect("removed " + key + " ");
                latenciesMicros.add(Long.parseLong(removed.substring(removed.lastIndexOf(' ') + 1)) - sentAt);
            }
        } finally {
            level.close();
        }
        System.out.println("redis-two-process-invalidation latencies (us, in order, " + WARMUP + " warm-up first): "
                + latenciesMicros);
        List<Long> measured = new ArrayList<>(latenciesMicros.subList(WARMUP, latenciesMicros.size()));
        Collections.sort(measured);
        long p50 = measured.get(measured.size() / 2);
        long p90 = measured.get(measured.size() * 9 / 10);
        long max = measured.getLast();
        System.out.printf(
                "redis-two-process-invalidation n=%d p50=%.2fms p90=%.2fms max=%.2fms parentBackendCalls=%d%n",
                measured.size(), p50 / 1000.0, p90 / 1000.0, max / 1000.0, backendCalls.get());
        assertThat(backendCalls)
                .as("every value came from the child through Redis")
                .hasValue(0);
        // p90, not max: on a shared CI box a process can be descheduled for 100+ ms at any moment
        assertThat(p90)
                .as("90th percentile of invalidation latency across processes, in microseconds")
                .isLessThanOrEqualTo(100_000);
    }

    /**
     * The limiter's burst in the two-process test: more than the window can produce (50/s for at
     * most 12 s), so no token is ever lost to the cap, however late the processes claim them.
     */
    static final int BURST = 600;

    /**
     * Real time by nature: the bucket refills on Redis's clock and two processes share it. This
     * process empties the bucket (Redis records that moment, {@code t}, in the bucket), then both
     * acquire from 4 chains each for 10 s of wall clock. The grants are judged on Redis's clock,
     * not on the processes' receive times (which a loaded CI box delays by tens of milliseconds,
     * several tokens at 50/s): over the span from the emptying to the last script call, the rate
     * produced 50 tokens per second; every one of them must have been granted once or still be in
     * the bucket (none lost, none granted twice): 500 per 10 s, the ± 1 being where the span ends.
     * The burst, larger than the window's production, keeps tokens claimed late from being lost to
     * the cap: on a loaded 2-core CI box both processes may not run for a second or more (a burst of
     * 25, half a second of tokens, lost 45 of 575 tokens that way once, which the old assertion
     * reported as a conservation failure).
     */
    @Test
    @Timeout(120)
    void acquire_twoProcessesShareOneLimiterOf50PerSecondFor10s_500PlusOrMinus1Grants() throws Exception {
        String key = "two:limiter";
        var limiter = RedisRateLimiter.builder(client, key)
                .rate(50, Duration.ofSeconds(1))
                .burst(BURST)
                .timeout(TwoProcessChild.GENEROUS)
                .build();
        try (var child = new Child("limiter", server.uri(), key)) {
            child.expect("ready");
            limiter.acquire(BURST).get(5, TimeUnit.SECONDS); // creates the bucket full and empties it
            long emptiedAt = Long.parseLong(raw.sync().hget(key, "t")); // Redis's clock, microseconds
            assertThat(raw.sync().hget(key, "u")).isEqualTo("0");
            long end = System.currentTimeMillis() + 10_000;
            child.in.println("go " + end);
            List<Long> here = TwoProcessChild.runWindow(limiter, end);
            String line = child.expect("grants ");
            List<Long> there = java.util.Arrays.stream(
                            line.substring("grants ".length()).split(","))
                    .map(Long::valueOf)
                    .toList();
            long lastCall = Long.parseLong(raw.sync().hget(key, "t"));
            long unitsLeft = Long.parseLong(raw.sync().hget(key, "u"));
            long granted = here.size() + there.size();
            long periodMicros = 1_000_000;
            long producedUnits = (lastCall - emptiedAt) * 50; // one token = periodMicros units
            double spanSeconds = (lastCall - emptiedAt) / 1e6;
            RedisRateLimiter.Stats stats = limiter.stats();
            System.out.printf(
                    "redis-two-process-limiter rate=50/s span=%.3fs (Redis clock) grants=%d (this=%d child=%d)"
                            + " producedBySpan=%.2f tokensLeft=%.2f scriptCallsThis=%d waitsThis=%d%n",
                    spanSeconds,
                    granted,
                    here.size(),
                    there.size(),
                    spanSeconds * 50,
                    unitsLeft / (double) periodMicros,
                    stats.scriptCalls(),
                    stats.waited());
            assertThat(granted * periodMicros + unitsLeft)
                    .as("every token the rate produced was granted once or is still in the bucket")
                    .isEqualTo(producedUnits);
            assertThat(unitsLeft)
                    .as("fewer tokens left than the burst: none was lost to the cap")
                    .isLessThan(BURST * periodMicros);
            // at least the 10 s window; the end is the last grant after it, which a stalled process
            // delays (11.5 s seen on a loaded box): a loose upper bound, for sanity only
            assertThat(spanSeconds).as("about a 10 s window").isBetween(9.9, 30.0);
            assertThat(here).as("both processes got tokens").isNotEmpty();
            assertThat(there).isNotEmpty();
        } finally {
            limiter.close();
        }
    }
}
