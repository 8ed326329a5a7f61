package dev.asyncpatterns.cache.issues;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.cache.AsyncCacheBuilder;
import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import dev.asyncpatterns.testkit.VirtualClock;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the cache defects of issue 21: {@code cancelAbandonedLoads} cancelled a
 * load under a caller that never cancelled (and left the backend running), and threw away a value
 * produced while the last caller cancelled. Race loops are seeded ({@code stress.seed}), short by
 * default, longer with {@code STRESS=long}, and print the figures they assert on.
 */
class Issue21Test {

    private static final boolean LONG = "long".equals(System.getenv("STRESS"));

    private final VirtualClock clock = VirtualClock.create();

    private AsyncCacheBuilder<Object, Object> builder() {
        return AsyncCaches.builder().timeSource(clock).executor(Runnable::run).cancelAbandonedLoads();
    }

    /** A backend whose function blocks until released, so a second caller can join a load being started. */
    private static final class SlowStart {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicReference<CompletableFuture<String>> backend = new AtomicReference<>();
        final AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> apply(String key) {
            calls.incrementAndGet();
            entered.countDown();
            try {
                assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            var future = new CompletableFuture<String>();
            backend.set(future);
            return future;
        }
    }

    @Test
    void cancelAbandonedLoads_joinerCancelsWhileFirstCallerStartsTheLoad_firstCallerGetsTheValue() throws Exception {
        var slow = new SlowStart();
        MemoizedFunction<String, String> memo = builder().memoize(slow::apply);
        var first = new CompletableFuture<CompletableFuture<String>>();
        Thread starter = Thread.ofVirtual().start(() -> first.complete(memo.apply("k")));
        assertThat(slow.entered.await(20, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<String> joiner = memo.apply("k"); // joins the load being started
        joiner.cancel(true);
        slow.release.countDown();
        starter.join();

        CompletableFuture<String> mine = first.get(20, TimeUnit.SECONDS);
        assertThat(mine).as("the first caller never cancelled").isNotCancelled();
        assertThat(slow.backend.get()).as("someone still wants the load").isNotCancelled();
        slow.backend.get().complete("v");
        assertThat(mine.join()).isEqualTo("v");
        assertThat(memo.apply("k").join()).isEqualTo("v");
        assertThat(slow.calls).hasValue(1);
        assertThat(memo.stats().abandonedLoads()).isZero();
    }

    @Test
    void cancelAbandonedLoads_everyCallerCancelsWhileTheLoadStarts_backendCancelled() throws Exception {
        var slow = new SlowStart();
        MemoizedFunction<String, String> memo = builder().memoize(slow::apply);
        var first = new CompletableFuture<CompletableFuture<String>>();
        Thread starter = Thread.ofVirtual().start(() -> first.complete(memo.apply("k")));
        assertThat(slow.entered.await(20, TimeUnit.SECONDS)).isTrue();

        memo.apply("k").cancel(true);
        slow.release.countDown();
        starter.join();
        first.get(20, TimeUnit.SECONDS).cancel(true);

        assertThat(slow.backend.get())
                .as("nobody wants the load: the backend call is cancelled")
                .isCancelled();
        assertThat(memo.stats().abandonedLoads()).isEqualTo(1);
        assertThat(memo.estimatedSize()).isZero();
    }

    @Test
    void cancelAbandonedLoads_joinerCancelsDuringStart_race() throws Exception {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        var random = new Random(seed);
        int rounds = LONG ? 20_000 : 2_000;
        var backends = new java.util.concurrent.ConcurrentHashMap<String, CompletableFuture<String>>();
        MemoizedFunction<String, String> memo = builder().memoize((String key) -> {
            long spin = random.nextInt(2_000);
            for (long i = 0; i < spin; i++) {
                Thread.onSpinWait();
            }
            var future = new CompletableFuture<String>();
            backends.put(key, future);
            return future;
        });
        int wrongCancels = 0;
        int backendCancelledUnderCaller = 0;
        int completed = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (int r = 0; r < rounds; r++) {
                String key = "k" + r;
                var barrier = new CyclicBarrier(2);
                var firstF = pool.submit(() -> {
                    barrier.await();
                    return memo.apply(key);
                });
                var joinerF = pool.submit(() -> {
                    barrier.await();
                    CompletableFuture<String> joiner = memo.apply(key);
                    joiner.cancel(true);
                    return joiner;
                });
                CompletableFuture<String> first = firstF.get(20, TimeUnit.SECONDS);
                joinerF.get(20, TimeUnit.SECONDS);
                CompletableFuture<String> backend = backends.get(key);
                if (backend.isCancelled()) {
                    backendCancelledUnderCaller++;
                }
                backend.complete("v" + r);
                try {
                    assertThat(first.join()).isEqualTo("v" + r);
                    completed++;
                } catch (CancellationException | CompletionException e) {
                    wrongCancels++;
                }
            }
        }
        System.out.println("issue21-memo-join-cancel seed=" + seed + " rounds=" + rounds + " completed=" + completed
                + " wrongCancels=" + wrongCancels + " backendCancelledUnderCaller=" + backendCancelledUnderCaller
                + " abandoned=" + memo.stats().abandonedLoads());
        assertThat(wrongCancels).isZero();
        assertThat(backendCancelledUnderCaller).isZero();
        assertThat(completed).isEqualTo(rounds);
    }

    @Test
    void cancelAbandonedLoads_lastCallerCancelsWhileTheLoadCompletes_producedValueIsKept() throws Exception {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        int rounds = LONG ? 20_000 : 2_000;
        var backends = new java.util.concurrent.ConcurrentHashMap<String, CompletableFuture<String>>();
        var calls = new java.util.concurrent.ConcurrentHashMap<String, AtomicInteger>();
        MemoizedFunction<String, String> memo = builder().memoize((String key) -> {
            calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            var future = new CompletableFuture<String>();
            backends.put(key, future);
            return future;
        });
        int produced = 0;
        int producedAndKept = 0;
        int producedAndLost = 0;
        int notProduced = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (int r = 0; r < rounds; r++) {
                String key = "k" + r;
                String value = "v" + r;
                CompletableFuture<String> caller = memo.apply(key);
                CompletableFuture<String> backend = backends.get(key);
                var barrier = new CyclicBarrier(2);
                var cancel = pool.submit(() -> {
                    barrier.await();
                    return caller.cancel(true);
                });
                var complete = pool.submit(() -> {
                    barrier.await();
                    return backend.complete(value);
                });
                cancel.get(20, TimeUnit.SECONDS);
                boolean valueProduced = complete.get(20, TimeUnit.SECONDS);
                CompletableFuture<String> next = memo.apply(key);
                if (valueProduced) {
                    produced++;
                    if (next.isDone()
                            && value.equals(next.getNow(null))
                            && calls.get(key).get() == 1) {
                        producedAndKept++;
                    } else {
                        producedAndLost++;
                    }
                } else {
                    notProduced++;
                    backends.get(key).complete("again");
                    assertThat(next.join()).isEqualTo("again");
                }
            }
        }
        System.out.println(
                "issue21-memo-cancel-vs-complete seed=" + seed + " rounds=" + rounds + " produced=" + produced
                        + " kept=" + producedAndKept + " lost=" + producedAndLost + " notProduced=" + notProduced
                        + " abandoned=" + memo.stats().abandonedLoads());
        assertThat(producedAndLost).isZero();
        assertThat(producedAndKept + notProduced).isEqualTo(rounds);
    }

