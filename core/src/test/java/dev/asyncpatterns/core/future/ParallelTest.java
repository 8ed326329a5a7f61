package dev.asyncpatterns.core.future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParallelTest {

    private final VirtualClock clock = VirtualClock.create();

    /** Items that each take {@code latencyMs} of virtual time, counting peak concurrency. */
    private final class Tracker implements Function<Integer, CompletionStage<Integer>> {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final AtomicInteger started = new AtomicInteger();
        final Function<Integer, Long> latencyMs;

        Tracker(Function<Integer, Long> latencyMs) {
            this.latencyMs = latencyMs;
        }

        @Override
        public CompletionStage<Integer> apply(Integer item) {
            started.incrementAndGet();
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return clock.delay(Duration.ofMillis(latencyMs.apply(item)))
                    .whenComplete((v, e) -> inFlight.decrementAndGet())
                    .thenApply(ignored -> item * 10);
        }
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    // ---------------------------------------------------------------- map (sliding window)

    @Test
    void map_resultsInInputOrder_concurrencyBounded() {
        var tracker = new Tracker(item -> (long) (10 - item % 10) * 10);
        var result = Parallel.map(range(100), 7, tracker);
        clock.advance(Duration.ofSeconds(10));
        assertThat(result).isCompleted();
        assertThat(result.join()).isEqualTo(range(100).stream().map(i -> i * 10).toList());
        assertThat(tracker.peak).hasValue(7);
        assertThat(tracker.inFlight).hasValue(0);
    }

    @Test
    void map_slidingWindow_startsNextItemAsSoonAsOneFinishes() {
        // item 0 is slow (100 ms); the rest take 10 ms: a window of 2 finishes everything in 100 ms
        var tracker = new Tracker(item -> item == 0 ? 100L : 10L);
        var result = Parallel.map(range(11), 2, tracker);
        clock.advance(Duration.ofMillis(99));
        assertThat(result).isNotDone();
        assertThat(tracker.started).hasValue(11);
        clock.advance(Duration.ofMillis(1));
        assertThat(result).isCompleted();
    }

    @Test
    void batches_waitForTheSlowestOfEachBatch() {
        var tracker = new Tracker(item -> item % 2 == 0 ? 100L : 10L);
        var result = Parallel.batches(range(10), 2, tracker);
        clock.advance(Duration.ofMillis(499));
        assertThat(result).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThat(result.join()).isEqualTo(range(10).stream().map(i -> i * 10).toList());
        assertThat(tracker.peak).hasValue(2);
    }

    @Test
    void map_versusBatches_randomLatencies_slidingWindowCloserToIdeal() {
        var random = new Random(42);
        long[] latency = new long[1_000];
        for (int i = 0; i < latency.length; i++) {
            latency[i] = 1 + random.nextInt(50);
        }
        long sliding = elapsedMs(Parallel.map(range(1_000), 10, new Tracker(i -> latency[i])));
        long batched = elapsedMs(Parallel.batches(range(1_000), 10, new Tracker(i -> latency[i])));
        long ideal = (long) Math.ceil(java.util.Arrays.stream(latency).sum() / 10.0);
        assertThat(sliding).isLessThan(batched);
        assertThat((double) sliding / ideal).isLessThan(1.1);
        assertThat((double) batched / ideal).isGreaterThan(1.4);
    }

    private long elapsedMs(CompletableFuture<?> result) {
        long start = clock.nanoTime();
        while (!result.isDone()) {
            clock.advance(Duration.ofMillis(1));
        }
        return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - start);
    }

    @Test
    void map_emptyInput_completesWithEmptyList() {
        assertThat(Parallel.map(List.of(), 3, item -> CompletableFuture.completedFuture(item))
                        .join())
                .isEmpty();
        assertThat(Parallel.batches(List.of(), 3, item -> CompletableFuture.completedFuture(item))
                        .join())
                .isEmpty();
        assertThat(Parallel.forEach(List.of(), 3, item -> CompletableFuture.completedFuture(item)))
                .isCompleted();
    }

    @Test
    void map_nullItemsAndNullResults_allowed() {
        var items = new ArrayList<String>();
        items.add(null);
        items.add("a");
        var result =
                Parallel.map(items, 2, item -> CompletableFuture.completedFuture(item == null ? null : item + "!"));
        assertThat(result.join()).containsExactly(null, "a!");
    }

    @Test
    void map_100000SynchronousItems_noStackOverflow() {
        var result = Parallel.map(range(100_000), 4, item -> CompletableFuture.completedFuture(item + 1));
        assertThat(result.join()).hasSize(100_000).endsWith(100_000);
    }

    // ---------------------------------------------------------------- fail fast

    @Test
    void map_failure_failsFastCancelsInFlightAndStartsNoMore() {
        var inFlight = new ArrayList<CompletableFuture<Integer>>();
        var started = new AtomicInteger();
        var result = Parallel.map(range(10), 3, item -> {
            started.incrementAndGet();
            var f = new CompletableFuture<Integer>();
            inFlight.add(f);
            return f;
        });
        assertThat(started).hasValue(3);
        inFlight.get(1).completeExceptionally(new IllegalStateException("boom"));
        assertThatThrownBy(result::join)
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasRootCauseMessage("boom");
        assertThat(inFlight.get(0)).isCancelled();
        assertThat(inFlight.get(2)).isCancelled();
        assertThat(started).hasValue(3);
    }

    @Test
    void map_laterFailures_attachedAsSuppressed() {
        var works = new ArrayList<CompletableFuture<Integer>>();
        var result = Parallel.map(range(2), 2, item -> {
            // a stage that ignores cancellation, so its own failure arrives after the first
            var f = new CompletableFuture<Integer>();
            works.add(f);
            return f.minimalCompletionStage();
        });
        var first = new IllegalStateException("first");
        works.get(0).completeExceptionally(first);
        works.get(1).completeExceptionally(new IllegalArgumentException("second"));
        assertThatThrownBy(result::join).hasCause(first);
        assertThat(first.getSuppressed()).singleElement().isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void map_fnThrowsOrReturnsNull_countsAsFailure() {
        var thrown = Parallel.map(range(5), 2, item -> {
            if (item == 3) {
                throw new IllegalStateException("thrown");
            }
            return CompletableFuture.completedFuture(item);
        });
        assertThatThrownBy(thrown::join).hasRootCauseMessage("thrown");
        var nulls = Parallel.map(range(5), 2, item -> null);
        assertThatThrownBy(nulls::join).hasCauseInstanceOf(NullPointerException.class);
        var error = Parallel.map(range(5), 2, item -> {
            throw new AssertionError("error");
        });
        assertThatThrownBy(error::join).hasCauseInstanceOf(AssertionError.class);
    }

    @Test
    void map_cancelResult_cancelsInFlightAndStartsNoMore() {
        var inFlight = new ArrayList<CompletableFuture<Integer>>();
        var result = Parallel.map(range(50), 5, item -> {
            var f = new CompletableFuture<Integer>();
            inFlight.add(f);
            return f;
        });
        assertThat(inFlight).hasSize(5);
        result.cancel(true);
        assertThat(inFlight).allMatch(CompletableFuture::isCancelled);
        assertThat(inFlight).hasSize(5);
    }

    // ---------------------------------------------------------------- settle all

    @Test
    void mapSettled_mixedOutcomes_reportsEveryOneInOrderAndRunsAll() {
        var started = new AtomicInteger();
        var result = Parallel.mapSettled(range(6), 2, item -> {
            started.incrementAndGet();
            return switch (item % 3) {
                case 0 -> CompletableFuture.completedFuture("ok" + item);
                case 1 -> CompletableFuture.<String>failedFuture(new IllegalStateException("bad" + item));
                default -> {
                    var cancelled = new CompletableFuture<String>();
                    cancelled.cancel(false);
                    yield cancelled;
                }
            };
        });
        List<Outcome<String>> outcomes = result.join();
        assertThat(started).hasValue(6);
        assertThat(outcomes).hasSize(6);
        assertThat(outcomes.get(0)).isEqualTo(Outcome.success("ok0"));
        assertThat(outcomes.get(1))
                .isInstanceOfSatisfying(
                        Outcome.Failure.class,
                        failure -> assertThat(failure.cause()).hasMessage("bad1"));
        assertThat(outcomes.get(2)).isInstanceOf(Outcome.Cancelled.class);
        assertThat(outcomes.get(3)).isEqualTo(Outcome.success("ok3"));
    }

    @Test
    void mapSettled_fnThrows_reportedAsFailureNotThrown() {
        var result = Parallel.<Integer, Integer>mapSettled(range(3), 3, item -> {
            throw new IllegalArgumentException("no " + item);
        });
        assertThat(result.join()).allMatch(outcome -> outcome instanceof Outcome.Failure<Integer>);
    }

    @Test
    void mapSettled_cancelResult_cancelsInFlight() {
        var inFlight = new ArrayList<CompletableFuture<Integer>>();
        var result = Parallel.mapSettled(range(10), 3, item -> {
            var f = new CompletableFuture<Integer>();
            inFlight.add(f);
            return f;
        });
        result.cancel(true);
        assertThat(inFlight).hasSize(3).allMatch(CompletableFuture::isCancelled);
    }

    // ---------------------------------------------------------------- forEach / lazy

    @Test
    void forEach_lazyIterator_neverHoldsMoreThanMaxConcurrencyItems() {
        var pulled = new AtomicInteger();
        var finished = new AtomicInteger();
        var maxOutstanding = new AtomicInteger();
        Iterator<Integer> endlessish = new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return next < 1_000_000;
            }

            @Override
            public Integer next() {
                maxOutstanding.accumulateAndGet(pulled.incrementAndGet() - finished.get(), Math::max);
                return next++;
            }
        };
        var result = Parallel.forEach(endlessish, 8, item -> {
            // completes synchronously for most items, asynchronously every 1,000th
            if (item % 1000 == 0) {
                return clock.delay(Duration.ofMillis(1)).thenRun(finished::incrementAndGet);
            }
            finished.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });
        while (!result.isDone()) {
            clock.advance(Duration.ofMillis(1));
        }
        assertThat(result).isCompleted();
        assertThat(pulled).hasValue(1_000_000);
        assertThat(finished).hasValue(1_000_000);
        assertThat(maxOutstanding.get()).isLessThanOrEqualTo(8);
    }

    @Test
    void forEach_iteratorThrows_failsAndCancelsInFlight() {
        var work = new CompletableFuture<Void>();
        Iterator<Integer> broken = new Iterator<>() {
            int calls;

            @Override
            public boolean hasNext() {
                if (++calls == 2) {
                    throw new IllegalStateException("source broke");
                }
                return true;
            }

            @Override
            public Integer next() {
                return 1;
            }
        };
        var result = Parallel.forEach(broken, 4, item -> work);
        assertThatThrownBy(result::join).hasRootCauseMessage("source broke");
        assertThat(work).isCancelled();
    }

    @Test
    void forEach_iterable_failsFast() {
        var result = Parallel.forEach(
                range(10),
                2,
                item -> item == 4
                        ? CompletableFuture.failedFuture(new IllegalStateException("four"))
                        : CompletableFuture.completedFuture(null));
        assertThatThrownBy(result::join).hasRootCauseMessage("four");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInput_rejectedAtOnceNamingTheParameter() {
        Function<Integer, CompletionStage<Integer>> fn = CompletableFuture::completedFuture;
        assertThatThrownBy(() -> Parallel.map(null, 1, fn))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("items");
        assertThatThrownBy(() -> Parallel.map(range(1), 0, fn))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConcurrency")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> Parallel.map(range(1), 1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("fn");
        assertThatThrownBy(() -> Parallel.batches(range(1), -1, fn))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchSize");
        assertThatThrownBy(() -> Parallel.forEach((Iterator<Integer>) null, 1, fn))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("items");
        assertThatThrownBy(() -> Parallel.forEach(range(1), Integer.MIN_VALUE, fn))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Parallel.forEach(range(1).iterator(), 1, null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Parallel.mapSettled(range(1), 0, fn))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConcurrency");
        assertThatThrownBy(() -> Parallel.mapSettled(null, 1, fn)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void map_hugeMaxConcurrency_startsAllAtOnce() {
        var tracker = new Tracker(item -> 10L);
        var result = Parallel.map(range(1_000), Integer.MAX_VALUE, tracker);
        assertThat(tracker.started).hasValue(1_000);
        clock.advance(Duration.ofMillis(10));
        assertThat(result.join()).hasSize(1_000);
    }
}
