package dev.asyncpatterns.pipeline;

import static dev.asyncpatterns.pipeline.Support.await;
import static dev.asyncpatterns.pipeline.Support.direct;
import static dev.asyncpatterns.pipeline.Support.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Time-based stages, all on the virtual clock. */
class TimeStagesTest {

    private final VirtualClock clock = VirtualClock.create();

    // ---------------------------------------------------------------- batch(size, maxWait)

    @Test
    void batchMaxWait_slowSource_flushesPartialBatchesOnTime() {
        List<Duration> flushedAt = new ArrayList<>();
        CompletableFuture<List<Integer>> sizes = direct(Pipeline.tick(Duration.ofMillis(100))
                        .take(25)
                        .batch(10, Duration.ofMillis(350))
                        .peek(batch -> flushedAt.add(clock.elapsed()))
                        .map(List::size)
                        .toList(10))
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofSeconds(3));
        // first element at 100 ms, flushed 350 ms later with the elements of 100..400 ms
        assertThat(await(sizes)).containsExactly(4, 4, 4, 4, 4, 4, 1);
        assertThat(flushedAt.subList(0, 2)).containsExactly(Duration.ofMillis(450), Duration.ofMillis(850));
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void batchMaxWait_fastSource_flushesBySizeWithoutWaiting() {
        CompletableFuture<List<List<Long>>> batches = direct(
                        Pipeline.range(0, 5).batch(2, Duration.ofHours(1)).toList(3))
                .timeSource(clock)
                .run();
        assertThat(await(batches)).containsExactly(List.of(0L, 1L), List.of(2L, 3L), List.of(4L));
        assertThat(clock.elapsed()).isZero();
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void batchMaxWait_timerRacingFullBatch_doesNotFlushNextBatchEarly() {
        // elements at 100, 200 ms fill a batch of 2 exactly when... no: the batch is full at 200 ms;
        // its timer (due 400 ms) must not flush the next batch, started at 300 ms, at 400 ms
        List<Duration> flushedAt = new ArrayList<>();
        CompletableFuture<List<List<Long>>> batches = direct(Pipeline.tick(Duration.ofMillis(100))
                        .take(3)
                        .batch(2, Duration.ofMillis(300))
                        .peek(batch -> flushedAt.add(clock.elapsed()))
                        .toList(2))
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofSeconds(1));
        assertThat(await(batches)).containsExactly(List.of(0L, 1L), List.of(2L));
        assertThat(flushedAt).containsExactly(Duration.ofMillis(200), Duration.ofMillis(300));
    }

    // ---------------------------------------------------------------- window