    // ---------------------------------------------------------------- item 3: callbacks and executors

    @Test
    void refresh_executorThrowsError_reportedAsRefreshFailureNotStranded() {
        var events = new java.util.concurrent.CopyOnWriteArrayList<dev.asyncpatterns.cache.CacheEvent<String>>();
        var calls = new AtomicInteger();
        MemoizedFunction<String, String> memo = AsyncCaches.builder()
                .timeSource(clock)
                .executor(task -> {
                    throw new OutOfMemoryError("unable to create native thread");
                })
                .refreshAfterWrite(java.time.Duration.ofSeconds(1))
                .staleIfError(java.time.Duration.ofMinutes(1))
                .<String>onEvent(events::add)
                .memoize((String k) -> CompletableFuture.completedFuture(k + "#" + calls.incrementAndGet()));
        assertThat(memo.apply("a").join()).isEqualTo("a#1");
        clock.advance(java.time.Duration.ofSeconds(2));
        assertThat(memo.apply("a").join()).isEqualTo("a#1");
        assertThat(events)
                .singleElement()
                .isInstanceOfSatisfying(
                        dev.asyncpatterns.cache.CacheEvent.RefreshFailed.class,
                        e -> assertThat(e.failure()).isInstanceOf(OutOfMemoryError.class));
        clock.advance(java.time.Duration.ofMillis(1_001));
        assertThat(memo.apply("a").join()).isEqualTo("a#1"); // retried, not stuck "in flight"
        assertThat(memo.stats().refreshFailures()).isEqualTo(2);
    }

