package dev.asyncpatterns.pipeline;

import static dev.asyncpatterns.pipeline.Support.await;
import static dev.asyncpatterns.pipeline.Support.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.queue.Overflow;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class BackpressureTest {

    private static final long TEN_MILLION = 10_000_000;

    // ---------------------------------------------------------------- bounded in-flight

    @Test
    void slowSink_tenMillionSource_inFlightNeverExceedsConfiguredBuffers() {
        VirtualClock clock = VirtualClock.create();
        AtomicLong produced = new AtomicLong();
        AtomicLong consumed = new AtomicLong();
        AtomicLong maxInFlight = new AtomicLong();
        int parallelism = 16;
        int capacity = 64;
        int batch = 10;
        // mapAsync window + async-boundary queue + partial batch + the batch in the sink
        long bound = parallelism + capacity + batch + batch;
        int batchesToConsume = Integer.getInteger(
                "pipeline.backpressure.batches", "long".equals(System.getenv("STRESS")) ? 50_000 : 1_000);
        PipelineRun<Void> run = Pipeline.range(0, TEN_MILLION)
                .peek(x -> produced.incrementAndGet())
                .mapAsync(parallelism, x -> CompletableFuture.supplyAsync(() -> x))
                .buffer(capacity, Overflow.BACKPRESSURE)
                .batch(batch)
                .forEachAsync(
                        items -> clock.delay(Duration.ofMillis(1)).thenRun(() -> consumed.addAndGet(items.size())))
                .timeSource(clock)
                .start();
        long deadline = System.nanoTime() + Support.PATIENCE.toNanos();
        while (consumed.get() < (long) batchesToConsume * batch && System.nanoTime() < deadline) {
            long p = produced.get(); // read produced first: consumed only grows
            long inFlight = p - consumed.get();
            maxInFlight.accumulateAndGet(inFlight, Math::max);
            clock.advance(Duration.ofMillis(1));
            Thread.onSpinWait();
        }
        run.cancel();
        System.out.printf(
                "backpressure source=%d produced=%d consumed=%d maxInFlight=%d bound=%d%n",
                TEN_MILLION, produced.get(), consumed.get(), maxInFlight.get(), bound);
        assertThat(consumed.get()).isGreaterThanOrEqualTo((long) batchesToConsume * batch);
        assertThat(maxInFlight.get()).isLessThanOrEqualTo(bound);
        assertThat(produced.get()).isLessThan(TEN_MILLION);
    }

    @Test
    void asyncBoundary_slowConsumer_producerPausesAtCapacity() {
        AtomicLong produced = new AtomicLong();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CompletableFuture<Void> run = Pipeline.range(0, TEN_MILLION)
                .peek(x -> produced.incrementAndGet())
                .async(100, task -> Thread.ofVirtual().start(task))
                .forEachAsync(x -> gate)
                .run();
        // the consumer holds one element (taken before or after the buffer filled up), the buffer
        // holds 100 and the producer pauses: it resumes only once the buffer has drained to half
        Support.eventually(() -> assertThat(produced.get()).isGreaterThanOrEqualTo(100));
        run.cancel(true);
        assertThat(produced.get()).isBetween(100L, 101L);
    }

    // ---------------------------------------------------------------- overflow policies

    @Test
    void buffer_dropNewest_keepsFirstCapacityElements() {
        OverflowRun run = overflowRun(Overflow.DROP_NEWEST);
        await(run.handle().result());
        assertThat(run.out())
                .containsExactlyElementsOf(LongStream.range(0, 11).boxed().toList());
        assertThat(run.handle().metrics().get(2).failures()).isEqualTo(1_000 - 11);
    }

    @Test
    void buffer_dropOldest_keepsNewestCapacityElements() {
        OverflowRun run = overflowRun(Overflow.DROP_OLDEST);
        await(run.handle().result());
        List<Long> expected = new ArrayList<>(List.of(0L));
        LongStream.range(990, 1_000).forEach(expected::add);
        assertThat(run.out()).containsExactlyElementsOf(expected);
        assertThat(run.handle().metrics().get(2).failures()).isEqualTo(1_000 - 11);
    }

    @Test
    void buffer_fail_failsRunOnOverflow() {
        OverflowRun run = overflowRun(Overflow.FAIL);
        assertThat(failureOf(run.handle().result()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("buffer overflow")
                .hasMessageContaining("Overflow.FAIL");
    }

    private record OverflowRun(PipelineRun<Void> handle, List<Long> out) {}

    /** 1,000 elements into a buffer of 10 while the consumer holds element 0 until the source is done. */
    private static OverflowRun overflowRun(Overflow overflow) {
        CompletableFuture<Void> sourceDone = new CompletableFuture<>();
        CompletableFuture<Void> firstTaken = new CompletableFuture<>();
        List<Long> out = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger calls = new AtomicInteger();
        Iterable<Long> source = () -> new java.util.Iterator<>() {
            long next;

            @Override
            public boolean hasNext() {
                return next < 1_000;
            }

            @Override
            public Long next() {
                if (next == 1) {
                    firstTaken.join(); // the producer thread waits until the consumer holds element 0
                }
                return next++;
            }
        };
        PipelineRun<Void> run = Pipeline.from(source)
                .onClose(() -> sourceDone.complete(null))
                .buffer(10, overflow)
                .forEachAsync(x -> {
                    out.add(x);
                    firstTaken.complete(null);
                    return calls.getAndIncrement() == 0 ? sourceDone : CompletableFuture.completedFuture(null);
                })
                .start();
        return new OverflowRun(run, out);
    }
}