    @Test
    void window_countsPerTumblingWindowAndFlushesLastOnEnd() {
        CompletableFuture<List<Long>> counts = direct(Pipeline.tick(Duration.ofMillis(100))
                        .take(20)
                        .window(Duration.ofSeconds(1), Collectors.counting())
                        .toList(10))
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofSeconds(3));
        // window [0, 1 s): ticks at 100..900 ms; [1 s, 2 s): 1000..1900 ms; the tick at 2 s ends it
        assertThat(await(counts)).containsExactly(9L, 10L, 1L);
    }

    @Test
    void window_closesOnTimeWithoutFurtherElements() {
        List<Duration> emittedAt = new ArrayList<>();
        CompletableFuture<List<List<Long>>> windows = direct(Pipeline.tick(Duration.ofMillis(300))
                        .takeWhile(t -> t < 2)
                        .mapAsync(
                                1,
                                t -> clock.delay(Duration.ofMillis(t == 1 ? 5_000 : 0))
                                        .thenApply(x -> t))
                        .window(Duration.ofSeconds(1), Collectors.toList())
                        .peek(w -> emittedAt.add(clock.elapsed()))
                        .toList(5))
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofSeconds(10));
        assertThat(await(windows)).containsExactly(List.of(0L), List.of(1L));
        // the first window is emitted at its end (1 s) although the next element only comes at 5.6 s
        assertThat(emittedAt.get(0)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void window_endlessSynchronousSource_stillClosesWindows() {
        // each element takes 1 ms of (virtual) time to produce
        CompletableFuture<List<Long>> counts = direct(Pipeline.range(0, Long.MAX_VALUE)
                        .peek(x -> clock.advance(Duration.ofMillis(1)))
                        .window(Duration.ofMillis(100), Collectors.counting())
                        .take(3)
                        .toList(3))
                .timeSource(clock)
                .run();
        assertThat(await(counts)).allSatisfy(count -> assertThat(count).isBetween(99L, 101L));
    }

    // ---------------------------------------------------------------- throttle

    @Test
    void throttle_burstThenEvenlySpaced() {
        List<Long> at = new ArrayList<>();
        CompletableFuture<Long> done = direct(Pipeline.range(0, 6)
                        .throttle(2, Duration.ofSeconds(1))
                        .peek(x -> at.add(clock.elapsed().toMillis()))
                        .count())
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofSeconds(10));
        assertThat(await(done)).isEqualTo(6);
        assertThat(at).containsExactly(0L, 0L, 500L, 1000L, 1500L, 2000L);
    }

    @Test
    void throttle_doesNotPullAheadOfRate() {
        List<Long> pulledAt = new ArrayList<>();
        CompletableFuture<Long> done = direct(Pipeline.range(0, 3)
                        .peek(x -> pulledAt.add(clock.elapsed().toMillis()))
                        .throttle(1, Duration.ofSeconds(1))
                        .count())
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofSeconds(5));
        assertThat(await(done)).isEqualTo(3);
        assertThat(pulledAt).containsExactly(0L, 1000L, 2000L);
    }

    // ---------------------------------------------------------------- timeout

    @Test
    void timeout_slowElement_failsWithTimeoutException() {
        CompletableFuture<List<Integer>> result = direct(Pipeline.<Integer, Integer>unfold(
                                0,
                                n -> clock.delay(Duration.ofMillis(n == 3 ? 5_000 : 100))
                                        .thenApply(x -> Optional.of(new Pipeline.Step<>(n, n + 1))))
                        .timeout(Duration.ofSeconds(1))
                        .toList(100))
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofMillis(300));
        assertThat(result).isNotDone();
        clock.advance(Duration.ofMillis(1000));
        assertThat(failureOf(result)).isInstanceOf(TimeoutException.class).hasMessageContaining("PT1S");
    }

    @Test
    void timeout_elementsInTime_pass() {
        CompletableFuture<Long> result = direct(Pipeline.tick(Duration.ofMillis(900))
                        .timeout(Duration.ofSeconds(1))
                        .take(10)
                        .count())
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofSeconds(10));
        assertThat(await(result)).isEqualTo(10);
    }

    @Test
    void timeout_busyDownstream_doesNotCount() {
        CompletableFuture<Void> result = direct(Pipeline.range(0, 3)
                        .timeout(Duration.ofSeconds(1))
                        .forEachAsync(x -> clock.delay(Duration.ofSeconds(5))))
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofSeconds(20));
        assertThat(result).isCompleted();
    }

    // ------------------------------------------------------------------ labels

    @Test
    void stageLabels_durations_readAsPeopleWriteThem() {
        var run = Pipeline.range(0, 3)
                .batch(2, Duration.ofMillis(200))
                .timeout(Duration.ofSeconds(2))
                .throttle(5, Duration.ofMillis(1500))
                .toList(10)
                .timeSource(clock)
                .start();
        clock.advance(Duration.ofSeconds(5));
        await(run.result());
        assertThat(run.metrics())
                .extracting(StageMetrics::stage)
                .containsExactly(
                        "0:range(0, 3)",
                        "1:batch(2, 200 ms)",
                        "2:timeout(2 s)",
                        "3:throttle(5 per 1500 ms)",
                        "4:toList(10)");
    }
}
