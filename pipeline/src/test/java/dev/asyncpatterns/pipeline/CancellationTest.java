package dev.asyncpatterns.pipeline;

import static dev.asyncpatterns.pipeline.Support.await;
import static dev.asyncpatterns.pipeline.Support.direct;
import static dev.asyncpatterns.pipeline.Support.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CancellationTest {

    // ---------------------------------------------------------------- the source stops

    @Test
    void cancelFromSink_fusedChain_sourceProducesNothingAfterCancel() {
        AtomicLong produced = new AtomicLong();
        AtomicLong producedAtCancel = new AtomicLong(-1);
        AtomicReference<PipelineRun<Void>> handle = new AtomicReference<>();
        AtomicInteger closed = new AtomicInteger();
        var executor = new Support.ManualExecutor();
        PipelineRun<Void> run = Pipeline.range(0, Long.MAX_VALUE)
                .peek(x -> produced.incrementAndGet())
                .onClose(closed::incrementAndGet)
                .map(x -> x * 2)
                .forEach(x -> {
                    if (x == 2_000) {
                        handle.get().cancel();
                        producedAtCancel.set(produced.get());
                    }
                })
                .executor(executor)
                .start();
        handle.set(run);
        executor.runAll();
        System.out.printf(
                "cancel-fused producedAtCancel=%d producedAfterCancel=%d closed=%d%n",
                producedAtCancel.get(), produced.get() - producedAtCancel.get(), closed.get());
        assertThat(run.result()).isCancelled();
        assertThat(produced.get() - producedAtCancel.get()).isZero();
        assertThat(closed).hasValue(1);
    }

    @Test
    void cancelFromFold_elementStagesPushedFromRange_nothingPulledAfterCancel() {
        AtomicLong folded = new AtomicLong();
        AtomicReference<PipelineRun<Long>> handle = new AtomicReference<>();
        var executor = new Support.ManualExecutor();
        PipelineRun<Long> run = Pipeline.range(0, Long.MAX_VALUE)
                .map(x -> x * 2)
                .filter(x -> x % 4 == 0)
                .fold(0L, (acc, x) -> {
                    folded.incrementAndGet();
                    if (x == 4_000) {
                        handle.get().cancel();
                    }
                    return acc + x;
                })
                .executor(executor)
                .start();
        handle.set(run);
        executor.runAll();
        assertThat(run.result()).isCancelled();
        assertThat(folded).hasValue(1_001); // 0, 4, ..., 4000
        List<StageMetrics> metrics = run.metrics();
        assertThat(metrics.get(0).elementsOut()).isEqualTo(2_001); // 0..2000: none after the cancel
        assertThat(metrics.get(1).elementsIn()).isEqualTo(2_001);
        assertThat(metrics.get(2).elementsOut()).isEqualTo(1_001);
        assertThat(metrics.get(3).elementsIn()).isEqualTo(1_001);
    }

    @Test
    void cancelFromOtherThread_acrossAsyncBoundary_sourceStopsPromptly() throws Exception {
        AtomicLong produced = new AtomicLong();
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger closeCount = new AtomicInteger();
        PipelineRun<Long> run = Pipeline.range(0, Long.MAX_VALUE)
                .peek(x -> produced.incrementAndGet())
                .onClose(() -> {
                    closeCount.incrementAndGet();
                    closed.countDown();
                })
                .async()
                .map(x -> x + 1)
                .count()
                .start();
        Support.eventually(() -> assertThat(produced.get()).isGreaterThan(100_000));
        run.cancel();
        long atCancel = produced.get(); // everything produced after this read happened after the flag was set
        assertThat(closed.await(Support.PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                .isTrue();
        long after = produced.get() - atCancel;
        System.out.printf("cancel-boundary producedAtCancel=%d producedAfterCancel=%d%n", atCancel, after);
        assertThat(after).isLessThanOrEqualTo(1);
        assertThat(closeCount).hasValue(1);
    }

    @Test
    void cancel_releasesCallsTimersAndSubscriptionsAndRunsEveryHookOnce() {
        VirtualClock clock = VirtualClock.create();
        List<CompletableFuture<Long>> calls = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger sourceClosed = new AtomicInteger();
        AtomicInteger tailClosed = new AtomicInteger();
        CompletableFuture<List<List<Long>>> result = direct(Pipeline.range(0, 1_000)
                        .onClose(sourceClosed::incrementAndGet)
                        .throttle(100, Duration.ofSeconds(1))
                        .mapAsync(4, x -> {
                            var call = new CompletableFuture<Long>();
                            calls.add(call);
                            return call;
                        })
                        .batch(10, Duration.ofSeconds(5))
                        .timeout(Duration.ofMinutes(1))
                        .onClose(tailClosed::incrementAndGet)
                        .toList(100))
                .timeSource(clock)
                .run();
        calls.get(0).complete(0L); // a partial batch arms the batch timer
        clock.advance(Duration.ofMillis(100));
        assertThat(clock.pendingTimers()).isPositive();
        result.cancel(true);
        assertThat(calls).allSatisfy(call -> assertThat(call).isDone());
        assertThat(calls.subList(1, calls.size()))
                .allSatisfy(call -> assertThat(call).isCancelled());
        assertThat(clock.pendingTimers()).isZero();
        assertThat(sourceClosed).hasValue(1);
        assertThat(tailClosed).hasValue(1);
    }

    // ---------------------------------------------------------------- onClose exactly once

    @ParameterizedTest
    @ValueSource(strings = {"complete", "fail", "cancel", "takeEarly"})
    void onClose_everyOutcome_runsExactlyOnceBeforeResult(String outcome) {
        AtomicInteger hooks = new AtomicInteger();
        AtomicInteger hooksSeenByResult = new AtomicInteger(-1);
        CompletableFuture<Void> never = new CompletableFuture<>();
        Pipeline<Long> source = Pipeline.range(0, 10).onClose(hooks::incrementAndGet);
        RunnablePipeline<Long> job = switch (outcome) {
            case "complete" -> source.count();
            case "fail" ->
                source.map(x -> {
                            if (x == 5) {
                                throw new IllegalStateException("five");
                            }
                            return x;
                        })
                        .count();
            case "cancel" -> source.mapAsync(1, x -> never.thenApply(v -> x)).count();
            default ->
                Pipeline.range(0, Long.MAX_VALUE)
                        .onClose(hooks::incrementAndGet)
                        .take(3)
                        .count();
        };
        CompletableFuture<Long> result = direct(job).run();
        result.whenComplete((v, e) -> hooksSeenByResult.set(hooks.get()));
        if (outcome.equals("cancel")) {
            result.cancel(true);
        }
        try {
            result.join();
        } catch (CancellationException | java.util.concurrent.CompletionException expected) {
            // outcome under test
        }
        assertThat(hooks).hasValue(1);
        if (!outcome.equals("cancel")) {
            assertThat(hooksSeenByResult).hasValue(1);
        }
    }

    @Test
    void onClose_hookThrows_failsSuccessfulRun() {
        var hookFailure = new IllegalStateException("close failed");
        Throwable failure = failureOf(direct(Pipeline.of(1)
                        .onClose(() -> {
                            throw hookFailure;
                        })
                        .count())
                .run());
        assertThat(failure).isSameAs(hookFailure);
    }

    @Test
    void onClose_hookThrowsAfterFailure_isSuppressed() {
        var hookFailure = new IllegalStateException("close failed");
        var stageFailure = new IllegalArgumentException("stage failed");
        Throwable failure = failureOf(direct(Pipeline.of(1)
                        .onClose(() -> {
                            throw hookFailure;
                        })
                        .map(x -> {
                            throw stageFailure;
                        })
                        .count())
                .run());
        assertThat(failure).isSameAs(stageFailure);
        assertThat(failure.getSuppressed()).containsExactly(hookFailure);
    }

    @Test
    void cancel_afterCompletion_isNoOp() {
        PipelineRun<Long> run = direct(Pipeline.range(0, 3).count()).start();
        assertThat(await(run.result())).isEqualTo(3);
        assertThat(run.cancel()).isFalse();
    }

    @Test
    void runs_manyConcurrentRunsCancelledAtRandom_allCloseExactlyOnce() {
        long seed = Long.getLong("pipeline.seed", System.nanoTime());
        java.util.Random random = new java.util.Random(seed);
        int runs = "long".equals(System.getenv("STRESS")) ? 5_000 : 300;
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        List<CompletableFuture<Long>> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long n = random.nextInt(5_000);
            CompletableFuture<Long> result = Pipeline.range(0, n)
                    .peek(x -> {
                        if (x == 0) {
                            opened.incrementAndGet();
                        }
                    })
                    .onClose(closed::incrementAndGet)
                    .async(16, task -> Thread.ofVirtual().start(task))
                    .mapAsyncUnordered(4, x -> CompletableFuture.supplyAsync(() -> x))
                    .count()
                    .run();
            results.add(result);
            if (random.nextBoolean()) {
                result.cancel(true);
            }
        }
        int cancelled = 0;
        for (CompletableFuture<Long> result : results) {
            try {
                result.join();
            } catch (CancellationException e) {
                cancelled++;
            }
        }
        Support.eventually(() -> assertThat(closed.get()).isEqualTo(runs));
        System.out.printf(
                "cancel-stress seed=%d runs=%d cancelled=%d closed=%d%n", seed, runs, cancelled, closed.get());
        assertThat(closed.get()).as("seed=%d", seed).isEqualTo(runs);
    }
}
