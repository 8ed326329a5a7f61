package dev.asyncpatterns.redis;

import static dev.asyncpatterns.redis.Redis.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis killed with SIGKILL in the middle of traffic, then restarted on the same port: no call
 * the function could answer fails, the circuit opens while Redis is gone, and once it is back
 * the second level is used again without restarting anything. Real time by nature (a real
 * process dies and comes back); waits for the reconnection go through {@link Redis#eventually}.
 */
class RedisFaultTest {

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

    final AtomicInteger loads = new AtomicInteger();
    final AtomicLong calls = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    int round;

    /** Twenty fresh keys: each misses the first level, so each goes to Redis (or fails over). */
    void round(MemoizedFunction<String, String> cache) {
        var futures = new ArrayList<CompletableFuture<String>>();
        int r = round++;
        for (int i = 0; i < 20; i++) {
            futures.add(cache.apply("r" + r + "-" + i));
        }
        for (var f : futures) {
            calls.incrementAndGet();
            try {
                assertThat(f.get(5, TimeUnit.SECONDS)).startsWith("v-");
            } catch (Exception failure) {
                failed.incrementAndGet();
            }
        }
    }

    @Test
    void apply_redisKilledAndRestarted_noCallFailsAndTheSecondLevelComesBack() throws Exception {
        var level = RedisSecondLevel.builder(client, StringCodec.UTF8)
                .keyPrefix("fault:")
                .timeout(Duration.ofMillis(500)) // generous: a busy 2-core CI box must not time out healthy calls
                .circuitBreaker(3, Duration.ofMillis(200))
                .build();
        MemoizedFunction<String, String> cache = AsyncCaches.builder()
                .expireAfterWrite(Duration.ofMinutes(1))
                .secondLevel(level)
                .memoize(key -> CompletableFuture.completedFuture("v-" + key + "-" + loads.incrementAndGet()));
        try {
            for (int i = 0; i < 5; i++) {
                round(cache);
            }
            eventually(Duration.ofSeconds(5), () -> level.stats().puts() == 100); // writes are fire-and-forget

            server.kill();
            long killedAt = System.nanoTime();
            eventually(Duration.ofSeconds(10), () -> {
                round(cache);
                return level.stats().circuitState() == CircuitState.OPEN;
            });
            for (int i = 0; i < 10; i++) { // Redis gone, circuit open or probing: answered by the function
                round(cache);
            }
            RedisSecondLevel.Stats down = level.stats();

            server.restart();
            long restartedAt = System.nanoTime();
            eventually(Duration.ofSeconds(20), () -> {
                long puts = level.stats().puts();
                round(cache);
                return level.stats().circuitState() == CircuitState.CLOSED
                        && level.stats().puts() >= puts + 20;
            });
            long reconnectMillis = (System.nanoTime() - restartedAt) / 1_000_000;

            // the values just written are read back from Redis once this instance forgets them
            int lastRound = round - 1;
            cache.invalidateAll(); // this instance's first level only
            long hitsBefore = level.stats().hits();
            int loadsBefore = loads.get();
            for (int i = 0; i < 20; i++) {
                assertThat(cache.apply("r" + lastRound + "-" + i).get(5, TimeUnit.SECONDS))
                        .startsWith("v-r" + lastRound);
            }
            RedisSecondLevel.Stats after = level.stats();
            System.out.printf(
                    "redis-kill calls=%d failed=%d timeouts=%d rejected=%d errors=%d downForMs=%d"
                            + " reconnectAfterRestartMs=%d resyncs=%d l2HitsAfter=%d%n",
                    calls.get(),
                    failed.get(),
                    after.timedOut(),
                    after.rejected(),
                    after.failed(),
                    (restartedAt - killedAt) / 1_000_000,
                    reconnectMillis,
                    after.resyncs(),
                    after.hits() - hitsBefore);

            assertThat(failed)
                    .as("calls that failed although the function could answer")
                    .hasValue(0);
            assertThat(down.rejected())
                    .as("the open circuit spared Redis round trips")
                    .isPositive();
            assertThat(after.hits() - hitsBefore).as("second level used again").isEqualTo(20);
            assertThat(loads.get()).as("no backend call for values Redis holds").isEqualTo(loadsBefore);
            assertThat(after.resyncs()).as("re-subscribed, first level cleared").isGreaterThanOrEqualTo(1);
        } finally {
            level.close();
        }
    }
}
