package dev.asyncpatterns.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class MemoizedFunctionTest {

    /** A backend whose calls the test completes by hand, counting calls per key. */
    static final class Backend implements Function<String, CompletableFuture<String>> {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        final Map<String, List<CompletableFuture<String>>> inFlight = new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<String> apply(String key) {
            calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            var future = new CompletableFuture<String>();
            inFlight.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(future);
            return future;
        }

        int calls(String key) {
            AtomicInteger count = calls.get(key);
            return count == null ? 0 : count.get();
        }

        CompletableFuture<String> last(String key) {
            List<CompletableFuture<String>> list = inFlight.get(key);
            return list.get(list.size() - 1);
        }
    }

    private final VirtualClock clock = VirtualClock.create();

    private AsyncCacheBuilder<Object, Object> builder() {
        return AsyncCaches.builder().timeSource(clock).executor(Runnable::run);
    }

    // ---------------------------------------------------------------- single-flight

    @Test
    void apply_thousandConcurrentCallers_backendCalledOnce() throws Exception {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder().memoize(backend);
        int callers = 1_000;
        var start = new CountDownLatch(1);
        var futures = new CopyOnWriteArrayList<CompletableFuture<String>>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < callers; i++) {
                pool.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    futures.add(memo.apply("k"));
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(futures).hasSize(callers).allMatch(f -> !f.isDone());
        backend.last("k").complete("v");
        assertThat(futures).allMatch(f -> "v".equals(f.join()));
        System.out.println("single-flight callers=" + callers + " backendCalls=" + backend.calls("k") + " misses="
                + memo.stats().misses() + " hits=" + memo.stats().hits());
        assertThat(backend.calls("k")).isEqualTo(1);
        assertThat(memo.stats().misses()).isEqualTo(1);
        assertThat(memo.stats().hits()).isEqualTo(callers - 1);
    }

    @Test
    void apply_completedEntry_returnsCachedValueWithoutCallingAgain() {
        AtomicInteger calls = new AtomicInteger();
        MemoizedFunction<String, Integer> memo = builder().memoize((String k) -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(k.length());
        });
        assertThat(memo.apply("abc").join()).isEqualTo(3);
        assertThat(memo.apply("abc").join()).isEqualTo(3);
        assertThat(calls).hasValue(1);
        assertThat(memo.stats().hitRatio()).isEqualTo(0.5);
    }

    @Test
    void memoize_oneLineDefaults_boundedToDefaultSize() {
        MemoizedFunction<String, String> memo = AsyncCaches.memoize(k -> CompletableFuture.completedFuture(k));
        assertThat(memo.cache().synchronous().policy().eviction().orElseThrow().getMaximum())
                .isEqualTo(AsyncCaches.DEFAULT_MAXIMUM_SIZE);
        assertThat(memo.apply("x").join()).isEqualTo("x");
    }

    // ---------------------------------------------------------------- failures and null

    @Test
    void apply_failedLoad_failsAllWaitersAndIsNotCached() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder().memoize(backend);
        var first = memo.apply("k");
        var second = memo.apply("k");
        backend.last("k").completeExceptionally(new IllegalStateException("down"));
        assertThatThrownBy(first::join)
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("down");
        assertThatThrownBy(second::join).hasCauseInstanceOf(IllegalStateException.class);
        var third = memo.apply("k");
        assertThat(backend.calls("k")).isEqualTo(2);
        backend.last("k").complete("up");
        assertThat(third.join()).isEqualTo("up");
        assertThat(memo.stats().loadFailures()).isEqualTo(1);
        assertThat(memo.stats().loadSuccesses()).isEqualTo(1);
    }

    @Test
    void apply_functionThrows_failedFutureAndNotCached() {
        AtomicInteger calls = new AtomicInteger();
        MemoizedFunction<String, String> memo = builder().memoize((String k) -> {
            calls.incrementAndGet();
            throw new IllegalArgumentException("bad key " + k);
        });
        assertThat(memo.apply("a")).isCompletedExceptionally();
        assertThatThrownBy(() -> memo.apply("a").join()).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(calls).hasValue(2);
    }

    @Test
    void apply_functionReturnsNullFuture_failsWithNpeNamingTheKey() {
        MemoizedFunction<String, String> memo = builder().memoize((String k) -> null);
        assertThatThrownBy(() -> memo.apply("a").join())
                .hasCauseInstanceOf(NullPointerException.class)
                .hasMessageContaining("key a");
    }

    @Test
    void apply_nullResult_completesWithNullAndIsNotCached() {
        AtomicInteger calls = new AtomicInteger();
        MemoizedFunction<String, String> memo = builder().memoize((String k) -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });
        assertThat(memo.apply("a").join()).isNull();
        assertThat(memo.apply("a").join()).isNull();
        assertThat(calls).hasValue(2);
        assertThat(memo.estimatedSize()).isZero();
    }

    // ---------------------------------------------------------------- negative caching

    @Test
    void negativeCaching_failureRememberedUntilTtlThenLoadedAgain() {
        var backend = new Backend();
        var events = new CopyOnWriteArrayList<CacheEvent<String>>();
        MemoizedFunction<String, String> memo = builder()
                .negativeCaching(Duration.ofSeconds(2))
                .<String>onEvent(events::add)
                .memoize(backend);
        memo.apply("k");
        backend.last("k").completeExceptionally(new IllegalStateException("not found"));

        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> memo.apply("k").join()).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(backend.calls("k")).isEqualTo(1);
        assertThat(memo.stats().negativeHits()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        var retried = memo.apply("k");
        assertThat(backend.calls("k")).isEqualTo(2);
        backend.last("k").complete("found");
        assertThat(retried.join()).isEqualTo("found");
        assertThat(events).singleElement().isInstanceOf(CacheEvent.NegativeCached.class);
    }

    @Test
    void negativeCaching_predicateRejects_failureNotRemembered() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder()
                .negativeCaching(Duration.ofSeconds(2), failure -> failure instanceof IllegalArgumentException)
                .memoize(backend);
        memo.apply("k");
        backend.last("k").completeExceptionally(new IllegalStateException("timeout-ish"));
        memo.apply("k");
        assertThat(backend.calls("k")).isEqualTo(2);
    }

    @Test
    void negativeCaching_nullResultRememberedForTtl() {
        AtomicInteger calls = new AtomicInteger();
        MemoizedFunction<String, String> memo = builder()
                .negativeCaching(Duration.ofSeconds(1))
                .memoize((String k) -> {
                    calls.incrementAndGet();
                    return CompletableFuture.completedFuture(null);
                });
        assertThat(memo.apply("a").join()).isNull();
        assertThat(memo.apply("a").join()).isNull();
        assertThat(calls).hasValue(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(memo.apply("a").join()).isNull();
        assertThat(calls).hasValue(2);
    }

    @Test
    void invalidate_clearsNegativeEntryToo() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo =
                builder().negativeCaching(Duration.ofMinutes(1)).memoize(backend);
        memo.apply("k");
        backend.last("k").completeExceptionally(new IllegalStateException("x"));
        memo.invalidate("k");
        memo.apply("k");
        assertThat(backend.calls("k")).isEqualTo(2);
    }

    @Test
    void invalidate_loadInFlight_waitingCallersGetTheValueButItIsNotCached() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder().memoize(backend); // no cancelAbandonedLoads
        var first = memo.apply("k");
        var second = memo.apply("k");
        memo.invalidate("k");
        assertThat(memo.getIfPresent("k")).isNull();
        backend.last("k").complete("v");
        assertThat(first.join()).isEqualTo("v");
        assertThat(second.join()).isEqualTo("v");
        assertThat(memo.getIfPresent("k"))
                .as("the invalidated load's value is not cached")
                .isNull();
        memo.apply("k");
        assertThat(backend.calls("k")).isEqualTo(2);
    }

    /** A backend future that ignores cancel, like a stage that cannot be cancelled: its value may arrive late. */
    static final class Uncancellable extends CompletableFuture<String> {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }
    }

    @Test
    void invalidate_abandonedLoadsValueArrivesLate_isNotCached() {
        var source = new Uncancellable();
        MemoizedFunction<String, String> memo = builder().cancelAbandonedLoads().memoize((String k) -> source);
        var only = memo.apply("k");
        memo.invalidate("k"); // with cancelAbandonedLoads the load in flight is marked invalidated
        only.cancel(true); // its last waiter leaves: abandoned
        source.complete("late");
        assertThat(memo.stats().abandonedLoads()).isEqualTo(1);
        assertThat(memo.getIfPresent("k")).as("invalidated before it arrived").isNull();
    }

    @Test
    void cancelAbandonedLoads_abandonedLoadsValueArrivesLate_isCached() {
        var source = new Uncancellable();
        MemoizedFunction<String, String> memo = builder().cancelAbandonedLoads().memoize((String k) -> source);
        memo.apply("k").cancel(true); // the only waiter leaves: abandoned
        source.complete("late");
        assertThat(memo.stats().abandonedLoads()).isEqualTo(1);
        assertThat(memo.getIfPresent("k")).as("a value paid for is kept").isNotNull();
        assertThat(memo.getIfPresent("k").join()).isEqualTo("late");
    }

    // ---------------------------------------------------------------- cancellation

    @Test
    void cancel_oneCaller_othersStillGetTheValueAndItIsCached() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder().memoize(backend);
        var cancelled = memo.apply("k");
        var other = memo.apply("k");
        assertThat(cancelled.cancel(true)).isTrue();
        assertThat(backend.last("k")).isNotCancelled();
        backend.last("k").complete("v");
        assertThat(other.join()).isEqualTo("v");
        assertThat(memo.apply("k").join()).isEqualTo("v");
        assertThat(backend.calls("k")).isEqualTo(1);
    }

    @Test
    void cancel_allCallersWithoutCancelAbandoned_loadCompletesAndIsCached() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder().memoize(backend);
        memo.apply("k").cancel(true);
        memo.apply("k").cancel(true);
        backend.last("k").complete("v");
        assertThat(memo.apply("k").join()).isEqualTo("v");
        assertThat(backend.calls("k")).isEqualTo(1);
    }

    @Test
    void cancelAbandonedLoads_lastCallerCancels_loadCancelledAndRemoved() {
        var backend = new Backend();
        var events = new CopyOnWriteArrayList<CacheEvent<String>>();
        MemoizedFunction<String, String> memo =
                builder().cancelAbandonedLoads().<String>onEvent(events::add).memoize(backend);
        var a = memo.apply("k");
        var b = memo.apply("k");
        a.cancel(true);
        assertThat(backend.last("k")).isNotCancelled();
        b.cancel(true);
        assertThat(backend.last("k")).isCancelled();
        assertThat(memo.stats().abandonedLoads()).isEqualTo(1);
        assertThat(events).singleElement().isEqualTo(new CacheEvent.LoadAbandoned<>("k"));

        var c = memo.apply("k");
        assertThat(backend.calls("k")).isEqualTo(2);
        backend.last("k").complete("fresh");
        assertThat(c.join()).isEqualTo("fresh");
    }

    @Test
    void cancelAbandonedLoads_oneOfTwoCancels_otherStillCompletes() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder().cancelAbandonedLoads().memoize(backend);
        var a = memo.apply("k");
        var b = memo.apply("k");
        b.cancel(true);
        backend.last("k").complete("v");
        assertThat(a.join()).isEqualTo("v");
        assertThat(b).isCancelled();
    }

    @Test
    void cancelAbandonedLoads_oneCallerCancelsTwice_releasedOnceAndTheOtherStillGetsTheValue() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder().cancelAbandonedLoads().memoize(backend);
        var a = memo.apply("k");
        var b = memo.apply("k");
        assertThat(b.cancel(false)).isTrue();
        assertThat(b.cancel(false)).isTrue(); // true again, as CompletableFuture.cancel says
        assertThat(backend.last("k")).isNotCancelled();
        backend.last("k").complete("v");
        assertThat(a.join()).isEqualTo("v");
        assertThat(memo.stats().abandonedLoads()).isZero();
    }

    @Test
    void cancelAbandonedLoads_lastCallerFailsItsFutureWithCancellation_loadAbandonedAsByCancel() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder().cancelAbandonedLoads().memoize(backend);
        var a = memo.apply("k");
        var b = memo.apply("k");
        a.cancel(false);
        b.completeExceptionally(new CancellationException("caller gave up"));
        assertThat(backend.last("k")).isCancelled();
        assertThat(memo.stats().abandonedLoads()).isEqualTo(1);
    }

    @Test
    void apply_callersJoiningALoad_eachGetsItsOwnFutureAndTheLoadsFailureUnwrapped() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder().memoize(backend);
        var callers = new ArrayList<CompletableFuture<String>>();
        for (int i = 0; i < 8; i++) {
            callers.add(memo.apply("k"));
        }
        assertThat(callers).doesNotHaveDuplicates();
        var failure = new IllegalStateException("backend down");
        backend.last("k").completeExceptionally(new CompletionException(failure));
        for (CompletableFuture<String> caller : callers) {
            assertThat(caller.handle((value, error) -> error).join()).isSameAs(failure);
        }
        assertThat(memo.stats().misses()).isEqualTo(1);
        assertThat(memo.stats().hits()).isEqualTo(7);
        assertThat(backend.calls("k")).isEqualTo(1);
    }

    @Test
    void cache_loadInFlight_completeAsyncAndObtrudeRefused() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder().memoize(backend);
        var mine = memo.apply("k");
        CompletableFuture<String> shared = memo.cache().asMap().get("k");
        assertThat(shared).isNotNull().isNotSameAs(mine);
        assertThatThrownBy(() -> shared.completeAsync(() -> "x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> shared.obtrudeValue("x")).isInstanceOf(UnsupportedOperationException.class);
        backend.last("k").complete("v");
        assertThat(mine.join()).isEqualTo("v");
    }

    @Test
    void cancelAbandonedLoads_racingCancelAndApply_neverHandsOutCancelledLoad() throws Exception {
        long seed = Long.getLong("cache.seed", System.nanoTime());
        var random = new java.util.Random(seed);
        int rounds = "long".equals(System.getenv("STRESS")) ? 20_000 : 2_000;
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder().cancelAbandonedLoads().memoize(backend);
        int wrongCancels = 0;
        int completed = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (int i = 0; i < rounds; i++) {
                String key = "k" + i;
                var first = memo.apply(key);
                boolean cancelFirst = random.nextBoolean();
                var racer = pool.submit(() -> memo.apply(key));
                if (cancelFirst) {
                    first.cancel(true);
                }
                var second = racer.get(30, TimeUnit.SECONDS);
                backend.last(key).complete("v");
                try {
                    assertThat(second.join()).isEqualTo("v");
                    completed++;
                } catch (CancellationException | CompletionException e) {
                    wrongCancels++;
                }
            }
        }
        System.out.println("cancel-abandoned-race seed=" + seed + " rounds=" + rounds + " completed=" + completed
                + " wrongCancels=" + wrongCancels + " abandoned=" + memo.stats().abandonedLoads());
        assertThat(wrongCancels).isZero();
        assertThat(completed).isEqualTo(rounds);
    }

    @Test
    void cancelAbandonedLoads_abandonedLoadAndItsFutures_becomeGarbage() {
        MemoizedFunction<String, String> memo = builder()
                .cancelAbandonedLoads()
                .memoize((String k) -> new CompletableFuture<String>()); // never completes by itself
        var caller = memo.apply("k");
        var load = new java.lang.ref.WeakReference<>(memo.cache().getIfPresent("k"));
        var callerRef = new java.lang.ref.WeakReference<>(caller);
        assertThat(load.get()).isNotNull();
        caller.cancel(true);
        caller = null;
        com.google.common.testing.GcFinalization.awaitClear(load);
        com.google.common.testing.GcFinalization.awaitClear(callerRef);
        assertThat(memo.estimatedSize()).isZero();
    }

    // ---------------------------------------------------------------- statistics (each request counted once)

    @Test
    void stats_missThenHits_oneMissAndOneHitPerLaterRequest() {
        MemoizedFunction<String, String> memo =
                builder().memoize((String k) -> CompletableFuture.completedFuture(k + "!"));
        memo.apply("a").join(); // a lookup finds nothing, then the load: one miss, not two
        memo.apply("a").join();
        memo.apply("a").join();
        var stats = memo.stats();
        assertThat(stats.misses()).isEqualTo(1);
        assertThat(stats.hits()).isEqualTo(2);
        assertThat(memo.cache().synchronous().stats().missCount())
                .as("Caffeine's own count sees the lookup and the load")
                .isEqualTo(2);
    }

    @Test
    void stats_futurePutThroughCache_requestCountedOnceAsHit() {
        MemoizedFunction<String, String> memo = builder().memoize(new Backend());
        var foreign = new CompletableFuture<String>();
        memo.cache().put("k", foreign); // someone else's in-flight future: apply goes through cache.get
        var caller = memo.apply("k");
        foreign.complete("v");
        assertThat(caller.join()).isEqualTo("v");
        assertThat(memo.stats().hits()).isEqualTo(1);
        assertThat(memo.stats().misses()).isZero();
    }

    @Test
    void stats_abandonedLoadLoadedAgain_oneMissPerLoadOneHitPerJoin() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder().cancelAbandonedLoads().memoize(backend);
        var first = memo.apply("k"); // miss
        memo.apply("k").cancel(true); // hit, joined, then leaves
        first.cancel(true); // the last waiter leaves: abandoned and removed
        var again = memo.apply("k"); // miss: a new load
        backend.last("k").complete("v");
        assertThat(again.join()).isEqualTo("v");
        assertThat(memo.apply("k").join()).isEqualTo("v"); // hit
        var stats = memo.stats();
        assertThat(backend.calls("k")).isEqualTo(2);
        assertThat(stats.misses()).isEqualTo(2);
        assertThat(stats.hits()).isEqualTo(2);
        assertThat(stats.abandonedLoads()).isEqualTo(1);
    }

    @Test
    void stats_concurrentRequestsOnFewKeysWithInvalidations_eachRequestCountedOnce() throws Exception {
        var calls = new AtomicInteger();
        MemoizedFunction<Integer, Integer> memo = builder().memoize((Integer k) -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(k);
        });
        int threads = 4;
        int requestsPerThread = 20_000;
        long seed = System.nanoTime();
        var start = new CountDownLatch(1);
        var wrongValues = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                var random = new java.util.Random(seed + t);
                pool.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < requestsPerThread; i++) {
                        int key = random.nextInt(8);
                        if (!memo.apply(key).join().equals(key)) {
                            wrongValues.incrementAndGet();
                        }
                        if (random.nextInt(16) == 0) {
                            memo.invalidate(random.nextInt(8)); // misses and probe races again
                        }
                    }
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        var stats = memo.stats();
        long requests = (long) threads * requestsPerThread;
        System.out.println("memo-stats seed=" + seed + " threads=" + threads + " requests=" + requests + " hits="
                + stats.hits() + " misses=" + stats.misses() + " functionCalls=" + calls.get() + " wrongValues="
                + wrongValues.get());
        assertThat(wrongValues).hasValue(0);
        assertThat(stats.requests()).as("every request counted once").isEqualTo(requests);
        assertThat(stats.misses()).as("a miss is a request that started a load").isEqualTo(calls.get());
    }

    @Test
    void stats_usersCacheWithoutStats_zerosNeverNegative() {
        AsyncCache<String, String> mine = Caffeine.newBuilder().maximumSize(10).buildAsync();
        MemoizedFunction<String, String> memo =
                AsyncCaches.memoize(mine, (String k) -> CompletableFuture.completedFuture(k));
        memo.apply("a").join();
        memo.apply("a").join();
        assertThat(memo.stats().hits()).isZero();
        assertThat(memo.stats().misses()).isZero();
    }

    // ---------------------------------------------------------------- recursion

    @Test
    void apply_recursiveLoadOfSameKey_failsFastInsteadOfHanging() {
        var holder = new ArrayList<MemoizedFunction<String, String>>();
        MemoizedFunction<String, String> memo =
                builder().memoize((String k) -> holder.get(0).apply(k));
        holder.add(memo);
        assertThat(memo.apply("loop"))
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(RecursiveLoadException.class)
                .withMessageContaining("loop");
        assertThat(memo.estimatedSize()).isZero();
    }

    @Test
    void apply_recursionOverOtherKeys_works() {
        var holder = new ArrayList<MemoizedFunction<Integer, Long>>();
        AtomicInteger calls = new AtomicInteger();
        MemoizedFunction<Integer, Long> fib = builder().memoize((Integer n) -> {
            calls.incrementAndGet();
            if (n < 2) {
                return CompletableFuture.completedFuture((long) n);
            }
            return holder.get(0).apply(n - 1).thenCombine(holder.get(0).apply(n - 2), Long::sum);
        });
        holder.add(fib);
        assertThat(fib.apply(80).join()).isEqualTo(23_416_728_348_467_685L);
        assertThat(calls).hasValue(81);
    }

    // ---------------------------------------------------------------- user's own cache, misc

    @Test
    void memoize_usersOwnCaffeineCache_singleFlightAndSharedStorage() {
        AsyncCache<String, String> mine =
                Caffeine.newBuilder().maximumSize(10).recordStats().buildAsync();
        var backend = new Backend();
        MemoizedFunction<String, String> memo = AsyncCaches.memoize(mine, backend);
        var a = memo.apply("k");
        var b = memo.apply("k");
        backend.last("k").complete("v");
        assertThat(a.join()).isEqualTo("v");
        assertThat(b.join()).isEqualTo("v");
        assertThat(mine.synchronous().getIfPresent("k")).isEqualTo("v");
        assertThat(memo.cache()).isSameAs(mine);
        assertThat(memo.stats().misses()).isEqualTo(1);
    }

    @Test
    void getIfPresent_absentAndPresent() {
        MemoizedFunction<String, String> memo =
                builder().memoize((String k) -> CompletableFuture.completedFuture(k + "!"));
        assertThat(memo.getIfPresent("a")).isNull();
        memo.apply("a");
        assertThat(memo.getIfPresent("a").join()).isEqualTo("a!");
        memo.invalidateAll();
        assertThat(memo.getIfPresent("a")).isNull();
    }

    @Test
    void apply_nullKey_throwsNpe() {
        MemoizedFunction<String, String> memo = builder().memoize((String k) -> CompletableFuture.completedFuture(k));
        assertThatThrownBy(() -> memo.apply(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("key");
        assertThatThrownBy(() -> memo.getIfPresent(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("key");
        assertThatThrownBy(() -> memo.invalidate(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("key");
        assertThatThrownBy(() -> AsyncCaches.memoize(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("function");
        assertThatThrownBy(() -> AsyncCaches.memoize(null, k -> null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("cache");
    }

    @Test
    void listenerThrows_isIgnored() {
        var backend = new Backend();
        MemoizedFunction<String, String> memo = builder()
                .negativeCaching(Duration.ofSeconds(1))
                .<String>onEvent(event -> {
                    throw new IllegalStateException("listener bug");
                })
                .memoize(backend);
        var f = memo.apply("k");
        backend.last("k").completeExceptionally(new IllegalArgumentException("x"));
        assertThatThrownBy(f::join).hasCauseInstanceOf(IllegalArgumentException.class);
    }
}
