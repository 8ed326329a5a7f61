package dev.asyncpatterns.pipeline;

import static dev.asyncpatterns.pipeline.Support.await;
import static dev.asyncpatterns.pipeline.Support.direct;
import static dev.asyncpatterns.pipeline.Support.failureOf;
import static dev.asyncpatterns.pipeline.Support.runDirect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SourcesTest {

    // ---------------------------------------------------------------- in-memory sources

    @Test
    void of_elements_emittedInOrder() {
        assertThat(runDirect(Pipeline.of("a", "b", "c").toList(10))).containsExactly("a", "b", "c");
    }

    @Test
    void of_nullElement_throwsNpeNamingIndex() {
        assertThatThrownBy(() -> Pipeline.of("a", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("elements[1]");
    }

    @Test
    void from_iterable_iteratedAfreshByEachRun() {
        RunnablePipeline<List<Integer>> job = Pipeline.from(List.of(1, 2, 3)).toList(3);
        assertThat(runDirect(job)).containsExactly(1, 2, 3);
        assertThat(runDirect(job)).containsExactly(1, 2, 3);
    }

    @Test
    void from_iterableWithNullElement_failsRun() {
        List<Integer> withNull = new ArrayList<>(List.of(1));
        withNull.add(null);
        assertThat(failureOf(direct(Pipeline.from(withNull).toList(5)).run()))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("null element");
    }

    @Test
    void fromIterator_secondRun_failsWithIllegalState() {
        RunnablePipeline<Long> job =
                Pipeline.fromIterator(List.of(1, 2).iterator()).count();
        assertThat(runDirect(job)).isEqualTo(2);
        assertThat(failureOf(direct(job).run()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already consumed");
    }

    @Test
    void fromStream_completion_closesStream() {
        AtomicInteger closed = new AtomicInteger();
        Stream<Integer> stream = Stream.of(1, 2, 3).onClose(closed::incrementAndGet);
        assertThat(runDirect(Pipeline.fromStream(stream).toList(3))).containsExactly(1, 2, 3);
        assertThat(closed).hasValue(1);
    }

    @Test
    void fromStream_takeEndsEarly_closesStreamOnce() {
        AtomicInteger closed = new AtomicInteger();
        Stream<Integer> stream = Stream.iterate(0, i -> i + 1).onClose(closed::incrementAndGet);
        assertThat(runDirect(Pipeline.fromStream(stream).take(3).toList(3))).containsExactly(0, 1, 2);
        assertThat(closed).hasValue(1);
    }

    @Test
    void range_endBeforeStart_isEmpty() {
        assertThat(runDirect(Pipeline.range(5, 2).count())).isZero();
        assertThat(runDirect(Pipeline.range(-2, 2).toList(4))).containsExactly(-2L, -1L, 0L, 1L);
    }

    @Test
    void empty_completesWithNothing() {
        assertThat(runDirect(Pipeline.<String>empty().toList(0))).isEmpty();
    }

    @Test
    void failed_failsEveryRunWithFreshError() {
        RunnablePipeline<Long> job =
                Pipeline.failed(() -> new IllegalStateException("boom")).count();
        Throwable first = failureOf(direct(job).run());
        Throwable second = failureOf(direct(job).run());
        assertThat(first).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(second).isNotSameAs(first);
    }

    // ---------------------------------------------------------------- async sources

    @Test
    void unfold_pagesUntilEmpty_onVirtualClock() throws Exception {
        VirtualClock clock = VirtualClock.create();
        // pages of 3 numbers, 5 pages, each page takes 100 ms
        CompletableFuture<List<Integer>> result = direct(Pipeline.<Integer, List<Integer>>unfold(
                                0,
                                page -> clock.delay(Duration.ofMillis(100))
                                        .thenApply(ignored -> page == 5
                                                ? Optional.empty()
                                                : Optional.of(new Pipeline.Step<>(
                                                        List.of(page * 3, page * 3 + 1, page * 3 + 2), page + 1))))
                        .flatMap(list -> list)
                        .toList(100))
                .timeSource(clock)
                .run();
        assertThat(clock.runUntilDone(result, Duration.ofSeconds(10)))
                .containsExactlyElementsOf(IntStream.range(0, 15).boxed().toList());
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(600));
    }

    @Test
    void unfold_stepFails_failsRun() {
        var boom = new IllegalStateException("page 2 failed");
        CompletableFuture<Long> result = direct(Pipeline.<Integer, Integer>unfold(
                                0,
                                n -> n == 2
                                        ? CompletableFuture.failedFuture(boom)
                                        : CompletableFuture.completedFuture(Optional.of(new Pipeline.Step<>(n, n + 1))))
                        .count())
                .run();
        assertThat(failureOf(result)).isSameAs(boom);
    }

    @Test
    void tick_onVirtualClock_emitsEveryPeriod() {
        VirtualClock clock = VirtualClock.create();
        List<Duration> at = new ArrayList<>();
        CompletableFuture<List<Long>> result = direct(Pipeline.tick(Duration.ofSeconds(1))
                        .peek(tick -> at.add(clock.elapsed()))
                        .take(3)
                        .toList(3))
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofMillis(2999));
        assertThat(result).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThat(await(result)).containsExactly(0L, 1L, 2L);
        assertThat(at).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3));
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void tick_busyConsumer_dropsTicksInsteadOfQueueing() {
        VirtualClock clock = VirtualClock.create();
        // the consumer takes 2.5 s per tick: ticks falling due meanwhile are dropped
        PipelineRun<List<Long>> run = direct(Pipeline.tick(Duration.ofSeconds(1))
                        .mapAsync(
                                1, tick -> clock.delay(Duration.ofMillis(2500)).thenApply(ignored -> tick))
                        .take(3)
                        .toList(3))
                .timeSource(clock)
                .start();
        clock.advance(Duration.ofSeconds(20));
        // tick 0 at 1 s is busy until 3.5 s: ticks 1 (2 s) and 2 (3 s) fell due, the newest (2) is
        // taken; it is busy until 6 s, when ticks 3 (4 s) and 4 (5 s) are due: 4 is taken
        assertThat(await(run.result())).containsExactly(0L, 2L, 4L);
        // and when 4 is emitted at 8.5 s the freed slot is refilled with the newest tick, 7:
        // ticks 1, 3, 5 and 6 were dropped
        assertThat(run.metrics().get(0).failures()).isEqualTo(4);
        assertThat(run.metrics().get(0).elementsOut()).isEqualTo(4);
    }

    // ---------------------------------------------------------------- combinations

    @Test
    void concat_runsPartsInOrder() {
        assertThat(runDirect(Pipeline.concat(Pipeline.of(1, 2), Pipeline.<Integer>empty(), Pipeline.of(3))
                        .toList(3)))
                .containsExactly(1, 2, 3);
    }

    @Test
    void merge_emitsEveryElementOfEveryPart() {
        List<Long> merged =
                runDirect(Pipeline.merge(Pipeline.range(0, 100), Pipeline.range(100, 150), Pipeline.range(150, 300))
                        .toList(300));
        assertThat(merged).containsExactlyInAnyOrderElementsOf(LongStreamRange.of(0, 300));
        assertThat(merged.subList(0, 3)).containsExactly(0L, 100L, 150L); // round-robin
    }

    @Test
    void merge_asyncParts_completeConcurrently() {
        VirtualClock clock = VirtualClock.create();
        Pipeline<String> slow = Pipeline.of("slow")
                .mapAsync(1, s -> clock.delay(Duration.ofSeconds(2)).thenApply(x -> s));
        Pipeline<String> fast = Pipeline.of("fast")
                .mapAsync(1, s -> clock.delay(Duration.ofSeconds(1)).thenApply(x -> s));
        CompletableFuture<List<String>> result =
                direct(Pipeline.merge(slow, fast).toList(2)).timeSource(clock).run();
        clock.advance(Duration.ofSeconds(2));
        assertThat(await(result)).containsExactly("fast", "slow");
    }

    // ---------------------------------------------------------------- Flow.Publisher

    @Test
    void fromPublisher_submissionPublisher_receivesEverythingInOrder() {
        int n = 10_000;
        try (SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>()) {
            CompletableFuture<List<Integer>> result =
                    Pipeline.fromPublisher(publisher, 16).toList(n).run();
            Support.eventually(
                    () -> assertThat(publisher.getNumberOfSubscribers()).isEqualTo(1));
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < n; i++) {
                    publisher.submit(i); // blocks while our 16-element demand is used up
                }
                publisher.close();
            });
            assertThat(await(result))
                    .containsExactlyElementsOf(IntStream.range(0, n).boxed().toList());
        }
    }

    @Test
    void fromPublisher_onError_failsRunAfterEarlierElements() {
        var boom = new IllegalStateException("upstream broke");
        List<Integer> seen = new ArrayList<>();
        try (SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>(Runnable::run, 8)) {
            CompletableFuture<Void> result =
                    direct(Pipeline.fromPublisher(publisher).forEach(seen::add)).run();
            publisher.submit(1);
            publisher.submit(2);
            publisher.closeExceptionally(boom);
            assertThat(failureOf(result)).isSameAs(boom);
            assertThat(seen).containsExactly(1, 2);
        }
    }

    @Test
    void fromPublisher_runCancelled_cancelsSubscription() {
        try (SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>(Runnable::run, 8)) {
            CompletableFuture<Void> result =
                    direct(Pipeline.fromPublisher(publisher).forEach(x -> {})).run();
            assertThat(publisher.getNumberOfSubscribers()).isEqualTo(1);
            result.cancel(true);
            assertThat(publisher.getNumberOfSubscribers()).isZero();
        }
    }

    /** Boxed longs of a range, for AssertJ. */
    static final class LongStreamRange {
        static List<Long> of(long from, long to) {
            return java.util.stream.LongStream.range(from, to).boxed().toList();
        }
    }

    @Test
    void metrics_everySynchronousSource_countsWhatItEmitted() {
        List<Pipeline<?>> sources = List.of(
                Pipeline.range(0, 7),
                Pipeline.of(1, 2, 3, 4, 5, 6, 7),
                Pipeline.from(List.of(1, 2, 3, 4, 5, 6, 7)),
                Pipeline.fromStream(IntStream.range(0, 7).boxed()),
                Pipeline.unfold(
                        0,
                        n -> CompletableFuture.completedFuture(
                                n < 7
                                        ? Optional.of(new Pipeline.Step<>(n, n + 1))
                                        : Optional.<Pipeline.Step<Integer, Integer>>empty())));
        for (Pipeline<?> source : sources) {
            PipelineRun<Long> run = direct(source.count()).start();

            assertThat(await(run.result())).isEqualTo(7);
            StageMetrics metrics = run.metrics().get(0);
            assertThat(metrics.elementsIn()).as(metrics.stage()).isZero();
            assertThat(metrics.elementsOut()).as(metrics.stage()).isEqualTo(7);
        }
    }
}
