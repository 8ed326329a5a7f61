package dev.asyncpatterns.pipeline;

import static dev.asyncpatterns.pipeline.Support.await;
import static dev.asyncpatterns.pipeline.Support.direct;
import static dev.asyncpatterns.pipeline.Support.runDirect;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StagesTest {

    // ---------------------------------------------------------------- one-for-one stages

    @Test
    void map_transformsEachElement() {
        assertThat(runDirect(Pipeline.of(1, 2, 3).map(x -> "#" + x).toList(3))).containsExactly("#1", "#2", "#3");
    }

    @Test
    void filter_keepsMatching() {
        assertThat(runDirect(Pipeline.range(0, 10).filter(x -> x % 3 == 0).toList(10)))
                .containsExactly(0L, 3L, 6L, 9L);
    }

    @Test
    void peek_seesEveryElementInOrder() {
        List<Integer> seen = new ArrayList<>();
        assertThat(runDirect(Pipeline.of(1, 2, 3).peek(seen::add).count())).isEqualTo(3);
        assertThat(seen).containsExactly(1, 2, 3);
    }

    @Test
    void scan_emitsRunningAccumulationWithoutSeed() {
        assertThat(runDirect(Pipeline.of(1, 2, 3, 4).scan(0, Integer::sum).toList(4)))
                .containsExactly(1, 3, 6, 10);
    }

    // ---------------------------------------------------------------- one-to-many

    @Test
    void flatMap_emitsInnerElementsInOrder() {
        assertThat(runDirect(Pipeline.of("a b", "", "c")
                        .flatMap(s -> s.isEmpty() ? List.of() : List.of(s.split(" ")))
                        .toList(3)))
                .containsExactly("a", "b", "c");
    }

    @Test
    void flatMap_pullsInnerLazily() {
        AtomicLong produced = new AtomicLong();
        List<Long> firstThree = runDirect(Pipeline.range(0, Long.MAX_VALUE)
                .peek(x -> produced.incrementAndGet())
                .flatMap(x -> List.of(x, x))
                .take(3)
                .toList(3));
        assertThat(firstThree).containsExactly(0L, 0L, 1L);
        assertThat(produced).hasValue(2);
    }

    @Test
    void concatMap_runsInnerPipelinesInTurnAndClosesEach() {
        AtomicInteger closed = new AtomicInteger();
        List<Integer> out = runDirect(Pipeline.of(1, 2, 3)
                .concatMap(n -> Pipeline.from(List.of(n, n * 10)).onClose(closed::incrementAndGet))
                .toList(6));
        assertThat(out).containsExactly(1, 10, 2, 20, 3, 30);
        assertThat(closed).hasValue(3);
    }

    // ---------------------------------------------------------------- limiting

    @Test
    void take_stopsPullingAndClosesSourceAtOnce() {
        AtomicLong produced = new AtomicLong();
        AtomicInteger closed = new AtomicInteger();
        List<Long> first = runDirect(Pipeline.range(0, Long.MAX_VALUE)
                .peek(x -> produced.incrementAndGet())
                .onClose(closed::incrementAndGet)
                .take(5)
                .toList(5));
        assertThat(first).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(produced).hasValue(5);
        assertThat(closed).hasValue(1);
    }

    @Test
    void take_zero_pullsNothing() {
        AtomicLong produced = new AtomicLong();
        assertThat(runDirect(Pipeline.range(0, 10)
                        .peek(x -> produced.incrementAndGet())
                        .take(0)
                        .count()))
                .isZero();
        assertThat(produced).hasValue(0);
    }

    @Test
    void takeWhile_stopsAtFirstFailingElement() {
        assertThat(runDirect(Pipeline.of(1, 2, 5, 1).takeWhile(x -> x < 3).toList(4)))
                .containsExactly(1, 2);
    }

    @Test
    void skip_dropsFirstN() {
        assertThat(runDirect(Pipeline.range(0, 5).skip(3).toList(5))).containsExactly(3L, 4L);
        assertThat(runDirect(Pipeline.range(0, 5).skip(10).count())).isZero();
    }

    // ---------------------------------------------------------------- distinct

    @Test
    void distinct_dropsRepeats() {
        assertThat(runDirect(Pipeline.of(1, 2, 1, 3, 2, 4).distinct().toList(6)))
                .containsExactly(1, 2, 3, 4);
    }

    @Test
    void distinct_bounded_forgetsLeastRecentlySeen() {
        // remembers 2: after 1, 2, 3 the element 1 was evicted and passes again; 3 is remembered
        assertThat(runDirect(Pipeline.of(1, 2, 3, 1, 3).distinct(2).toList(5))).containsExactly(1, 2, 3, 1);
    }

    @Test
    void distinct_memoryNeverExceedsBound() {
        var executor = new Support.ManualExecutor();
        var handle = new java.util.concurrent.atomic.AtomicReference<PipelineRun<Long>>();
        AtomicInteger maxDepth = new AtomicInteger();
        PipelineRun<Long> run = Pipeline.range(0, 100_000)
                .map(x -> x % 5_000)
                .distinct(1_000)
                .peek(x ->
                        maxDepth.accumulateAndGet(handle.get().metrics().get(2).bufferDepth(), Math::max))
                .count()
                .executor(executor)
                .start();
        handle.set(run);
        executor.runAll();
        assertThat(await(run.result())).isEqualTo(100_000);
        assertThat(maxDepth).hasValue(1_000);
    }

    // ---------------------------------------------------------------- batching and zipping

    @Test
    void batch_groupsBySizeWithPartialLast() {
        assertThat(runDirect(Pipeline.range(0, 7).batch(3).toList(3)))
                .containsExactly(List.of(0L, 1L, 2L), List.of(3L, 4L, 5L), List.of(6L));
    }

    @Test
    void zip_pairsUntilShorterEnds() {
        assertThat(runDirect(Pipeline.of("a", "b", "c")
                        .zip(Pipeline.range(0, 2), (s, n) -> s + n)
                        .toList(3)))
                .containsExactly("a0", "b1");
    }

    @Test
    void zip_closesBothSidesWhenOneEnds() {
        AtomicInteger closed = new AtomicInteger();
        runDirect(Pipeline.range(0, Long.MAX_VALUE)
                .onClose(closed::incrementAndGet)
                .zip(Pipeline.of(1).onClose(closed::incrementAndGet), (a, b) -> a + b)
                .count());
        assertThat(closed).hasValue(2);
    }

    // ---------------------------------------------------------------- description reuse

    @Test
    void pipeline_isImmutableAndReusable() {
        Pipeline<Long> base = Pipeline.range(0, 4);
        Pipeline<Long> doubled = base.map(x -> x * 2);
        assertThat(runDirect(base.toList(4))).containsExactly(0L, 1L, 2L, 3L);
        assertThat(runDirect(doubled.toList(4))).containsExactly(0L, 2L, 4L, 6L);
        assertThat(runDirect(doubled.toList(4))).containsExactly(0L, 2L, 4L, 6L);
    }

    @Test
    void elementStages_pulledByTakeThenPushedIntoSink_sameElementsInOrder() {
        // range -> map -> filter are pulled one at a time by take; take's output is pushed
        // through map -> skip -> peek into the sink
        List<Long> peeked = new ArrayList<>();
        List<Long> out = runDirect(Pipeline.range(0, Long.MAX_VALUE)
                .map(x -> x + 1)
                .filter(x -> x % 2 == 0)
                .take(3)
                .map(x -> x * 10)
                .skip(1)
                .peek(peeked::add)
                .toList(10));
        assertThat(out).containsExactly(40L, 60L);
        assertThat(peeked).containsExactly(40L, 60L);
    }

    @Test
    void elementStages_upstreamNotReadyThenReady_pushResumesWhereItStopped() {
        // mapAsync has nothing ready until its calls complete: the pushed chain below it returns
        // EMPTY, then resumes on the next signal with the same stages
        var pending = new ArrayList<CompletableFuture<Long>>();
        PipelineRun<List<Long>> run = direct(Pipeline.range(0, 4)
                        .mapAsync(4, x -> {
                            var f = new CompletableFuture<Long>();
                            pending.add(f);
                            return f;
                        })
                        .map(x -> x * 3)
                        .filter(x -> x != 3)
                        .toList(10))
                .start();
        assertThat(run.result()).isNotDone();
        for (int i = 0; i < pending.size(); i++) {
            pending.get(i).complete((long) i);
        }
        assertThat(await(run.result())).containsExactly(0L, 6L, 9L);
    }

    @Test
    void longSynchronousChain_noStackOverflow() {
        Pipeline<Long> p = Pipeline.range(0, 1_000);
        for (int i = 0; i < 2_000; i++) {
            p = p.map(x -> x + 1);
        }
        assertThat(runDirect(p.fold(0L, Long::sum))).isEqualTo(999L * 1000 / 2 + 2_000L * 1_000);
    }
}
