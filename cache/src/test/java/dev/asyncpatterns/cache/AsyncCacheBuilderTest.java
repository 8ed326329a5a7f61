package dev.asyncpatterns.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsyncCacheBuilderTest {

    private final VirtualClock clock = VirtualClock.create();

    private AsyncCacheBuilder<Object, Object> builder() {
        return AsyncCaches.builder().timeSource(clock).executor(Runnable::run);
    }

    /** Counts calls and answers "key#call". */
    private static final class Counting implements java.util.function.Function<String, CompletableFuture<String>> {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public CompletableFuture<String> apply(String key) {
            return CompletableFuture.completedFuture(key + "#" + calls.incrementAndGet());
        }
    }

    // ---------------------------------------------------------------- expiry on the virtual clock

    @Test
    void expireAfterWrite_entryReloadedOnlyAfterTtl() {
        var fn = new Counting();
        MemoizedFunction<String, String> memo =
                builder().expireAfterWrite(Duration.ofMinutes(5)).memoize(fn);
        assertThat(memo.apply("a").join()).isEqualTo("a#1");
        clock.advance(Duration.ofMinutes(4));
        assertThat(memo.apply("a").join()).isEqualTo("a#1");
        clock.advance(Duration.ofMinutes(1));
        assertThat(memo.apply("a").join()).isEqualTo("a#2");
    }

    @Test
    void expireAfterAccess_readsKeepEntryAlive() {
        var fn = new Counting();
        MemoizedFunction<String, String> memo =
                builder().expireAfterAccess(Duration.ofSeconds(10)).memoize(fn);
        memo.apply("a").join();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(9));
            assertThat(memo.apply("a").join()).isEqualTo("a#1");
        }
        clock.advance(Duration.ofSeconds(10));
        assertThat(memo.apply("a").join()).isEqualTo("a#2");
    }

    @Test
    void expireAfterWriteAndAccess_combined_whicheverComesFirst() {
        var fn = new Counting();
        MemoizedFunction<String, String> memo = builder()
                .expireAfterWrite(Duration.ofSeconds(30))
                .expireAfterAccess(Duration.ofSeconds(10))
                .memoize(fn);
        memo.apply("a").join();
        clock.advance(Duration.ofSeconds(8));
        memo.apply("a").join();
        clock.advance(Duration.ofSeconds(8));
        memo.apply("a").join();
        clock.advance(Duration.ofSeconds(8));
        memo.apply("a").join();
        assertThat(fn.calls).hasValue(1);
        clock.advance(Duration.ofSeconds(8)); // 32 s after write, last read 8 s ago
        assertThat(memo.apply("a").join()).isEqualTo("a#2");
    }

    @Test
    void expireAfter_perEntryTtlFromValue() {
        MemoizedFunction<String, Duration> memo = builder()
                .expireAfter((String key, Duration ttl) -> ttl)
                .memoize((String key) -> CompletableFuture.completedFuture(Duration.parse(key)));
        memo.apply("PT1S").join();
        memo.apply("PT1M").join();
        clock.advance(Duration.ofSeconds(2));
        assertThat(memo.getIfPresent("PT1S")).isNull();
        assertThat(memo.getIfPresent("PT1M")).isNotNull();
        clock.advance(Duration.ofMinutes(1));
        assertThat(memo.getIfPresent("PT1M")).isNull();
    }

    @Test
    void expiry_removalListenerToldOnTheVirtualClock() {
        var removed = new CopyOnWriteArrayList<RemovalCause>();
        MemoizedFunction<String, String> memo = builder()
                .expireAfterWrite(Duration.ofSeconds(5))
                .<String, String>removalListener((key, value, cause) -> removed.add(cause))
                .memoize(new Counting());
        memo.apply("a").join();
        clock.advance(Duration.ofSeconds(10)); // Caffeine's scheduler runs on the clock: no read needed
        assertThat(removed).containsExactly(RemovalCause.EXPIRED);
        assertThat(memo.stats().evictions()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- refresh and stale-if-error

    @Test
    void refreshAfterWrite_servesCurrentValueWhileReloading() {
        var backend = new MemoizedFunctionTest.Backend();
        MemoizedFunction<String, String> memo =
                builder().refreshAfterWrite(Duration.ofSeconds(30)).memoize(backend);
        memo.apply("k");
        backend.last("k").complete("v1");
        clock.advance(Duration.ofSeconds(31));
        assertThat(memo.apply("k").join()).isEqualTo("v1"); // triggers the reload, answers at once
        assertThat(backend.calls("k")).isEqualTo(2);
        assertThat(memo.apply("k").join()).isEqualTo("v1"); // reload in flight: still the old value
        assertThat(backend.calls("k")).isEqualTo(2);
        backend.last("k").complete("v2");
        assertThat(memo.apply("k").join()).isEqualTo("v2");
    }

    @Test
    void refreshAfterWrite_failureWithoutStaleIfError_entryRemovedAndReported() {
        var backend = new MemoizedFunctionTest.Backend();
        var events = new CopyOnWriteArrayList<CacheEvent<String>>();
        MemoizedFunction<String, String> memo = builder()
                .refreshAfterWrite(Duration.ofSeconds(30))
                .<String>onEvent(events::add)
                .memoize(backend);
        memo.apply("k");
        backend.last("k").complete("v1");
        clock.advance(Duration.ofSeconds(31));
        assertThat(memo.apply("k").join()).isEqualTo("v1");
        backend.last("k").completeExceptionally(new IllegalStateException("backend down"));
        assertThat(memo.getIfPresent("k")).isNull();
        assertThat(memo.stats().refreshFailures()).isEqualTo(1);
        assertThat(events).singleElement().isInstanceOfSatisfying(CacheEvent.RefreshFailed.class, e -> {
            assertThat(e.servingStale()).isFalse();
            assertThat(e.failure()).hasMessage("backend down");
        });
    }

    @Test
    void staleIfError_refreshFails_oldValueServedUntilMaxStalenessThenLoadFails() {
        var backend = new MemoizedFunctionTest.Backend();
        var events = new CopyOnWriteArrayList<CacheEvent<String>>();
        MemoizedFunction<String, String> memo = builder()
                .refreshAfterWrite(Duration.ofSeconds(30))
                .staleIfError(Duration.ofMinutes(5))
                .<String>onEvent(events::add)
                .memoize(backend);
        memo.apply("k");
        backend.last("k").complete("v1");

        clock.advance(Duration.ofSeconds(31));
        assertThat(memo.apply("k").join()).isEqualTo("v1");
        backend.last("k").completeExceptionally(new IllegalStateException("down"));
        clock.advance(Duration.ofMinutes(2));
        assertThat(memo.apply("k").join()).isEqualTo("v1"); // stale, and retries the refresh (the pause is over)
        backend.last("k").completeExceptionally(new IllegalStateException("still down"));
        assertThat(memo.stats().refreshFailures()).isEqualTo(2);
        assertThat(events)
                .hasSize(2)
                .allSatisfy(e -> assertThat(((CacheEvent.RefreshFailed<String>) e).servingStale())
                        .isTrue());

        clock.advance(Duration.ofMinutes(3)); // 5:31 after write: past refresh (0:30) + max staleness (5:00)
        var afterLimit = memo.apply("k");
        assertThat(afterLimit).isNotDone(); // a real load, the caller waits
        backend.last("k").completeExceptionally(new IllegalStateException("down for good"));
        assertThatThrownBy(afterLimit::join).hasMessageContaining("down for good");
    }

    @Test
    void staleIfError_failedRefresh_notRetriedBeforeOneRefreshInterval() {
        var backend = new MemoizedFunctionTest.Backend();
        MemoizedFunction<String, String> memo = builder()
                .refreshAfterWrite(Duration.ofSeconds(30))
                .staleIfError(Duration.ofMinutes(5))
                .memoize(backend);
        loadThenFailRefresh(memo, backend, "k"); // loaded at 0 s, due at 30 s, failed at 31 s
        assertThat(backend.calls("k")).isEqualTo(2);

        for (int second = 0; second < 29; second++) { // a busy key, read every second
            clock.advance(Duration.ofSeconds(1));
            assertThat(memo.apply("k").join()).isEqualTo("v1");
        }
        assertThat(backend.calls("k")).as("no refresh within the pause").isEqualTo(2);
        assertThat(memo.stats().refreshFailures()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2)); // 31 s after the failure
        assertThat(memo.apply("k").join()).isEqualTo("v1");
        assertThat(backend.calls("k")).as("retried once the pause is over").isEqualTo(3);
        backend.last("k").complete("v2");
        assertThat(memo.apply("k").join()).isEqualTo("v2");
    }

    @Test
    void staleIfError_ownRetryPause_usedInsteadOfTheRefreshInterval() {
        var backend = new MemoizedFunctionTest.Backend();
        MemoizedFunction<String, String> memo = builder()
                .refreshAfterWrite(Duration.ofSeconds(30))
                .staleIfError(Duration.ofMinutes(5), Duration.ofSeconds(5))
                .memoize(backend);
        loadThenFailRefresh(memo, backend, "k");

        clock.advance(Duration.ofSeconds(4));
        memo.apply("k");
        assertThat(backend.calls("k")).isEqualTo(2);
        clock.advance(Duration.ofSeconds(2));
        memo.apply("k");
        assertThat(backend.calls("k")).isEqualTo(3);
    }

    @Test
    void staleIfError_pauseIsPerKey() {
        var backend = new MemoizedFunctionTest.Backend();
        MemoizedFunction<String, String> memo = builder()
                .refreshAfterWrite(Duration.ofSeconds(30))
                .staleIfError(Duration.ofMinutes(5))
                .memoize(backend);
        memo.apply("a");
        backend.last("a").complete("a1");
        memo.apply("b");
        backend.last("b").complete("b1");
        clock.advance(Duration.ofSeconds(31));
        memo.apply("a");
        backend.last("a").completeExceptionally(new IllegalStateException("a is down"));

        memo.apply("b"); // b's refresh is not held back by a's failure
        assertThat(backend.calls("b")).isEqualTo(2);
    }

    /** Loads {@code key} as "v1", then, 31 s later, starts its refresh (30 s interval) and fails it. */
    private void loadThenFailRefresh(
            MemoizedFunction<String, String> memo, MemoizedFunctionTest.Backend backend, String key) {
        memo.apply(key);
        backend.last(key).complete("v1");
        clock.advance(Duration.ofSeconds(31));
        memo.apply(key);
        backend.last(key).completeExceptionally(new IllegalStateException("down"));
    }

    @Test
    void staleIfError_badRetryPause_throws() {
        assertThatThrownBy(() -> builder().staleIfError(Duration.ofMinutes(5), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retryAfter");
        assertThatThrownBy(() -> builder().staleIfError(Duration.ofMinutes(5), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("retryAfter");
    }

    @Test
    void staleIfError_refreshSucceedsAfterFailure_freshValueAndNewDeadline() {
        var backend = new MemoizedFunctionTest.Backend();
        MemoizedFunction<String, String> memo = builder()
                .refreshAfterWrite(Duration.ofSeconds(30))
                .staleIfError(Duration.ofMinutes(1))
                .memoize(backend);
        memo.apply("k");
        backend.last("k").complete("v1");
        clock.advance(Duration.ofSeconds(31));
        memo.apply("k");
        backend.last("k").completeExceptionally(new IllegalStateException("blip"));
        clock.advance(Duration.ofSeconds(40));
        memo.apply("k");
        backend.last("k").complete("v2");
        clock.advance(Duration.ofSeconds(60)); // the old deadline passed; the new one has not
        assertThat(memo.getIfPresent("k").join()).isEqualTo("v2");
    }

    @Test
    void refresh_caffeineRefreshOfAbsentKey_loadsThroughTheFunction() {
        var fn = new Counting();
        MemoizedFunction<String, String> memo =
                builder().refreshAfterWrite(Duration.ofSeconds(1)).memoize(fn);
        var loading = (com.github.benmanes.caffeine.cache.AsyncLoadingCache<String, String>) memo.cache();
        assertThat(loading.synchronous().refresh("a"))
                .succeedsWithin(Duration.ofSeconds(5))
                .isEqualTo("a#1");
        assertThat(loading.getAll(java.util.List.of("b", "c")).join())
                .containsEntry("b", "b#2")
                .containsEntry("c", "c#3");
        assertThat(memo.apply("a").join()).isEqualTo("a#1");
    }

    @Test
    void refresh_executorRejects_reportedAsRefreshFailureNotStranded() {
        var events = new CopyOnWriteArrayList<CacheEvent<String>>();
        var fn = new Counting();
        MemoizedFunction<String, String> memo = AsyncCaches.builder()
                .timeSource(clock)
                .executor(task -> {
                    throw new java.util.concurrent.RejectedExecutionException("saturated");
                })
                .refreshAfterWrite(Duration.ofSeconds(1))
                .staleIfError(Duration.ofMinutes(1))
                .<String>onEvent(events::add)
                .memoize(fn);
        assertThat(memo.apply("a").join()).isEqualTo("a#1");
        clock.advance(Duration.ofSeconds(2));
        assertThat(memo.apply("a").join()).isEqualTo("a#1");
        assertThat(events)
                .singleElement()
                .isInstanceOfSatisfying(
                        CacheEvent.RefreshFailed.class,
                        e -> assertThat(e.failure())
                                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class));
        clock.advance(Duration.ofMillis(1_001)); // past the retry pause (one refresh interval)
        assertThat(memo.apply("a").join()).isEqualTo("a#1"); // the refresh is retried: not stuck "in flight"
        assertThat(memo.stats().refreshFailures()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- bounds

    @Test
    void maximumSize_evictsBeyondBound() {
        var removed = new CopyOnWriteArrayList<RemovalCause>();
        MemoizedFunction<Integer, Integer> memo = builder()
                .maximumSize(10)
                .<Integer, Integer>evictionListener((k, v, cause) -> removed.add(cause))
                .memoize((Integer k) -> CompletableFuture.completedFuture(k));
        for (int i = 0; i < 100; i++) {
            memo.apply(i).join();
        }
        memo.cache().synchronous().cleanUp();
        assertThat(memo.estimatedSize()).isEqualTo(10);
        assertThat(removed).hasSize(90).containsOnly(RemovalCause.SIZE);
        assertThat(memo.stats().evictions()).isEqualTo(90);
    }

    @Test
    void maximumWeight_evictsByWeight() {
        MemoizedFunction<String, String> memo = builder()
                .maximumWeight(10, (String k, String v) -> v.length())
                .memoize((String k) -> CompletableFuture.completedFuture(k));
        memo.apply("aaaa").join();
        memo.apply("bbbb").join();
        memo.apply("cccc").join();
        memo.cache().synchronous().cleanUp();
        assertThat(memo.cache()
                        .synchronous()
                        .policy()
                        .eviction()
                        .orElseThrow()
                        .weightedSize()
                        .orElseThrow())
                .isLessThanOrEqualTo(10);
        assertThat(memo.stats().evictionWeight()).isEqualTo(4);
    }

    @Test
    void unbounded_hasNoEvictionPolicy() {
        AsyncCache<String, String> cache = builder().unbounded().build();
        assertThat(cache.synchronous().policy().eviction()).isEmpty();
    }

    @Test
    void build_plainCaffeineCache_onTheVirtualClock() {
        AsyncCache<String, String> cache = builder()
                .maximumSize(100)
                .expireAfterWrite(Duration.ofSeconds(1))
                .build();
        cache.put("a", CompletableFuture.completedFuture("x"));
        assertThat(cache.getIfPresent("a")).isNotNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.getIfPresent("a")).isNull();
    }

    // ---------------------------------------------------------------- bad arguments and combinations

    @Test
    void setters_badArguments_rejectedNamingTheParameter() {
        var b = AsyncCaches.builder();
        assertThatThrownBy(() -> b.maximumSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximumSize")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> b.maximumSize(-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-5");
        assertThatThrownBy(() -> b.maximumWeight(0, (k, v) -> 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximumWeight");
        assertThatThrownBy(() -> b.maximumWeight(1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("weigher");
        assertThatThrownBy(() -> b.expireAfterWrite(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttl");
        assertThatThrownBy(() -> b.expireAfterWrite(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("ttl");
        assertThatThrownBy(() -> b.expireAfterAccess(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("idle");
        assertThatThrownBy(() -> b.refreshAfterWrite(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("interval");
        assertThatThrownBy(() -> b.staleIfError(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxStaleness");
        assertThatThrownBy(() -> b.negativeCaching(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttl");
        assertThatThrownBy(() -> b.negativeCaching(Duration.ofSeconds(1), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("which");
        assertThatThrownBy(() -> b.timeSource(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeSource");
        assertThatThrownBy(() -> b.executor(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("executor");
        assertThatThrownBy(() -> b.expireAfter(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("ttlOf");
        assertThatThrownBy(() -> b.removalListener(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("listener");
        assertThatThrownBy(() -> b.evictionListener(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("listener");
        assertThatThrownBy(() -> b.onEvent(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("listener");
        assertThatThrownBy(() -> b.memoize(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("function");
        assertThat(b.maximumSize(Long.MAX_VALUE).build()).isNotNull(); // the failed calls left no state behind
    }

    @Test
    void setters_givenTwice_rejected() {
        assertThatThrownBy(() -> AsyncCaches.builder().maximumSize(1).maximumSize(2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maximumSize(1)");
        assertThatThrownBy(() -> AsyncCaches.builder().maximumSize(1).unbounded())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AsyncCaches.builder().unbounded().maximumWeight(5, (k, v) -> 1))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AsyncCaches.builder()
                        .expireAfterWrite(Duration.ofSeconds(1))
                        .expireAfterWrite(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expireAfterWrite was already set to PT1S");
        assertThatThrownBy(() -> AsyncCaches.builder().cancelAbandonedLoads().cancelAbandonedLoads())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AsyncCaches.builder().disableStats().disableStats())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void combinations_invalid_rejectedWithReason() {
        assertThatThrownBy(() -> AsyncCaches.builder()
                        .staleIfError(Duration.ofSeconds(1))
                        .memoize(k -> null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("requires refreshAfterWrite");
        assertThatThrownBy(() -> AsyncCaches.builder()
                        .refreshAfterWrite(Duration.ofSeconds(1))
                        .staleIfError(Duration.ofSeconds(1))
                        .expireAfterWrite(Duration.ofSeconds(5))
                        .memoize(k -> null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("hard expiry");
        assertThatThrownBy(() -> AsyncCaches.builder()
                        .expireAfter((k, v) -> Duration.ZERO)
                        .expireAfterWrite(Duration.ofSeconds(5))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expireAfter(ttlOf)");
        assertThatThrownBy(() -> AsyncCaches.builder()
                        .refreshAfterWrite(Duration.ofSeconds(5))
                        .expireAfterWrite(Duration.ofSeconds(5))
                        .memoize(k -> null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shorter");
        for (var memoOnly : List.<java.util.function.UnaryOperator<AsyncCacheBuilder<Object, Object>>>of(
                b -> b.refreshAfterWrite(Duration.ofSeconds(1)),
                b -> b.negativeCaching(Duration.ofSeconds(1)),
                AsyncCacheBuilder::cancelAbandonedLoads,
                b -> b.onEvent(e -> {}))) {
            assertThatThrownBy(() -> memoOnly.apply(AsyncCaches.builder()).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not to build()");
        }
    }

    @Test
    void disableStats_caffeineCountersStayZero() {
        MemoizedFunction<String, String> memo = builder().disableStats().memoize(new Counting());
        memo.apply("a").join();
        memo.apply("a").join();
        assertThat(memo.stats().requests()).isZero();
    }

    @Test
    void stats_loadTimeRecordedPerLoad() {
        var backend = new MemoizedFunctionTest.Backend();
        MemoizedFunction<String, String> memo = builder().memoize(backend);
        var f = memo.apply("k");
        clock.advance(Duration.ofMillis(250));
        backend.last("k").complete("v");
        f.join();
        // Caffeine times loads with the system ticker, not the configured one
        var stats = memo.stats();
        assertThat(stats.loadSuccesses()).isEqualTo(1);
        assertThat(stats.loadTime()).isPositive();
        assertThat(stats.averageLoadTime()).isEqualTo(stats.loadTime());
    }
}
