package dev.asyncpatterns.redis;

import static dev.asyncpatterns.redis.Redis.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.testkit.VirtualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The second level against a real redis-server: sharing, TTL, invalidation, bad values, bad input. */
class RedisSecondLevelTest {

    static RedisServer server;
    static RedisClient client;
    static StatefulRedisConnection<String, String> raw;

    final List<AutoCloseable> toClose = new ArrayList<>();
    String prefix;

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
    void freshPrefix(TestInfo test) {
        prefix = "t:" + test.getTestMethod().orElseThrow().getName() + ":";
    }

    @AfterEach
    void closeLevels() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** Counts calls; answers key k with "v-k-<call number>". */
    static final class Backend {
        final AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> load(String key) {
            return CompletableFuture.completedFuture("v-" + key + "-" + calls.incrementAndGet());
        }
    }

    /**
     * Real time against a real server: the default command timeout (100 ms) is a production budget,
     * and on a loaded 2-core CI box a command may wait that long for a CPU; a timed-out write is
     * cancelled and a timed-out read is a miss, which these tests would see as a wrong count. The
     * timeout behaviour itself is tested on virtual time (the last test).
     */
    static final Duration GENEROUS = Duration.ofSeconds(10);

    <V> RedisSecondLevel<String, V> level(RedisCodec<String, V> codec) {
        var level = RedisSecondLevel.builder(client, codec)
                .keyPrefix(prefix)
                .timeout(GENEROUS)
                .build();
        toClose.add(level);
        return level;
    }

    /**
     * The cache writes a loaded value to Redis after the load completes, without waiting for the
     * reply (a write is the level's business): wait until {@code level} has stored {@code n}.
     */
    static void awaitPuts(RedisSecondLevel<?, ?> level, long n) {
        eventually(GENEROUS, () -> level.stats().puts() >= n);
    }

    MemoizedFunction<String, String> instance(RedisSecondLevel<String, String> level, Backend backend) {
        return AsyncCaches.builder()
                .expireAfterWrite(Duration.ofMinutes(1))
                .executor(Runnable::run)
                .secondLevel(level)
                .memoize(backend::load);
    }

    // ---------------------------------------------------------------- sharing

    @Test
    void apply_missEverywhere_callsBackendOnceAndWritesRedisWithTheTtl() {
        var backend = new Backend();
        var level = level(StringCodec.UTF8);
        var cache = instance(level, backend);

        assertThat(cache.apply("a").join()).isEqualTo("v-a-1");
        awaitPuts(level, 1);

        assertThat(raw.sync().get(prefix + "a")).isEqualTo("v-a-1");
        assertThat(raw.sync().pttl(prefix + "a")).isBetween(1L, 60_000L);
        assertThat(level.stats().misses()).isEqualTo(1);
        assertThat(level.stats().puts()).isEqualTo(1);
    }

    @Test
    void apply_secondInstance_answersFromRedisWithoutBackendCall() {
        var backend = new Backend();
        var levelA = level(StringCodec.UTF8);
        var a = instance(levelA, backend);
        var levelB = level(StringCodec.UTF8);
        var b = instance(levelB, backend);

        a.apply("k").join();
        awaitPuts(levelA, 1); // else B's read may reach Redis before A's write
        assertThat(b.apply("k").join()).isEqualTo("v-k-1");
        assertThat(b.apply("k").join()).as("now in B's first level").isEqualTo("v-k-1");

        assertThat(backend.calls).hasValue(1);
        assertThat(levelB.stats().hits())
                .as("only the first read of B went to Redis")
                .isEqualTo(1);
    }

