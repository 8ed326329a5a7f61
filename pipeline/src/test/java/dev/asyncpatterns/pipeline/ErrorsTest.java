package dev.asyncpatterns.pipeline;

import static dev.asyncpatterns.pipeline.Support.direct;
import static dev.asyncpatterns.pipeline.Support.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.queue.Overflow;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collector;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fail-fast errors from every kind of stage, source and sink. */
class ErrorsTest {

    static final RuntimeException BOOM = new IllegalStateException("boom");

    private static <T> T boom() {
        throw BOOM;
    }

    /** A stage (or sink) that fails on the element 3 of range(0, 10). */
    static Stream<Arguments> failingStages() {
        return Stream.of(
                stage("map", p -> p.map(x -> x == 3 ? boom() : x).count()),
                stage("filter", p -> p.filter(x -> x == 3 ? boom() : true).count()),
                stage(
                        "flatMap fn",
                        p -> p.flatMap(x -> x == 3 ? boom() : List.of(x)).count()),
                stage(
                        "flatMap iterator",
                        p -> p.flatMap(x -> x == 3 ? failingIterable() : List.of(x))
                                .count()),
                stage(
                        "concatMap inner",
                        p -> p.concatMap(x -> x == 3 ? Pipeline.<Long>failed(() -> BOOM) : Pipeline.of(x))
                                .count()),
                stage(
                        "mapAsync fn",
                        p -> p.mapAsync(4, x -> x == 3 ? boom() : CompletableFuture.completedFuture(x))
                                .count()),
                stage(
                        "mapAsync future",
                        p -> p.mapAsync(
                                        4,
                                        x -> x == 3
                                                ? CompletableFuture.<Long>failedFuture(BOOM)
                                                : CompletableFuture.supplyAsync(() -> x))
                                .count()),
                stage(
                        "mapAsyncUnordered",
                        p -> p.mapAsyncUnordered(
                                        4,
                                        x -> x == 3
                                                ? CompletableFuture.<Long>failedFuture(BOOM)
                                                : CompletableFuture.completedFuture(x))
                                .count()),
                stage("takeWhile", p -> p.takeWhile(x -> x == 3 ? boom() : true).count()),
                stage(
                        "skip then map",
                        p -> p.skip(2).map(x -> x == 3 ? boom() : x).count()),
                stage(
                        "distinct hashCode",
                        p -> p.map(x -> x == 3 ? new BadHash() : (Object) x)
                                .distinct()
                                .count()),
                stage("scan", p -> p.scan(0L, (a, x) -> x == 3 ? boom() : a + x).count()),
                stage(
                        "peek",
                        p -> p.peek(x -> {
                                    if (x == 3) {
                                        throw BOOM;
                                    }
                                })
                                .count()),
                stage(
                        "batch upstream",
                        p -> p.map(x -> x == 3 ? boom() : x).batch(5).count()),
                stage(
                        "window collector",
                        p -> p.window(
                                        Duration.ofSeconds(1),
                                        Collector.<Long, long[], Long>of(
                                                () -> new long[1],
                                                (a, x) -> {
                                                    if (x == 3) {
                                                        throw BOOM;
                                                    }
                                                },
                                                (a, b) -> a,
                                                a -> a[0]))
                                .count()),
                stage(
                        "zip combiner",
                        p -> p.zip(Pipeline.range(0, 10), (a, b) -> a == 3 ? boom() : a + b)
                                .count()),
                stage(
                        "zip other side",
                        p -> p.zip(Pipeline.range(0, 10).map(x -> x == 3 ? boom() : x), Long::sum)
                                .count()),
                stage(
                        "async boundary upstream",
                        p -> p.map(x -> x == 3 ? boom() : x).async().count()),
                stage(
                        "buffer upstream",
                        p -> p.map(x -> x == 3 ? boom() : x)
                                .buffer(2, Overflow.BACKPRESSURE)
                                .count()),
                stage(
                        "throttle upstream",
                        p -> p.map(x -> x == 3 ? boom() : x)
                                .throttle(1_000, Duration.ofSeconds(1))
                                .count()),
                stage(
                        "timeout upstream",
                        p -> p.map(x -> x == 3 ? boom() : x)
                                .timeout(Duration.ofSeconds(1))
                                .count()),
                stage(
                        "merge part",
                        p -> Pipeline.merge(p.map(x -> x == 3 ? boom() : x), Pipeline.range(0, 5))
                                .count()),
                stage(
                        "concat part",
                        p -> Pipeline.concat(Pipeline.range(0, 5), p.map(x -> x == 3 ? boom() : x))
                                .count()),
                stage(
                        "forEach",
                        p -> p.forEach(x -> {
                            if (x == 3) {
                                throw BOOM;
                            }
                        })),
                stage(
                        "forEachAsync",
                        p -> p.forEachAsync(x -> x == 3
                                ? CompletableFuture.failedFuture(BOOM)
                                : CompletableFuture.completedFuture(null))),
                stage(
                        "forEachBatch",
                        p -> p.forEachBatch(
                                2,
                                b -> b.contains(3L)
                                        ? CompletableFuture.failedFuture(BOOM)
                                        : CompletableFuture.completedFuture(null))),
                stage("fold", p -> p.fold(0L, (a, x) -> x == 3 ? boom() : a + x)),
                stage("reduce", p -> p.reduce((a, x) -> x == 3 ? boom() : a + x)),
                stage(
                        "toSubscriber onError",
                        p -> p.map(x -> x == 3 ? boom() : x).toSubscriber(new TestSubscriber<>(100))));
    }

