package dev.asyncpatterns.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.sync.RateLimiter;
import dev.asyncpatterns.testkit.VirtualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The shared token bucket against a real redis-server. */
class RedisRateLimiterTest {

    static RedisServer server;
    static RedisClient client;
    static StatefulRedisConnection<String, String> raw;

    final List<RedisRateLimiter> toClose = new ArrayList<>();
    String key;

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

    @BeforeEach
    void freshKey(TestInfo test) {
        key = "rl:" + test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void close() {
        toClose.forEach(RedisRateLimiter::close);
    }

    RedisRateLimiter limiter(int permits, Duration period, int burst) {
        var limiter = RedisRateLimiter.builder(client, key)
                .rate(permits, period)
                .burst(burst)
                // real time against a real server: generous, as a loaded CI box can stall a call
                // past the 1 s default (timeouts are tested on virtual time below)
                .timeout(Duration.ofSeconds(10))
                .build();
        toClose.add(limiter);
        return limiter;
    }

    // ---------------------------------------------------------------- bucket

    @Test
    void tryAcquireAsync_fullBucket_grantsTheBurstThenRefuses() {
        RateLimiter limiter = limiter(1, Duration.ofHours(1), 5);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquireAsync().join()).isTrue();
        }
        assertThat(limiter.tryAcquireAsync().join()).isFalse();
        assertThat(raw.sync().pttl(key))
                .as("the key expires once the bucket would be full")
                .isBetween(1L, 5 * 3_600_000L + 1_000);
    }

    @Test
    void acquire_twoLimitersOneKey_shareOneBucket() {
        var a = limiter(1, Duration.ofHours(1), 3);
        var b = limiter(1, Duration.ofHours(1), 3);
        assertThat(a.tryAcquireAsync(2).join()).isTrue();
        assertThat(b.tryAcquireAsync(2).join())
                .as("only one token left in the shared bucket")
                .isFalse();
        assertThat(b.tryAcquireAsync(1).join()).isTrue();
        assertThat(a.tryAcquireAsync(1).join()).isFalse();
    }

    @Test
    void acquire_waiters_grantedInFifoOrderWithoutPolling() {
        var limiter = limiter(200, Duration.ofSeconds(1), 1); // a token every 5 ms
        var order = new CopyOnWriteArrayList<Integer>();
        var futures = new ArrayList<CompletableFuture<Void>>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            futures.add(limiter.acquire().thenRun(() -> order.add(n)));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        RedisRateLimiter.Stats stats = limiter.stats();
        System.out.printf(
                "redis-limiter-fifo grants=%d scriptCalls=%d waits=%d%n",
                stats.granted(), stats.scriptCalls(), stats.waited());
        assertThat(order).isSorted().hasSize(40);
        assertThat(stats.granted()).isEqualTo(40);
        // one call per grant plus one per "due in w" answer that armed the timer: no polling loop
        assertThat(stats.scriptCalls()).isEqualTo(stats.granted() + stats.waited());
        assertThat(stats.waited()).isLessThanOrEqualTo(2L * stats.granted());
        assertThat(limiter.waiters()).isZero();
    }

    @Test
    void acquire_largerRequest_waitsForItsTokensAndKeepsItsPlace() {
        var limiter = limiter(100, Duration.ofSeconds(1), 4);
        assertThat(limiter.tryAcquireAsync(4).join()).isTrue();
        var big = limiter.acquire(3);
        var small = limiter.acquire(1);
        big.join();
        assertThat(small.join()).isNull();
        assertThat(limiter.stats().granted()).isEqualTo(3); // the try, big, small
    }

    // ---------------------------------------------------------------- cancellation, timeouts, close

    @Test
    void acquire_timeoutOnVirtualTime_failsAndLeavesTheQueue() {
        var clock = VirtualClock.create();
        var limiter = RedisRateLimiter.builder(client, key)
                .rate(1, Duration.ofHours(1))
                .burst(1)
                .timeSource(clock)
                .build();
        toClose.add(limiter);
        assertThat(limiter.acquire().join()).isNull();

        CompletableFuture<Void> late = limiter.acquire(1, Duration.ofMillis(100));
        assertThat(late).isNotDone();
        clock.advance(Duration.ofMillis(100));

        assertThat(late)
                .failsWithin(Duration.ZERO)
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(TimeoutException.class);
        assertThat(limiter.waiters()).isZero();
        assertThat(limiter.acquire(1, Duration.ZERO))
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(TimeoutException.class);
    }

    @Test
    void acquire_cancelledWaiter_isWithdrawnAndTheNextOneServed() {
        var limiter = limiter(20, Duration.ofSeconds(1), 1);
        assertThat(limiter.tryAcquireAsync().join()).isTrue();
        var first = limiter.acquire();
        var second = limiter.acquire();
        first.cancel(false);
        assertThat(second.join()).isNull();
        assertThat(limiter.waiters()).isZero();
    }

    @Test
    void close_pendingAcquiresFailWithClosedException() {
        var limiter = limiter(1, Duration.ofHours(1), 1);
        limiter.acquire().join();
        var pending = limiter.acquire();
        limiter.close();
        limiter.close();
        assertThat(pending)
                .failsWithin(Duration.ofSeconds(1))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(ClosedException.class);
        assertThat(limiter.acquire()).isCompletedExceptionally();
        assertThat(limiter.tryAcquireAsync().join()).isFalse();
    }

    // ---------------------------------------------------------------- Redis restarts

    @Test
    void acquire_scriptCacheFlushed_reloadsTheScript() {
        var limiter = limiter(1000, Duration.ofSeconds(1), 10);
        assertThat(limiter.tryAcquireAsync().join()).isTrue();
        raw.sync().scriptFlush(); // what a restarted Redis looks like to EVALSHA
        assertThat(limiter.tryAcquireAsync().join()).isTrue();
        assertThat(limiter.stats().failed()).isZero();
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void builder_badInput_rejectedNamingTheParameter() {
        assertThatThrownBy(() -> RedisRateLimiter.builder(client, "has space"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key");
        assertThatThrownBy(() -> RedisRateLimiter.builder(client, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisRateLimiter.builder(null, "k")).hasMessage("client");
        var builder = RedisRateLimiter.builder(client, key);
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rate");
        assertThatThrownBy(() -> builder.rate(0, Duration.ofSeconds(1))).hasMessageContaining("permits");
        assertThatThrownBy(() -> builder.rate(1, Duration.ofNanos(10))).hasMessageContaining("period");
        assertThatThrownBy(() -> builder.burst(0)).hasMessageContaining("burst");
        assertThatThrownBy(() -> RedisRateLimiter.builder(client, key)
                        .rate(1, Duration.ofDays(365 * 100))
                        .burst(1_000_000)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2^50");
        var limiter = limiter(10, Duration.ofSeconds(1), 10);
        assertThatThrownBy(() -> limiter.acquire(0)).hasMessageContaining("tokens");
        assertThatThrownBy(() -> limiter.acquire(11)).hasMessageContaining("burst");
        assertThatThrownBy(() -> limiter.tryAcquireAsync(11)).hasMessageContaining("burst");
        assertThatThrownBy(() -> limiter.acquire(1, null)).hasMessage("timeout");
    }
}
