package dev.asyncpatterns.pipeline;

import static dev.asyncpatterns.pipeline.Support.await;
import static dev.asyncpatterns.pipeline.Support.direct;
import static dev.asyncpatterns.pipeline.Support.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MapAsyncTest {

    private static final long SEED = Long.getLong("pipeline.seed", System.nanoTime());

    // ---------------------------------------------------------------- order and parallelism

    @Test
    void mapAsync_randomLatencies_keepsInputOrderAndParallelism() {
        Random random = new Random(SEED);
        VirtualClock clock = VirtualClock.create();
        int n = 5_000;
        int parallelism = 16;
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        int[] latencies = IntStream.range(0, n).map(i -> random.nextInt(50)).toArray();
        CompletableFuture<List<Integer>> result = direct(Pipeline.range(0, n)
                        .mapAsync(parallelism, i -> {
                            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                            return clock.delay(Duration.ofMillis(latencies[(int) (long) i]))
                                    .thenApply(ignored -> {
                                        inFlight.decrementAndGet();
                                        return (int) (long) i;
                                    });
                        })
                        .toList(n))
                .timeSource(clock)
                .run();
        List<Integer> out = drive(clock, result);
        System.out.printf(
                "mapAsync-order seed=%d n=%d parallelism=%d maxInFlight=%d outOfOrder=%d virtualTime=%s%n",
                SEED, n, parallelism, maxInFlight.get(), outOfOrder(out), clock.elapsed());
        assertThat(out)
                .as("seed=%d", SEED)
                .containsExactlyElementsOf(IntStream.range(0, n).boxed().toList());
        assertThat(maxInFlight.get()).isEqualTo(parallelism);
    }

    @Test
    void mapAsyncUnordered_randomLatencies_emitsAllInCompletionOrder() {
        Random random = new Random(SEED);
        VirtualClock clock = VirtualClock.create();
        int n = 2_000;
        int[] latencies = IntStream.range(0, n).map(i -> 1 + random.nextInt(50)).toArray();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        List<Long> finishOrder = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<List<Long>> result = direct(Pipeline.range(0, n)
                        .mapAsyncUnordered(8, i -> {
                            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                            return clock.delay(Duration.ofMillis(latencies[(int) (long) i]))
                                    .thenApply(ignored -> {
                                        inFlight.decrementAndGet();
                                        finishOrder.add(i);
                                        return i;
                                    });
                        })
                        .toList(n))
                .timeSource(clock)
                .run();
        List<Long> out = drive(clock, result);
        System.out.printf(
                "mapAsyncUnordered seed=%d n=%d maxInFlight=%d outOfOrder=%d%n",
                SEED, n, maxInFlight.get(), outOfOrder(out));
        assertThat(out).as("seed=%d", SEED).containsExactlyElementsOf(finishOrder);
        assertThat(out).containsExactlyInAnyOrderElementsOf(SourcesTest.LongStreamRange.of(0, n));
        assertThat(outOfOrder(out)).isPositive();
        assertThat(maxInFlight.get()).isEqualTo(8);
    }

    @Test
    void mapAsync_slowHead_blocksLaterResultsButKeepsSlotsBusy() {
        VirtualClock clock = VirtualClock.create();
        List<Long> emittedAt = new ArrayList<>();
        CompletableFuture<List<Integer>> result = direct(Pipeline.of(100, 10, 10, 10)
                        .mapAsync(4, ms -> clock.delay(Duration.ofMillis(ms)).thenApply(ignored -> ms))
                        .peek(ms -> emittedAt.add(clock.elapsed().toMillis()))
                        .toList(4))
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofMillis(100));
        assertThat(await(result)).containsExactly(100, 10, 10, 10);
        assertThat(emittedAt).containsExactly(100L, 100L, 100L, 100L);
    }

    @Test
    void mapAsync_syncCompletedFutures_workLikeMap() {
        assertThat(Support.runDirect(Pipeline.range(0, 10_000)
                        .mapAsync(4, x -> CompletableFuture.completedFuture(x + 1))
                        .fold(0L, Long::sum)))
                .isEqualTo(10_000L * 10_001 / 2);
    }

    // ---------------------------------------------------------------- error policies

    @Test
    void mapAsync_failedFuture_failsRunInOrder() {
        var boom = new IllegalStateException("element 3");
        List<Long> seen = new ArrayList<>();
        CompletableFuture<Void> result = direct(Pipeline.range(0, 10)
                        .mapAsync(
                                4,
                                x -> x == 3
                                        ? CompletableFuture.<Long>failedFuture(boom)
                                        : CompletableFuture.completedFuture(x))
                        .forEach(seen::add))
                .run();
        assertThat(failureOf(result)).isSameAs(boom);
        assertThat(seen).containsExactly(0L, 1L, 2L);
    }

    @Test
    void mapAsync_skip_reportsDeadLetterAndContinues() {
        Map<Long, Throwable> deadLetters = new ConcurrentHashMap<>();
        var boom = new IllegalStateException("odd");
        List<Long> out = Support.runDirect(Pipeline.range(0, 6)
                .mapAsync(
                        3,
                        x -> x % 2 == 1
                                ? CompletableFuture.<Long>failedFuture(boom)
                                : CompletableFuture.completedFuture(x),
                        OnError.skip(deadLetters::put))
                .toList(6));
        assertThat(out).containsExactly(0L, 2L, 4L);
        assertThat(deadLetters).containsOnlyKeys(1L, 3L, 5L).containsValue(boom);
    }

    @Test
    void mapAsyncUnordered_recover_emitsFallback() {
        List<String> out = Support.runDirect(Pipeline.of(1, 2, 3)
                .mapAsyncUnordered(
                        1,
                        x -> x == 2
                                ? CompletableFuture.<String>failedFuture(new IllegalStateException("two"))
                                : CompletableFuture.completedFuture("ok" + x),
                        OnError.recover((x, e) -> "fallback" + x + ":" + e.getMessage()))
                .toList(3));
        assertThat(out).containsExactly("ok1", "fallback2:two", "ok3");
    }

    @Test
    void mapAsync_retryWithBackoff_succeedsOnVirtualClockKeepingOrder() {
        VirtualClock clock = VirtualClock.create();
        Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
        CompletableFuture<List<Integer>> result = direct(Pipeline.of(1, 2, 3)
                        .mapAsync(
                                3,
                                x -> {
                                    int attempt = attempts.computeIfAbsent(x, k -> new AtomicInteger())
                                            .incrementAndGet();
                                    return x == 2 && attempt < 3
                                            ? CompletableFuture.<Integer>failedFuture(
                                                    new IllegalStateException("flaky " + attempt))
                                            : CompletableFuture.completedFuture(x * 10);
                                },
                                OnError.retry(Backoff.exponential(Duration.ofMillis(100))
                                        .maxAttempts(5)))
                        .toList(3))
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofMillis(100)); // first retry after 100 ms
        assertThat(result).isNotDone();
        clock.advance(Duration.ofMillis(199));
        assertThat(result).isNotDone();
        clock.advance(Duration.ofMillis(1)); // second retry 200 ms later
        assertThat(await(result)).containsExactly(10, 20, 30);
        assertThat(attempts.get(2)).hasValue(3);
        assertThat(attempts.get(1)).hasValue(1);
    }

    @Test
    void mapAsync_retryExhausted_thenSkipGetsLastErrorWithEarlierSuppressed() {
        VirtualClock clock = VirtualClock.create();
        List<Throwable> deadLetters = new ArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<List<Integer>> result = direct(Pipeline.of(1, 2)
                        .mapAsync(
                                1,
                                x -> x == 1
                                        ? CompletableFuture.<Integer>failedFuture(
                                                new IllegalStateException("attempt " + attempts.incrementAndGet()))
                                        : CompletableFuture.completedFuture(x),
                                OnError.<Integer, Integer>retry(Backoff.fixed(Duration.ofSeconds(1))
                                                .maxAttempts(3))
                                        .thenSkip((x, e) -> deadLetters.add(e)))
                        .toList(2))
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofSeconds(2));
        assertThat(await(result)).containsExactly(2);
        assertThat(attempts).hasValue(3);
        assertThat(deadLetters).singleElement().satisfies(e -> {
            assertThat(e).hasMessage("attempt 3");
            assertThat(e.getSuppressed()).hasSize(1);
            assertThat(e.getSuppressed()[0]).hasMessage("attempt 2");
        });
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void map_retry_waitsWithoutBlockingAndRecoversAfterExhaustion() {
        VirtualClock clock = VirtualClock.create();
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<List<String>> result = direct(Pipeline.of("a", "b")
                        .map(
                                s -> {
                                    calls.incrementAndGet();
                                    if (s.equals("a")) {
                                        throw new IllegalArgumentException("bad " + s);
                                    }
                                    return s.toUpperCase();
                                },
                                OnError.<String, String>retry(Backoff.fixed(Duration.ofMillis(10))
                                                .maxAttempts(2))
                                        .thenRecover((s, e) -> "?" + s))
                        .toList(2))
                .timeSource(clock)
                .run();
        assertThat(result).isNotDone();
        clock.advance(Duration.ofMillis(10));
        assertThat(await(result)).containsExactly("?a", "B");
        assertThat(calls).hasValue(3);
    }

    @Test
    void mapAsync_perCallTimeoutWithFuturesWithTimeout_retriedThenDeadLettered() {
        VirtualClock clock = VirtualClock.create();
        List<CompletableFuture<String>> calls = Collections.synchronizedList(new ArrayList<>());
        List<String> deadLetters = new ArrayList<>();
        CompletableFuture<List<String>> result = direct(Pipeline.of("fast", "hangs", "fast2")
                        .mapAsync(
                                2,
                                s -> {
                                    CompletableFuture<String> call = s.equals("hangs")
                                            ? new CompletableFuture<>()
                                            : CompletableFuture.completedFuture(s.toUpperCase());
                                    calls.add(call);
                                    return Futures.withTimeout(call, Duration.ofSeconds(1), clock);
                                },
                                OnError.<String, String>retry(Backoff.fixed(Duration.ofMillis(500))
                                                .maxAttempts(2))
                                        .thenSkip((s, e) -> deadLetters.add(
                                                s + ":" + e.getClass().getSimpleName())))
                        .toList(3))
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofSeconds(1)); // first attempt times out, retry in 500 ms
        assertThat(result).isNotDone();
        clock.advance(Duration.ofMillis(1_500)); // second attempt times out: dead letter
        assertThat(await(result)).containsExactly("FAST", "FAST2");
        assertThat(deadLetters).containsExactly("hangs:TimeoutException");
        assertThat(calls).filteredOn(CompletableFuture::isCancelled).hasSize(2); // timed-out calls were cancelled
    }

    @Test
    void retry_unlimitedBackoff_rejected() {
        assertThatThrownBy(() -> OnError.retry(Backoff.fixed(Duration.ofMillis(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> OnError.skip((a, b) -> {}).thenSkip((a, b) -> {}))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void skip_deadLetterThrows_failsRunWithCallbackErrorAndCauseSuppressed() {
        var boom = new IllegalStateException("element failed");
        var callback = new IllegalArgumentException("dead letter store down");
        Throwable failure = failureOf(direct(Pipeline.of(1)
                        .map(
                                x -> {
                                    throw boom;
                                },
                                OnError.skip((x, e) -> {
                                    throw callback;
                                }))
                        .count())
                .run());
        assertThat(failure).isSameAs(callback);
        assertThat(failure.getSuppressed()).containsExactly(boom);
    }

    // ---------------------------------------------------------------- cancellation

    @Test
    void mapAsync_runCancelled_cancelsEveryCallInFlight() {
        List<CompletableFuture<Long>> calls = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Long> result = direct(Pipeline.range(0, 100)
                        .mapAsync(5, x -> {
                            var call = new CompletableFuture<Long>();
                            calls.add(call);
                            return call;
                        })
                        .count())
                .run();
        assertThat(calls).hasSize(5);
        result.cancel(true);
        assertThat(calls).allSatisfy(call -> assertThat(call).isCancelled());
        assertThat(calls).hasSize(5);
    }

    /** Everything runs on this thread: jump from timer to timer until the result is there. */
    private static <R> R drive(VirtualClock clock, CompletableFuture<R> result) {
        while (!result.isDone() && clock.advanceToNextTimer()) {
            // next timer
        }
        return await(result);
    }

    private static int outOfOrder(List<? extends Number> values) {
        int count = 0;
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i).longValue() < values.get(i - 1).longValue()) {
                count++;
            }
        }
        return count;
    }
}