    @Test
    void apply_concurrentCallersOneKey_oneRedisReadAndOneBackendCall() {
        var backend = new Backend();
        var level = level(StringCodec.UTF8);
        var cache = instance(level, backend);
        var futures = new ArrayList<CompletableFuture<String>>();
        for (int i = 0; i < 200; i++) {
            futures.add(cache.apply("hot"));
        }
        futures.forEach(f -> assertThat(f.join()).isEqualTo("v-hot-1"));
        assertThat(backend.calls).hasValue(1);
        assertThat(level.stats().misses() + level.stats().hits()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- invalidation

    @Test
    void invalidate_removesFromRedisAndFromTheOtherInstancesFirstLevel() {
        var backend = new Backend();
        var levelA = level(StringCodec.UTF8);
        var a = instance(levelA, backend);
        var levelB = level(StringCodec.UTF8);
        var b = instance(levelB, backend);
        a.apply("k").join();
        awaitPuts(levelA, 1);
        assertThat(b.apply("k").join()).as("read from Redis").isEqualTo("v-k-1");
        assertThat(b.getIfPresent("k")).isNotNull();

        a.invalidate("k").join();

        assertThat(raw.sync().exists(prefix + "k")).isZero();
        assertThat(a.getIfPresent("k")).isNull();
        eventually(Duration.ofSeconds(5), () -> b.getIfPresent("k") == null);
        assertThat(levelB.stats().invalidationsReceived()).isEqualTo(1);
        assertThat(b.apply("k").join()).as("reloaded afresh").isEqualTo("v-k-2");
    }

    @Test
    void invalidate_ownMessage_doesNotEvictTheFreshValueAgain() {
        var backend = new Backend();
        var level = level(StringCodec.UTF8);
        var a = instance(level, backend);
        a.apply("k").join();
        a.invalidate("k").join();
        a.apply("k").join(); // reloaded before our own message comes back
        var other = level(StringCodec.UTF8); // a second subscriber: once it got the message, so did we
        instance(other, new Backend());
        var levelC = level(StringCodec.UTF8);
        instance(levelC, new Backend());
        a.invalidate("x").join();
        eventually(Duration.ofSeconds(5), () -> levelC.stats().invalidationsReceived() == 1);
        assertThat(level.stats().invalidationsReceived())
                .as("own messages skipped")
                .isZero();
        assertThat(a.getIfPresent("k")).isNotNull();
    }

    // ---------------------------------------------------------------- bad values and input

    @Test
    void get_corruptValue_isAMissCountedAsCorruptAndTheBackendAnswers() {
        var level = level(new Redis.IntCodec());
        var backend = new AtomicInteger();
        MemoizedFunction<String, Integer> cache = AsyncCaches.builder()
                .expireAfterWrite(Duration.ofMinutes(1))
                .executor(Runnable::run)
                .secondLevel(level)
                .memoize(key -> CompletableFuture.completedFuture(backend.incrementAndGet() * 100));
        raw.sync().set(prefix + "n", "not a number");

        assertThat(cache.apply("n").join()).isEqualTo(100);
        awaitPuts(level, 1);

        assertThat(level.stats().corrupt()).isEqualTo(1);
        assertThat(level.stats().failed()).isZero();
        assertThat(raw.sync().get(prefix + "n"))
                .as("overwritten with a good value")
                .isEqualTo("100");
    }

    /** A codec that decodes whatever was stored as the String it is, typed as Integer by erasure. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static RedisCodec<String, Integer> lyingCodec() {
        return (RedisCodec) StringCodec.UTF8;
    }

    @Test
    void get_valueOfTheWrongType_isAMissNotAClassCastException() {
        var level = RedisSecondLevel.builder(client, lyingCodec())
                .keyPrefix(prefix)
                .valueType(Integer.class)
                .timeout(GENEROUS)
                .build();
        toClose.add(level);
        MemoizedFunction<String, Integer> cache = AsyncCaches.builder()
                .expireAfterWrite(Duration.ofMinutes(1))
                .executor(Runnable::run)
                .secondLevel(level)
                .memoize(key -> CompletableFuture.completedFuture(7));
        raw.sync().set(prefix + "n", "a string written by another version");

        Integer value = cache.apply("n").join(); // a ClassCastException would surface here

        assertThat(value).isEqualTo(7);
        assertThat(level.stats().corrupt()).isEqualTo(1);
    }

    @Test
    void keyPrefix_invalid_rejectedNamingTheParameter() {
        var builder = RedisSecondLevel.builder(client, StringCodec.UTF8);
        for (String bad : new String[] {"", "has space", "glob*", "new\nline", "x".repeat(129)}) {
            assertThatThrownBy(() -> builder.keyPrefix(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("keyPrefix");
        }
        assertThatThrownBy(() -> builder.keyPrefix(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("keyPrefix");
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("keyPrefix");
        builder.keyPrefix("ok:");
        assertThatThrownBy(() -> builder.keyPrefix("again:")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void builder_badArguments_rejectedAtOnce() {
        assertThatThrownBy(() -> RedisSecondLevel.builder(null, StringCodec.UTF8))
                .hasMessage("client");
        assertThatThrownBy(() -> RedisSecondLevel.builder(client, null)).hasMessage("codec");
        var builder = RedisSecondLevel.builder(client, StringCodec.UTF8);
        assertThatThrownBy(() -> builder.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.circuitBreaker(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.circuitBreaker(1, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        var level = level(StringCodec.UTF8);
        assertThatThrownBy(() -> level.get(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("key");
        assertThatThrownBy(() -> level.put("k", null, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("value");
        assertThatThrownBy(() -> level.put("k", "v", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secondLevel_withoutTtl_rejectedByTheCacheBuilder() {
        var level = level(StringCodec.UTF8);
        assertThatThrownBy(() ->
                        AsyncCaches.builder().secondLevel(level).memoize(k -> CompletableFuture.completedFuture("v")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("time to live");
    }

    @Test
    void close_laterCallsFailWithClosedException() {
        var level = level(StringCodec.UTF8);
        level.close();
        level.close();
        assertThat(level.get("k"))
                .failsWithin(Duration.ofSeconds(1))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(ClosedException.class);
        assertThat(level.invalidate("k")).isCompletedExceptionally();
    }

    // ---------------------------------------------------------------- slow Redis, on virtual time

    @Test
    void apply_redisPaused_backendAnswersAfterTheTimeoutAndTheCircuitOpens() {
        var clock = VirtualClock.create();
        var level = RedisSecondLevel.builder(client, StringCodec.UTF8)
                .keyPrefix(prefix)
                .timeout(Duration.ofMillis(100))
                .circuitBreaker(2, Duration.ofSeconds(10))
                .timeSource(clock)
                .build();
        toClose.add(level);
        var backend = new Backend();
        var cache = instance(level, backend);
        raw.sync().clientPause(1_000); // Redis stops answering every client for 1 s (real time)

        CompletableFuture<String> first = cache.apply("a");
        assertThat(first).isNotDone();
        clock.advance(Duration.ofMillis(100));
        assertThat(first).isCompletedWithValue("v-a-1");

        CompletableFuture<String> second = cache.apply("b");
        clock.advance(Duration.ofMillis(100));
        assertThat(second).isCompletedWithValue("v-b-2");
        assertThat(level.stats().circuitState()).isEqualTo(CircuitState.OPEN);

        assertThat(cache.apply("c")).as("open circuit: no wait at all").isCompletedWithValue("v-c-3");
        RedisSecondLevel.Stats stats = level.stats();
        assertThat(stats.timedOut()).as("GET a, the SET of a's value, GET b").isEqualTo(3);
        assertThat(stats.rejected())
                .as("the SET of b's value, GET c, SET of c's value")
                .isEqualTo(3);
        assertThat(level.get("z"))
                .failsWithin(Duration.ofSeconds(1))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(RedisUnavailableException.class);
        assertThat(level.put("z", "v", null).handle((v, f) -> f))
                .isCompletedWithValueMatching(f ->
                        f instanceof RedisUnavailableException || f.getCause() instanceof RedisUnavailableException);
    }
}