    @Test
    void batchLoader_executorThrowsError_keysFailInsteadOfHanging() {
        var loader = dev.asyncpatterns.cache.BatchLoader.<Integer, String>builder(
                        keys -> CompletableFuture.completedFuture(java.util.Map.of()))
                .timeSource(clock)
                .maxBatchSize(2)
                .build();
        java.util.concurrent.Executor outOfThreads = task -> {
            throw new OutOfMemoryError("unable to create native thread");
        };
        var a = loader.asyncLoad(1, outOfThreads);
        var b = loader.asyncLoad(2, outOfThreads);
        assertThat(a).isCompletedExceptionally();
        assertThat(b).isCompletedExceptionally();
        assertThat(loader.pendingKeys()).isZero();
    }

    @Test
    void cancelAbandonedLoads_listenerThrowsError_abandonmentStillCompletes() {
        var backend = new AtomicReference<CompletableFuture<String>>();
        MemoizedFunction<String, String> memo = builder()
                .<String>onEvent(event -> {
                    throw new StackOverflowError("listener");
                })
                .memoize((String k) -> {
                    var f = new CompletableFuture<String>();
                    backend.set(f);
                    return f;
                });
        memo.apply("k").cancel(true);
        assertThat(backend.get()).isCancelled();
        assertThat(memo.stats().abandonedLoads()).isEqualTo(1);
        assertThat(memo.estimatedSize()).isZero();
    }

    @Test
    void cancelAbandonedLoads_dependentReentersWithSameKeyDuringAbandonment_getsAFreshLoad() {
        var backends = new java.util.concurrent.CopyOnWriteArrayList<CompletableFuture<String>>();
        MemoizedFunction<String, String> memo = builder().memoize((String k) -> {
            var f = new CompletableFuture<String>();
            backends.add(f);
            return f;
        });
        var again = new AtomicReference<CompletableFuture<String>>();
        CompletableFuture<String> first = memo.apply("k");
        first.whenComplete((v, f) -> again.set(memo.apply("k"))); // re-enters while cancelling
        first.cancel(true);
        assertThat(again.get()).isNotNull().isNotCancelled();
        backends.get(backends.size() - 1).complete("v");
        assertThat(again.get().join()).isEqualTo("v");
        assertThat(memo.apply("k").join()).isEqualTo("v");
    }

    @Test
    void apply_dependentReentersWithSameKeyWhileTheLoadCompletes_seesTheValue() {
        var backend = new AtomicReference<CompletableFuture<String>>();
        var calls = new AtomicInteger();
        MemoizedFunction<String, String> memo = builder().memoize((String k) -> {
            calls.incrementAndGet();
            var f = new CompletableFuture<String>();
            backend.set(f);
            return f;
        });
        var inner = new AtomicReference<CompletableFuture<String>>();
        memo.apply("k").thenAccept(v -> inner.set(memo.apply("k")));
        backend.get().complete("v");
        assertThat(inner.get()).isCompletedWithValue("v");
        assertThat(calls).hasValue(1);
    }
}
