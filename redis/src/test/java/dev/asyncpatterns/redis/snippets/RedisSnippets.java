package dev.asyncpatterns.redis.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import dev.asyncpatterns.core.sync.RateLimiter;
import dev.asyncpatterns.redis.RedisRateLimiter;
import dev.asyncpatterns.redis.RedisSecondLevel;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The examples in the redis module's javadoc, compiled and run against a real redis-server: each
 * region is shown by a {@code {@snippet class=... region=...}} tag.
 */
class RedisSnippets {

    static Process redis;
    static String redisUri;

    @BeforeAll
    static void startRedis() throws IOException {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        redis = new ProcessBuilder(List.of(
                        "/usr/bin/redis-server",
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true)
                .start();
        redisUri = "redis://127.0.0.1:" + port;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) { // startup, not timing
            try (var s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.onSpinWait();
            }
        }
        throw new IllegalStateException("redis-server did not start");
    }

    @AfterAll
    static void stopRedis() {
        redis.destroyForcibly();
    }

    record Profile(String id) {}

    static CompletableFuture<String> fetchProfile(String id) {
        CALLS.incrementAndGet();
        return CompletableFuture.completedFuture("profile-" + id);
    }

    static final AtomicInteger CALLS = new AtomicInteger();

    @Test
    void sharedCache_secondInstanceReadsRedisInsteadOfTheBackend() {
        CALLS.set(0); // a static counter (the snippet's method reference): count this run only
        RedisClient redisClient = RedisClient.create(redisUri);
        try {
            // @start region=sharedCache
            RedisSecondLevel<String, String> shared = RedisSecondLevel.builder(redisClient, StringCodec.UTF8)
                    .keyPrefix("profiles:") // the keys and the invalidation channel of this cache
                    .timeout(Duration.ofSeconds(1)) // Redis slower than this: go on without it
                    .build();
            MemoizedFunction<String, String> profiles = AsyncCaches.builder()
                    .maximumSize(10_000)
                    .expireAfterWrite(Duration.ofMinutes(10)) // also the TTL in Redis
                    .secondLevel(shared)
                    .memoize(RedisSnippets::fetchProfile);

            profiles.apply("42").join(); // this instance, Redis, then the backend
            profiles.invalidate("42").join(); // gone here, in Redis, and in every other instance
            // @end
            RedisSecondLevel<String, String> otherLevel = RedisSecondLevel.builder(redisClient, StringCodec.UTF8)
                    .keyPrefix("profiles:")
                    .timeout(Duration.ofSeconds(10)) // real time on a possibly loaded CI box
                    .build();
            var otherInstance = AsyncCaches.builder()
                    .expireAfterWrite(Duration.ofMinutes(10))
                    .secondLevel(otherLevel)
                    .memoize(RedisSnippets::fetchProfile);
            profiles.apply("7").join();
            // the write to Redis follows the load without being waited for: let it land first,
            // else the other instance's read may reach Redis before it
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> shared.stats().puts() == 2);
            assertThat(otherInstance.apply("7").join()).isEqualTo("profile-7");
            assertThat(CALLS)
                    .as("42 once; 7 once (the other instance read it from Redis)")
                    .hasValue(2);
            shared.close();
            otherLevel.close();
        } finally {
            redisClient.shutdown();
        }
    }

    static CompletableFuture<String> callPartnerApi(int n) {
        return CompletableFuture.completedFuture("ok-" + n);
    }

    @Test
    void sharedLimiter_everyInstanceTakesFromOneBucket() {
        RedisClient redisClient = RedisClient.create(redisUri);
        try {
            // @start region=sharedLimiter
            // every instance builds the same limiter: together they stay under 100 calls per second
            RateLimiter partnerApi = RedisRateLimiter.builder(redisClient, "limits:partner-api")
                    .rate(100, Duration.ofSeconds(1))
                    .burst(10)
                    .build();
            CompletableFuture<String> reply = partnerApi.acquire().thenCompose(granted -> callPartnerApi(1));
            // @end
            assertThat(reply.join()).isEqualTo("ok-1");
            try (var connection = redisClient.connect()) {
                assertThat(connection.sync().hget("limits:partner-api", "u"))
                        .as("the bucket lives in Redis")
                        .isNotNull();
            }
            partnerApi.close();
        } finally {
            redisClient.shutdown();
        }
    }
}