    static Arguments stage(String name, Function<Pipeline<Long>, RunnablePipeline<?>> job) {
        return Arguments.of(name, job);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failingStages")
    void failingStage_failsRunWithThatErrorAndClosesSource(
            String name, Function<Pipeline<Long>, RunnablePipeline<?>> job) {
        AtomicInteger sourceClosed = new AtomicInteger();
        Pipeline<Long> source = Pipeline.range(0, 10).onClose(sourceClosed::incrementAndGet);
        CompletableFuture<?> result =
                job.apply(source).timeSource(VirtualClock.create()).run();
        assertThat(failureOf(result)).as(name).isSameAs(BOOM);
        Support.eventually(() -> assertThat(sourceClosed).as(name).hasValue(1));
    }

    // ---------------------------------------------------------------- failing sources

    @Test
    void iteratorThrows_failsRun() {
        assertThat(failureOf(direct(Pipeline.from(ErrorsTest::failingIterator).count())
                        .run()))
                .isSameAs(BOOM);
    }

    @Test
    void unfoldStepThrows_failsRun() {
        assertThat(failureOf(
                        direct(Pipeline.<Integer, Integer>unfold(0, s -> boom()).count())
                                .run()))
                .isSameAs(BOOM);
    }

    @Test
    void unfoldNullOptional_failsWithNpe() {
        assertThat(failureOf(direct(Pipeline.<Integer, Integer>unfold(
                                        0,
                                        s -> CompletableFuture.completedFuture(
                                                (Optional<Pipeline.Step<Integer, Integer>>) null))
                                .count())
                        .run()))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void publisherOnErrorBeforeAnyElement_failsRun() {
        try (SubmissionPublisher<Long> publisher = new SubmissionPublisher<>(Runnable::run, 4)) {
            CompletableFuture<Long> result =
                    direct(Pipeline.fromPublisher(publisher).count()).run();
            publisher.closeExceptionally(BOOM);
            assertThat(failureOf(result)).isSameAs(BOOM);
        }
    }

    @Test
    void mapReturnsNull_failsWithNpe() {
        assertThat(failureOf(
                        direct(Pipeline.of(1).map(x -> (String) null).count()).run()))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("map function returned null");
    }

    @Test
    void mapAsyncReturnsNullFuture_failsWithNpe() {
        assertThat(failureOf(direct(Pipeline.of(1)
                                .mapAsync(1, x -> (CompletableFuture<String>) null)
                                .count())
                        .run()))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("null future");
    }

    @Test
    void errorThrown_failsRunWithThatError() {
        var error = new AssertionError("an Error, not an Exception");
        assertThat(failureOf(direct(Pipeline.of(1)
                                .map(x -> {
                                    throw error;
                                })
                                .count())
                        .run()))
                .isSameAs(error);
    }

    @Test
    void errorThrown_neverSkipped() {
        var error = new AssertionError("not skippable");
        assertThat(failureOf(direct(Pipeline.of(1)
                                .map(
                                        x -> {
                                            throw error;
                                        },
                                        OnError.skip((x, e) -> {}))
                                .count())
                        .run()))
                .isSameAs(error);
        assertThat(failureOf(direct(Pipeline.of(1)
                                .mapAsync(
                                        1,
                                        x -> {
                                            throw error;
                                        },
                                        OnError.skip((x, e) -> {}))
                                .count())
                        .run()))
                .isSameAs(error);
    }

    @Test
    void checkedFailureOfFuture_failsRunWithUnwrappedCause() {
        var checked = new java.io.IOException("disk");
        assertThat(failureOf(direct(Pipeline.of(1)
                                .mapAsync(1, x -> CompletableFuture.<Integer>failedFuture(checked))
                                .count())
                        .run()))
                .isSameAs(checked);
    }

    @Test
    void failFast_upstreamInFlightCallsCancelled() {
        CompletableFuture<Long> slow = new CompletableFuture<>();
        CompletableFuture<Long> result = direct(Pipeline.range(0, 3)
                        .mapAsyncUnordered(
                                3,
                                x -> x == 0
                                        ? slow
                                        : x == 1
                                                ? CompletableFuture.<Long>failedFuture(BOOM)
                                                : new CompletableFuture<Long>())
                        .count())
                .run();
        assertThat(failureOf(result)).isSameAs(BOOM);
        assertThat(slow).isCancelled();
    }

    private static Iterable<Long> failingIterable() {
        return ErrorsTest::failingIterator;
    }

    private static Iterator<Long> failingIterator() {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Long next() {
                throw BOOM;
            }
        };
    }

    static final class BadHash {
        @Override
        public int hashCode() {
            throw BOOM;
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }
    }
}
