package dev.asyncpatterns.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The cache's side of the {@link SecondLevel} SPI, with levels kept in this JVM (the redis module
 * tests the Redis one against a real server): read order, writes with the TTL, and every way a
 * level can fail becoming a miss.
 */
class SecondLevelTest {

    private final VirtualClock clock = VirtualClock.create();
    private final AtomicInteger calls = new AtomicInteger();

    /** A level in a map; each method's behaviour can be replaced to make it fail. */
    static class MapLevel implements SecondLevel<String, String> {
        final Map<String, String> values = new ConcurrentHashMap<>();
        final Map<String, Duration> ttls = new ConcurrentHashMap<>();
        final List<CompletableFuture<String>> pendingGets = new CopyOnWriteArrayList<>();
        volatile Function<String, CompletionStage<String>> get =
                key -> CompletableFuture.completedFuture(values.get(key));
        volatile boolean failPuts;
        volatile boolean holdGets;
        InvalidationListener<String> listener;

        @Override
        public CompletionStage<String> get(String key) {
            if (holdGets) {
                var pending = new CompletableFuture<String>();
                pendingGets.add(pending);
                return pending;
            }
            return get.apply(key);
        }

        @Override
        public CompletionStage<Void> put(String key, String value, Duration ttl) {
            if (failPuts) {
                throw new IllegalStateException("put refused");
            }
            values.put(key, value);
            ttls.put(key, ttl);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> invalidate(String key) {
            values.remove(key);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void subscribe(InvalidationListener<String> listener) {
            this.listener = listener;
        }
    }

    private MemoizedFunction<String, String> cache(MapLevel level) {
        return AsyncCaches.builder()
                .expireAfterWrite(Duration.ofMinutes(3))
                .timeSource(clock)
                .executor(Runnable::run)
                .secondLevel(level)
                .memoize(key -> CompletableFuture.completedFuture("loaded-" + key + "-" + calls.incrementAndGet()));
    }

    // ---------------------------------------------------------------- read order and writes

    @Test
    void apply_secondLevelHolds_answersFromItWithoutCallingTheFunction() {
        var level = new MapLevel();
        level.values.put("k", "from-level");
        assertThat(cache(level).apply("k")).isCompletedWithValue("from-level");
        assertThat(calls).hasValue(0);
    }

    @Test
    void apply_secondLevelMisses_callsTheFunctionAndWritesWithTheTtl() {
        var level = new MapLevel();
        assertThat(cache(level).apply("k")).isCompletedWithValue("loaded-k-1");
        assertThat(level.values).containsEntry("k", "loaded-k-1");
        assertThat(level.ttls).containsEntry("k", Duration.ofMinutes(3));
    }

    @Test
    void apply_firstLevelHolds_neverAsksTheSecondLevel() {
        var level = new MapLevel();
        var cache = cache(level);
        cache.apply("k").join();
        level.get = key -> {
            throw new AssertionError("second level read on a first-level hit");
        };
        assertThat(cache.apply("k")).isCompletedWithValue("loaded-k-1");
    }

    @Test
    void apply_concurrentCallersWhileTheLevelAnswers_shareOneRead() {
        var level = new MapLevel();
        level.holdGets = true;
        var cache = cache(level);
        var first = cache.apply("k");
        var second = cache.apply("k");
        assertThat(level.pendingGets).hasSize(1);
        level.pendingGets.getFirst().complete(null);
        assertThat(first).isCompletedWithValue("loaded-k-1");
        assertThat(second).isCompletedWithValue("loaded-k-1");
        assertThat(calls).hasValue(1);
    }

    // ---------------------------------------------------------------- failures are misses

    @Test
    void apply_levelFailsThrowsOrReturnsNull_theFunctionAnswers() {
        var level = new MapLevel();
        var cache = cache(level);
        level.get = key -> CompletableFuture.failedFuture(new IllegalStateException("down"));
        assertThat(cache.apply("a")).isCompletedWithValue("loaded-a-1");
        level.get = key -> {
            throw new IllegalStateException("thrown");
        };
        assertThat(cache.apply("b")).isCompletedWithValue("loaded-b-2");
        level.get = key -> null;
        assertThat(cache.apply("c")).isCompletedWithValue("loaded-c-3");
        level.holdGets = true;
        var late = cache.apply("d");
        level.pendingGets.getFirst().completeExceptionally(new IllegalStateException("timed out"));
        assertThat(late).isCompletedWithValue("loaded-d-4");
    }

    @Test
    void apply_putThrows_valueStillReturnedAndCached() {
        var level = new MapLevel();
        level.failPuts = true;
        var cache = cache(level);
        assertThat(cache.apply("k")).isCompletedWithValue("loaded-k-1");
        assertThat(cache.apply("k")).isCompletedWithValue("loaded-k-1");
        assertThat(calls).hasValue(1);
    }

    @Test
    void apply_abandonedWhileReadingTheLevel_neverCallsTheFunction() {
        var level = new MapLevel();
        level.holdGets = true;
        MemoizedFunction<String, String> cache = AsyncCaches.builder()
                .expireAfterWrite(Duration.ofMinutes(3))
                .executor(Runnable::run)
                .cancelAbandonedLoads()
                .secondLevel(level)
                .memoize(key -> CompletableFuture.completedFuture("loaded-" + calls.incrementAndGet()));
        var only = cache.apply("k");
        only.cancel(false);
        assertThat(level.pendingGets.getFirst())
                .as("the level's read is cancelled too")
                .isCancelled();
        assertThat(calls).hasValue(0);
    }

    // ---------------------------------------------------------------- invalidation

    @Test
    void invalidate_removesHereAndInTheLevel_andOtherInstancesDropTheirCopy() {
        var level = new MapLevel();
        var cache = cache(level);
        cache.apply("k").join();
        assertThat(cache.invalidate("k")).isCompleted();
        assertThat(cache.getIfPresent("k")).isNull();
        assertThat(level.values).doesNotContainKey("k");

        cache.apply("x").join();
        cache.apply("y").join();
        level.listener.invalidated("x"); // what another instance's invalidation looks like here
        assertThat(cache.getIfPresent("x")).isNull();
        assertThat(cache.getIfPresent("y")).isNotNull();
        level.listener.invalidatedAll();
        assertThat(cache.getIfPresent("y")).isNull();
        assertThat(level.values)
                .as("the shared level is not cleared by one instance")
                .containsKeys("x", "y");
    }

    @Test
    void invalidate_levelFails_localRemovalStandsAndTheFutureFails() {
        var level = new MapLevel() {
            @Override
            public CompletionStage<Void> invalidate(String key) {
                return CompletableFuture.failedFuture(new IllegalStateException("down"));
            }
        };
        var cache = cache(level);
        cache.apply("k").join();
        assertThat(cache.invalidate("k")).isCompletedExceptionally();
        assertThat(cache.getIfPresent("k")).isNull();
    }

    @Test
    void refresh_successfulReload_isWrittenToTheLevel() {
        var level = new MapLevel();
        MemoizedFunction<String, String> cache = AsyncCaches.builder()
                .refreshAfterWrite(Duration.ofMinutes(1))
                .staleIfError(Duration.ofMinutes(5))
                .timeSource(clock)
                .executor(Runnable::run)
                .secondLevel(level)
                .memoize(key -> CompletableFuture.completedFuture("v" + calls.incrementAndGet()));
        cache.apply("k").join();
        assertThat(level.ttls).as("refreshAfterWrite + maxStaleness").containsEntry("k", Duration.ofMinutes(6));
        clock.advance(Duration.ofMinutes(2));
        cache.apply("k").join(); // triggers the refresh, served the old value
        assertThat(level.values).containsEntry("k", "v2");
    }
}
