package dev.asyncpatterns.pipeline;

import static dev.asyncpatterns.pipeline.Support.await;
import static dev.asyncpatterns.pipeline.Support.direct;
import static dev.asyncpatterns.pipeline.Support.failureOf;
import static dev.asyncpatterns.pipeline.Support.runDirect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SinksTest {

    // ---------------------------------------------------------------- reducing sinks

    @Test
    void fold_sumsInOrder() {
        assertThat(runDirect(Pipeline.of("a", "b", "c").fold("", String::concat)))
                .isEqualTo("abc");
    }

    @Test
    void reduce_emptyAndNonEmpty() {
        assertThat(runDirect(Pipeline.<Integer>empty().reduce(Integer::sum))).isEmpty();
        assertThat(runDirect(Pipeline.of(1, 2, 3).reduce(Integer::sum))).isEqualTo(Optional.of(6));
    }

    @Test
    void count_countsEverything() {
        assertThat(runDirect(Pipeline.range(0, 123_456).count())).isEqualTo(123_456);
    }

    @Test
    void toList_atLimit_succeeds_beyondLimit_failsWithoutDraining() {
        assertThat(runDirect(Pipeline.range(0, 3).toList(3))).containsExactly(0L, 1L, 2L);
        AtomicInteger produced = new AtomicInteger();
        Throwable failure = failureOf(direct(Pipeline.range(0, Long.MAX_VALUE)
                        .peek(x -> produced.incrementAndGet())
                        .toList(3))
                .run());
        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageContaining("more than 3");
        assertThat(produced).hasValue(4);
    }

    @Test
    void toList_resultIsUnmodifiable() {
        List<Long> list = runDirect(Pipeline.range(0, 2).toList(2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> list.add(3L))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    // ---------------------------------------------------------------- forEach family

    @Test
    void forEachAsync_oneAtATimeInOrder() {
        VirtualClock clock = VirtualClock.create();
        List<String> events = new ArrayList<>();
        CompletableFuture<Void> done = direct(Pipeline.of(1, 2, 3).forEachAsync(x -> {
                    events.add("start " + x + " at " + clock.elapsed().toMillis());
                    return clock.delay(Duration.ofMillis(100));
                }))
                .timeSource(clock)
                .run();
        clock.advance(Duration.ofSeconds(1));
        await(done);
        assertThat(events).containsExactly("start 1 at 0", "start 2 at 100", "start 3 at 200");
    }

    @Test
    void forEachBatch_batchesWithPartialLast() {
        List<List<Long>> batches = new ArrayList<>();
        await(direct(Pipeline.range(0, 5).forEachBatch(2, batch -> {
                    batches.add(batch);
                    return CompletableFuture.completedFuture(null);
                }))
                .run());
        assertThat(batches).containsExactly(List.of(0L, 1L), List.of(2L, 3L), List.of(4L));
    }

    // ---------------------------------------------------------------- AsyncQueue

    @Test
    void intoQueue_fullQueue_backpressuresPipeline() {
        AsyncQueue<Long> queue = AsyncQueue.bounded(4);
        AtomicInteger produced = new AtomicInteger();
        CompletableFuture<Void> done = direct(Pipeline.range(0, 100)
                        .peek(x -> produced.incrementAndGet())
                        .intoQueue(queue))
                .run();
        assertThat(produced).hasValue(5); // 4 in the queue, the 5th waiting in put
        List<Long> taken = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            taken.add(queue.take().join());
        }
        await(done);
        assertThat(taken).containsExactlyElementsOf(SourcesTest.LongStreamRange.of(0, 100));
    }

    @Test
    void intoQueue_closedQueue_failsRun() {
        AsyncQueue<Long> queue = AsyncQueue.bounded(4);
        queue.close();
        assertThat(failureOf(direct(Pipeline.range(0, 10).intoQueue(queue)).run()))
                .isInstanceOf(ClosedException.class);
    }

    @Test
    void fromQueue_consumesUntilClosedAndDrained() {
        AsyncQueue<Integer> queue = AsyncQueue.bounded(8);
        CompletableFuture<List<Integer>> result =
                direct(Pipeline.fromQueue(queue).toList(100)).run();
        for (int i = 0; i < 20; i++) {
            queue.put(i);
        }
        assertThat(result).isNotDone();
        queue.close();
        assertThat(await(result)).hasSize(20).startsWith(0, 1, 2).endsWith(19);
    }

    @Test
    void fromQueue_closedExceptionally_failsWithCause() {
        AsyncQueue<Integer> queue = AsyncQueue.bounded(8);
        CompletableFuture<Long> result =
                direct(Pipeline.fromQueue(queue).count()).run();
        var cause = new IllegalStateException("producer died");
        queue.closeExceptionally(cause);
        assertThat(failureOf(result)).isInstanceOf(ClosedException.class).hasCause(cause);
    }

    @Test
    void fromQueue_runCancelled_consumesNothingMore() {
        AsyncQueue<Integer> queue = AsyncQueue.bounded(8);
        CompletableFuture<Long> result =
                direct(Pipeline.fromQueue(queue).count()).run();
        result.cancel(true);
        queue.put(42);
        assertThat(queue.poll()).isEqualTo(42);
    }

    @Test
    void queueToQueue_pipelineBetweenProducersAndConsumers() {
        AsyncQueue<Integer> in = AsyncQueue.bounded(16);
        AsyncQueue<String> out = AsyncQueue.bounded(16);
        CompletableFuture<Void> job =
                Pipeline.fromQueue(in).map(i -> "#" + i).intoQueue(out).run().whenComplete((v, e) -> out.close());
        Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 1_000; i++) {
                in.put(i).join();
            }
            in.close();
        });
        List<String> received = new ArrayList<>();
        for (; ; ) {
            try {
                received.add(out.take().join());
            } catch (java.util.concurrent.CompletionException e) {
                assertThat(e).hasCauseInstanceOf(ClosedException.class);
                break;
            }
        }
        await(job);
        assertThat(received).hasSize(1_000).startsWith("#0").endsWith("#999");
    }

    // ---------------------------------------------------------------- Flow.Subscriber

    @Test
    void toSubscriber_deliversExactlyWhatIsRequested() {
        TestSubscriber<Long> subscriber = new TestSubscriber<>(0);
        CompletableFuture<Void> done =
                direct(Pipeline.range(0, 10).toSubscriber(subscriber)).run();
        var subscription = subscriber.subscription.join();
        assertThat(subscriber.items).isEmpty();
        subscription.request(3);
        assertThat(subscriber.items).containsExactly(0L, 1L, 2L);
        subscription.request(Long.MAX_VALUE);
        assertThat(subscriber.items).hasSize(10);
        assertThat(subscriber.terminated).isCompletedWithValue(null);
        assertThat(done).isCompleted();
    }

    @Test
    void toSubscriber_subscriberCancels_runCompletesAndSourceCloses() {
        AtomicInteger closed = new AtomicInteger();
        TestSubscriber<Long> subscriber = new TestSubscriber<>(0);
        CompletableFuture<Void> done = direct(Pipeline.range(0, Long.MAX_VALUE)
                        .onClose(closed::incrementAndGet)
                        .toSubscriber(subscriber))
                .run();
        subscriber.subscription.join().request(5);
        subscriber.subscription.join().cancel();
        assertThat(done).isCompleted();
        assertThat(closed).hasValue(1);
        assertThat(subscriber.terminated).isNotDone();
    }

    @Test
    void toSubscriber_runCancelled_signalsOnErrorCancellation() {
        TestSubscriber<Long> subscriber = new TestSubscriber<>(1);
        CompletableFuture<Void> done = direct(
                        Pipeline.<Long>fromQueue(AsyncQueue.bounded(1)).toSubscriber(subscriber))
                .run();
        done.cancel(true);
        assertThat(subscriber.terminated.join()).isInstanceOf(CancellationException.class);
    }

    @Test
    void toSubscriber_badRequest_signalsIllegalArgument() {
        TestSubscriber<Long> subscriber = new TestSubscriber<>(0);
        CompletableFuture<Void> done =
                direct(Pipeline.range(0, 10).toSubscriber(subscriber)).run();
        subscriber.subscription.join().request(0);
        assertThat(subscriber.terminated.join())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3.9");
        assertThat(failureOf(done)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toSubscriber_onNextThrows_cancelsAndFailsRun() {
        var broken = new IllegalStateException("subscriber bug");
        TestSubscriber<Long> subscriber = new TestSubscriber<>(10) {
            @Override
            public void onNext(Long item) {
                throw broken;
            }
        };
        assertThat(failureOf(
                        direct(Pipeline.range(0, 10).toSubscriber(subscriber)).run()))
                .isSameAs(broken);
        assertThat(subscriber.terminated).isNotDone();
    }

    // ---------------------------------------------------------------- metrics

    @Test
    void metrics_countInOutFailuresDepthPerStage() {
        VirtualClock clock = VirtualClock.create();
        PipelineRun<List<List<Long>>> run = direct(Pipeline.range(0, 10)
                        .filter(x -> x % 2 == 0)
                        .mapAsync(
                                2,
                                x -> clock.delay(Duration.ofMillis(10)).thenApply(v -> x),
                                OnError.recover((x, e) -> -1L))
                        .batch(2)
                        .toList(10))
                .timeSource(clock)
                .start();
        List<StageMetrics> during = run.metrics();
        assertThat(during.get(2).bufferDepth()).isEqualTo(2); // mapAsync holds two calls
        clock.advance(Duration.ofSeconds(1));
        assertThat(await(run.result())).hasSize(3);
        List<StageMetrics> metrics = run.metrics();
        assertThat(metrics)
                .extracting(StageMetrics::stage)
                .containsExactly("0:range(0, 10)", "1:filter", "2:mapAsync(2)", "3:batch(2)", "4:toList(10)");
        assertThat(metrics.get(0).elementsIn()).isZero(); // a source takes nothing from upstream
        assertThat(metrics.get(0).elementsOut()).isEqualTo(10);
        assertThat(metrics.get(1).elementsIn()).isEqualTo(10);
        assertThat(metrics.get(1).elementsOut()).isEqualTo(5);
        assertThat(metrics.get(2).elementsOut()).isEqualTo(5);
        assertThat(metrics.get(2).busy()).isEqualTo(Duration.ofMillis(50));
        assertThat(metrics.get(3).elementsOut()).isEqualTo(3);
        assertThat(metrics.get(4).elementsIn()).isEqualTo(3);
        assertThat(run.toString()).contains("done");
    }

    @Test
    void metrics_elementStagesPushedIntoSink_countEveryStageExactly() {
        PipelineRun<Long> run = direct(Pipeline.range(0, 10)
                        .map(
                                x -> {
                                    if (x == 3) {
                                        throw new IllegalStateException("three");
                                    }
                                    return x;
                                },
                                OnError.skip((x, e) -> {}))
                        .filter(x -> x % 2 == 0)
                        .skip(1)
                        .fold(0L, Long::sum))
                .start();
        assertThat(await(run.result())).isEqualTo(2L + 4 + 6 + 8);
        List<StageMetrics> metrics = run.metrics();
        assertThat(metrics)
                .extracting(StageMetrics::stage)
                .containsExactly("0:range(0, 10)", "1:map", "2:filter", "3:skip(1)", "4:fold");
        assertThat(metrics.get(0).elementsOut()).isEqualTo(10);
        assertThat(metrics.get(1).elementsIn()).isEqualTo(10);
        assertThat(metrics.get(1).failures()).isEqualTo(1);
        assertThat(metrics.get(1).elementsOut()).isEqualTo(9);
        assertThat(metrics.get(2).elementsIn()).isEqualTo(9);
        assertThat(metrics.get(2).elementsOut()).isEqualTo(5);
        assertThat(metrics.get(3).elementsIn()).isEqualTo(5);
        assertThat(metrics.get(3).elementsOut()).isEqualTo(4);
        assertThat(metrics.get(4).elementsIn()).isEqualTo(4);
    }

    @Test
    void metrics_sinkBusy_includesFusedSynchronousStages() {
        VirtualClock clock = VirtualClock.create();
        PipelineRun<Long> run = direct(Pipeline.range(0, 5)
                        .peek(x -> clock.advance(Duration.ofMillis(10))) // a synchronous stage taking 10 ms
                        .count())
                .timeSource(clock)
                .start();
        assertThat(await(run.result())).isEqualTo(5);
        List<StageMetrics> metrics = run.metrics();
        assertThat(metrics.get(1).busy()).isZero();
        assertThat(metrics.get(2).busy()).isEqualTo(Duration.ofMillis(50));
    }
}
