package dev.asyncpatterns.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {

    private final VirtualClock clock = VirtualClock.create();

    /** Records each bulk call; answers key -> "v" + key for keys below 1,000, leaves others out. */
    private final List<Set<Integer>> calls = new CopyOnWriteArrayList<>();

    private final List<CompletableFuture<Map<Integer, String>>> pendingCalls = new CopyOnWriteArrayList<>();

    private CompletableFuture<Map<Integer, String>> bulk(Set<Integer> keys) {
        calls.add(keys);
        var result = new HashMap<Integer, String>();
        for (Integer key : keys) {
            if (key < 1_000) {
                result.put(key, "v" + key);
            }
        }
        return CompletableFuture.completedFuture(result);
    }

    private CompletableFuture<Map<Integer, String>> manualBulk(Set<Integer> keys) {
        calls.add(keys);
        var future = new CompletableFuture<Map<Integer, String>>();
        pendingCalls.add(future);
        return future;
    }

    private BatchLoader.Builder<Integer, String> builder() {
        return BatchLoader.<Integer, String>builder(this::bulk).timeSource(clock);
    }

    // ---------------------------------------------------------------- windows on the virtual clock

    @Test
    void load_callsWithinWindow_coalescedIntoOneBulkCall() {
        var loader = builder().window(Duration.ofMillis(10)).build();
        var a = loader.load(1);
        clock.advance(Duration.ofMillis(4));
        var b = loader.load(2);
        var c = loader.load(3);
        assertThat(calls).isEmpty();
        clock.advance(Duration.ofMillis(5));
        assertThat(calls).isEmpty(); // 9 ms after the first key
        clock.advance(Duration.ofMillis(1));
        assertThat(calls).containsExactly(Set.of(1, 2, 3));
        assertThat(List.of(a.join(), b.join(), c.join())).containsExactly("v1", "v2", "v3");
        assertThat(loader.stats().batches()).isEqualTo(1);
        assertThat(loader.pendingKeys()).isZero();
    }

    @Test
    void load_afterWindowClosed_startsNewBatch() {
        var loader = builder().window(Duration.ofMillis(10)).build();
        loader.load(1);
        clock.advance(Duration.ofMillis(10));
        loader.load(2);
        clock.advance(Duration.ofMillis(10));
        assertThat(calls).containsExactly(Set.of(1), Set.of(2));
    }

    @Test
    void load_batchFull_sentAtOnceWithoutWaitingForWindow() {
        var loader = builder().maxBatchSize(3).window(Duration.ofSeconds(1)).build();
        loader.load(1);
        loader.load(2);
        var third = loader.load(3);
        assertThat(calls).containsExactly(Set.of(1, 2, 3));
        assertThat(third.join()).isEqualTo("v3");
        loader.load(4);
        clock.advance(Duration.ofSeconds(1)); // the first batch's timer is gone; the new one fires
        assertThat(calls).containsExactly(Set.of(1, 2, 3), Set.of(4));
        assertThat(clock.pendingTimers()).isZero();
        assertThat(loader.stats().largestBatch()).isEqualTo(3);
    }

    @Test
    void load_sameKeyTwiceInBatch_sentOnce() {
        var loader = builder().build();
        var a = loader.load(7);
        var b = loader.load(7);
        clock.advance(BatchLoader.DEFAULT_WINDOW);
        assertThat(calls).containsExactly(Set.of(7));
        assertThat(a.join()).isEqualTo("v7");
        assertThat(b.join()).isEqualTo("v7");
    }

    @Test
    void dispatch_sendsNowAndCancelsWindow() {
        var loader = builder().window(Duration.ofSeconds(1)).build();
        var a = loader.load(1);
        loader.dispatch();
        assertThat(a.join()).isEqualTo("v1");
        assertThat(clock.pendingTimers()).isZero();
        loader.dispatch(); // nothing waiting: no call
        assertThat(calls).hasSize(1);
    }

    @Test
    void window_zero_sentAtNextTick() {
        var loader = builder().window(Duration.ZERO).build();
        var a = loader.load(1);
        var b = loader.load(2);
        assertThat(a).isNotDone();
        clock.runDueTasks();
        assertThat(calls).containsExactly(Set.of(1, 2));
        assertThat(b.join()).isEqualTo("v2");
    }

    // ---------------------------------------------------------------- results

    @Test
    void missingKey_failByDefault_withNoSuchElementNamingTheKey() {
        var loader = builder().build();
        var present = loader.load(1);
        var missing = loader.load(1_234);
        loader.dispatch();
        assertThat(present.join()).isEqualTo("v1");
        assertThatThrownBy(missing::join)
                .hasCauseInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("1234");
        assertThat(loader.stats().missingKeys()).isEqualTo(1);
    }

    @Test
    void missingKey_nullPolicy_completesWithNull() {
        var loader = builder().missingKeys(BatchLoader.MissingKeys.NULL).build();
        var missing = loader.load(5_000);
        loader.dispatch();
        assertThat(missing.join()).isNull();
    }

    @Test
    void bulkFails_everyKeyOfBatchFailsWithSameException() {
        var boom = new IllegalStateException("db down");
        var loader = BatchLoader.<Integer, String>builder(keys -> CompletableFuture.failedFuture(boom))
                .timeSource(clock)
                .build();
        var a = loader.load(1);
        var b = loader.load(2);
        loader.dispatch();
        assertThatThrownBy(a::join).hasCause(boom);
        assertThatThrownBy(b::join).hasCause(boom);
        assertThat(loader.stats().failedBatches()).isEqualTo(1);
        assertThat(loader.pendingKeys()).isZero();
    }

    @Test
    void bulkThrowsOrReturnsNull_keysFailClearly() {
        var throwing = BatchLoader.<Integer, String>builder(keys -> {
                    throw new IllegalArgumentException("bad batch");
                })
                .timeSource(clock)
                .build();
        var a = throwing.load(1);
        throwing.dispatch();
        assertThatThrownBy(a::join).hasCauseInstanceOf(IllegalArgumentException.class);

        var nullFuture = BatchLoader.<Integer, String>builder(keys -> null)
                .timeSource(clock)
                .build();
        var b = nullFuture.load(1);
        nullFuture.dispatch();
        assertThatThrownBy(b::join)
                .hasCauseInstanceOf(NullPointerException.class)
                .hasMessageContaining("returned null");

        var nullMap = BatchLoader.<Integer, String>builder(keys -> CompletableFuture.completedFuture(null))
                .timeSource(clock)
                .build();
        var c = nullMap.load(1);
        nullMap.dispatch();
        assertThatThrownBy(c::join)
                .hasCauseInstanceOf(NullPointerException.class)
                .hasMessageContaining("null instead of a map");
    }

    @Test
    void loadAll_returnsEveryKeyAndSplitsByBatchSize() {
        var loader = builder().maxBatchSize(2).build();
        var all = loader.loadAll(List.of(1, 2, 3, 3));
        clock.advance(BatchLoader.DEFAULT_WINDOW);
        assertThat(all.join()).containsExactlyInAnyOrderEntriesOf(Map.of(1, "v1", 2, "v2", 3, "v3"));
        assertThat(calls).containsExactly(Set.of(1, 2), Set.of(3));
    }

    // ---------------------------------------------------------------- bounds and cancellation

    @Test
    void maxPendingKeys_reached_furtherLoadsRejectedAtOnce() {
        var loader = BatchLoader.<Integer, String>builder(this::manualBulk)
                .timeSource(clock)
                .maxBatchSize(2)
                .maxPendingKeys(3)
                .build();
        loader.load(1);
        loader.load(2); // full: in flight
        loader.load(3);
        var refused = loader.load(4);
        assertThat(refused).isCompletedExceptionally();
        assertThatThrownBy(refused::join)
                .hasCauseInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("maxPendingKeys 3");
        assertThat(loader.stats().rejectedKeys()).isEqualTo(1);
        pendingCalls.get(0).complete(Map.of(1, "a", 2, "b"));
        assertThat(loader.pendingKeys()).isEqualTo(1);
        assertThat(loader.load(4)).isNotDone(); // room again
    }

    @Test
    void cancel_oneCaller_otherCallerOfSameKeyAndBatchUnaffected() {
        var loader = builder().build();
        var a = loader.load(1);
        var b = loader.load(1);
        a.cancel(true);
        loader.dispatch();
        assertThat(b.join()).isEqualTo("v1");
        assertThat(calls).containsExactly(Set.of(1));
    }

    // ---------------------------------------------------------------- with caches

    @Test
    void memoize_batchLoader_cachesAndBatches() {
        var loader = builder().build();
        MemoizedFunction<Integer, String> memo =
                AsyncCaches.builder().timeSource(clock).executor(Runnable::run).memoize(loader);
        var a = memo.apply(1);
        var b = memo.apply(2);
        var a2 = memo.apply(1);
        clock.advance(BatchLoader.DEFAULT_WINDOW);
        assertThat(List.of(a.join(), b.join(), a2.join())).containsExactly("v1", "v2", "v1");
        assertThat(memo.apply(1).join()).isEqualTo("v1");
        assertThat(calls).containsExactly(Set.of(1, 2));
    }

    @Test
    void caffeineLoader_getAll_usesOneBulkCall() {
        var loader = builder().maxBatchSize(10).build();
        AsyncLoadingCache<Integer, String> cache =
                Caffeine.newBuilder().executor(Runnable::run).buildAsync(loader);
        var all = cache.getAll(List.of(1, 2, 3));
        clock.advance(BatchLoader.DEFAULT_WINDOW);
        assertThat(all.join()).containsExactlyInAnyOrderEntriesOf(Map.of(1, "v1", 2, "v2", 3, "v3"));
        assertThat(calls).containsExactly(Set.of(1, 2, 3));
    }

    @Test
    void caffeineLoader_executorRejectsFullBatch_keysFailInsteadOfHanging() {
        var loader = builder().maxBatchSize(2).build();
        java.util.concurrent.Executor rejecting = task -> {
            throw new RejectedExecutionException("shut down");
        };
        var a = loader.asyncLoad(1, rejecting);
        var b = loader.asyncLoad(2, rejecting);
        assertThatThrownBy(a::join).hasCauseInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(b::join).hasCauseInstanceOf(RejectedExecutionException.class);
        assertThat(loader.pendingKeys()).isZero();
        assertThat(calls).isEmpty();
    }

    // ---------------------------------------------------------------- bad arguments

    @Test
    void badArguments_rejectedNamingTheParameter() {
        assertThatThrownBy(() -> BatchLoader.builder(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("bulk");
        var b = builder();
        assertThatThrownBy(() -> b.maxBatchSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBatchSize");
        assertThatThrownBy(() -> b.maxPendingKeys(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPendingKeys");
        assertThatThrownBy(() -> b.window(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window");
        assertThatThrownBy(() -> b.window(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("window");
        assertThatThrownBy(() -> b.missingKeys(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("missingKeys");
        assertThatThrownBy(() -> b.timeSource(clock))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("timeSource");
        var loader = b.build();
        assertThatThrownBy(() -> loader.load(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("key");
        assertThatThrownBy(() -> loader.loadAll(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("keys");
        assertThatThrownBy(() -> loader.loadAll(java.util.Arrays.asList(1, null)))
                .isInstanceOf(NullPointerException.class);
        assertThat(loader.pendingKeys()).isZero();
    }
}
