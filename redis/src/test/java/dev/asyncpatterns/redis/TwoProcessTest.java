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

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start();
        client = Redis.client(server);
    }

    @AfterAll
    static void stopRedis() throws Exception {
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
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    TwoProcessChild.class.getName()));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
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

    @Test
    @Timeout(120)
    void invalidate_inOneProcess_dropsTheKeyFromTheOtherProcessWithin100ms() throws Exception {
        var backendCalls = new AtomicInteger();
        var level = RedisSecondLevel.builder(client, StringCodec.UTF8).keyPrefix("two:").build();
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
            for (int i = 0; i < 30; i++) {
                String key = "k" + i;
                child.in.println("load " + key);
                assertThat(child.expect("loaded " + key)).isEqualTo("loaded " + key + " child-" + key);
                assertThat(here.apply(key).get(5, TimeUnit.SECONDS)).as("read from Redis").isEqualTo("child-" + key);

                long sentAt = TwoProcessChild.epochMicros();
                here.invalidate(key).get(5, TimeUnit.SECONDS);
                String removed = child.expect("removed " + key + " ");
                latenciesMicros.add(Long.parseLong(removed.substring(removed.lastIndexOf(' ') + 1)) - sentAt);
            }
        } finally {
            level.close();
        }
        System.out.println("redis-two-process-invalidation latencies (us, in order): " + latenciesMicros);
        long first = latenciesMicros.getFirst();
        Collections.sort(latenciesMicros);
        long p50 = latenciesMicros.get(latenciesMicros.size() / 2);
        long max = latenciesMicros.getLast();
        System.out.printf("redis-two-process-invalidation n=%d p50=%.2fms max=%.2fms parentBackendCalls=%d%n",
                latenciesMicros.size(), p50 / 1000.0, max / 1000.0, backendCalls.get());
        assertThat(backendCalls).as("every value came from the child through Redis").hasValue(0);
        assertThat(max).as("slowest invalidation seen by the other process, in microseconds").isLessThanOrEqualTo(100_000);
    }

    /** The limiter's burst in the two-process test: absorbs up to 100 ms of lateness in claiming a token. */
    static final int BURST = 5;

    /**
     * Real time by nature: the bucket refills on Redis's clock, and two processes share it for a
     * 10-second window of the wall clock (one host, one clock). The window opens when this process
     * has emptied the bucket, so it holds exactly the tokens refilled in 10 s at 50/s: 500. The
     * burst of 5 keeps a token that is claimed a few milliseconds late (a timer, a round trip, a
     * loaded CI box) from being lost to the cap, which burst 1 would do. Either process may start
     * a little after the window opens: the burst absorbs that too.
     */
    @Test
    @Timeout(120)
    void acquire_twoProcessesShareOneLimiterOf50PerSecondFor10s_500PlusOrMinus1Grants() throws Exception {
        String key = "two:limiter";
        var limiter = RedisRateLimiter.builder(client, key).rate(50, Duration.ofSeconds(1)).burst(BURST).build();
        try (var child = new Child("limiter", server.uri(), key)) {
            child.expect("ready");
            limiter.acquire(BURST).get(5, TimeUnit.SECONDS); // creates the bucket full and empties it
            long start = System.currentTimeMillis();
            long end = start + 10_000;
            child.in.println("go " + end);
            int here = TwoProcessChild.runWindow(limiter, end);
            String line = child.expect("grants ");
            int there = Integer.parseInt(line.substring("grants ".length()));
            RateLimiterStats stats = limiter.stats();
            System.out.printf("redis-two-process-limiter rate=50/s window=10s grants=%d (this=%d child=%d)"
                            + " scriptCallsThis=%d waitsThis=%d%n",
                    here + there, here, there, stats.scriptCalls(), stats.waitCount());
            assertThat(here + there).isBetween(499, 501);
            assertThat(here).as("both processes got tokens").isPositive();
            assertThat(there).isPositive();
        } finally {
            limiter.close();
        }
    }
}
