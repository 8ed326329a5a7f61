package dev.asyncpatterns.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.ClosedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Randomized invariant stress for {@link AsyncQueue}. Short by default; {@code STRESS=long} runs
 * ten times more items. Seeds are printed and can be replayed with {@code -Dstress.seed=N}.
 */
class AsyncQueueStressTest {

    private static final boolean LONG = "long".equalsIgnoreCase(System.getenv("STRESS"));
    private static final Duration HANG_LIMIT = Duration.ofSeconds(LONG ? 600 : 90);

    private static long seed() {
        return Long.getLong("stress.seed", System.nanoTime());
    }

    // ---------------------------------------------------------------- no loss, no duplicates

    @Test
    void producersConsumers_randomCancellations_noItemLostOrDuplicated() throws Exception {
        long seed = seed();
        int items = LONG ? 10_000_000 : 1_000_000;
        int producers = 4;
        int consumers = 4;
        AsyncQueue<Integer> queue =
                AsyncQueue.<Integer>builder(16).name("stress").build();
        AtomicIntegerArray seen = new AtomicIntegerArray(items);
        LongAdder cancelledPuts = new LongAdder();
        LongAdder cancelledTakes = new LongAdder();
        LongAdder lostCancelRaces = new LongAdder();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicLong acknowledged = new AtomicLong();

        List<Thread> producerThreads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            producerThreads.add(Thread.ofVirtual().name("producer-" + p).start(() -> {
                var random = new SplittableRandom(seed + id);
                try {
                    for (int item = id; item < items; item += producers) {
                        while (true) {
                            int mode = random.nextInt(8);
                            if (mode == 0) { // async put, cancelled if it has to wait
                                CompletableFuture<Void> put = queue.put(item);
                                if (!put.isDone()) {
                                    if (put.cancel(false)) {
                                        cancelledPuts.increment();
                                        continue; // not acknowledged: must not be in the queue; retry
                                    }
                                    lostCancelRaces.increment();
                                }
                                put.join();
                            } else if (mode == 1) {
                                queue.put(item).join();
                            } else {
                                queue.putBlocking(item);
                            }
                            acknowledged.incrementAndGet();
                            break;
                        }
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        List<Thread> consumerThreads = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            int id = c;
            consumerThreads.add(Thread.ofVirtual().name("consumer-" + c).start(() -> {
                var random = new SplittableRandom(seed + 1_000 + id);
                try {
                    while (true) {
                        int mode = random.nextInt(8);
                        if (mode == 0) { // async take, cancelled if it has to wait
                            CompletableFuture<Integer> take = queue.take();
                            if (!take.isDone()) {
                                if (take.cancel(false)) {
                                    cancelledTakes.increment();
                                    continue;
                                }
                                lostCancelRaces.increment();
                            }
                            seen.incrementAndGet(take.join());
                        } else if (mode == 1) {
                            for (int item : queue.drain(4)) {
                                seen.incrementAndGet(item);
                            }
                            if (queue.isDrained()) {
                                return;
                            }
                        } else if (mode == 2) {
                            seen.incrementAndGet(queue.take().join());
                        } else {
                            seen.incrementAndGet(queue.takeBlocking());
                        }
                    }
                } catch (ClosedException end) {
                    // end of queue
                } catch (CompletionException e) {
                    if (!(e.getCause() instanceof ClosedException)) {
                        errors.add(e);
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        joinAll(producerThreads, "producers");
        queue.close();
        joinAll(consumerThreads, "consumers");

        int lost = 0;
        int duplicated = 0;
        for (int i = 0; i < items; i++) {
            int count = seen.get(i);
            if (count == 0) {
                lost++;
            } else if (count > 1) {
                duplicated++;
            }
        }
        AsyncQueue.Stats stats = queue.stats();
        System.out.printf(
                "queue-stress seed=%d producers=%d consumers=%d capacity=16 items=%d acknowledged=%d taken=%d "
                        + "cancelledPuts=%d cancelledTakes=%d lostCancelRaces=%d lost=%d duplicated=%d waitersLeft=%d%n",
                seed,
                producers,
                consumers,
                items,
                acknowledged.get(),
                stats.taken(),
                cancelledPuts.sum(),
                cancelledTakes.sum(),
                lostCancelRaces.sum(),
                lost,
                duplicated,
                stats.putWaiters() + stats.takeWaiters());
        assertThat(errors).isEmpty();
        assertThat(acknowledged.get()).isEqualTo(items);
        assertThat(stats.put()).isEqualTo(items);
        assertThat(stats.taken()).isEqualTo(items);
        assertThat(lost).isZero();
        assertThat(duplicated).isZero();
        assertThat(stats.putWaiters() + stats.takeWaiters()).isZero();
        assertThat(stats.depth()).isZero();
    }

    // ---------------------------------------------------------------- bounded memory

    @Test
    void fastProducerWithPut_depthNeverExceedsCapacity() throws Exception {
        int items = LONG ? 1_000_000 : 200_000;
        int capacity = 16;
        AsyncQueue<Integer> queue = AsyncQueue.bounded(capacity);
        var errors = new java.util.concurrent.CopyOnWriteArrayList<Throwable>();
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < items; i++) {
                    queue.putBlocking(i);
                }
                queue.close();
            } catch (Throwable t) {
                errors.add(t);
            }
        });
        int maxDepth = 0;
        int maxWaiting = 0;
        long expected = 0;
        long sink = 0;
        try {
            while (true) {
                int item = queue.takeBlocking();
                assertThat(item).isEqualTo(expected++);
                sink += slowWork(item); // the consumer is ~100x slower than the producer
                AsyncQueue.Stats stats = queue.stats();
                maxDepth = Math.max(maxDepth, stats.depth());
                maxWaiting = Math.max(maxWaiting, stats.putWaiters());
            }
        } catch (ClosedException end) {
            // done
        }
        producer.join(HANG_LIMIT);
        System.out.printf(
                "queue-fast-producer items=%d capacity=%d taken=%d maxDepth=%d maxWaitingPutters=%d (sink %d)%n",
                items, capacity, expected, maxDepth, maxWaiting, sink % 10);
        assertThat(errors).isEmpty();
        assertThat(expected).isEqualTo(items);
        assertThat(maxDepth).isLessThanOrEqualTo(capacity);
        assertThat(maxWaiting).isLessThanOrEqualTo(1);
    }

    @Test
    void fastProducerWithDropOldest_boundedAndEveryItemAccountedFor() throws Exception {
        int items = LONG ? 10_000_000 : 1_000_000;
        int capacity = 16;
        LongAdder droppedReported = new LongAdder();
        AsyncQueue<Integer> queue = AsyncQueue.<Integer>builder(capacity)
                .overflow(Overflow.DROP_OLDEST)
                .onDropped(item -> droppedReported.increment())
                .build();
        var errors = new java.util.concurrent.CopyOnWriteArrayList<Throwable>();
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < items; i++) {
                    queue.offer(i);
                }
                queue.close();
            } catch (Throwable t) {
                errors.add(t);
            }
        });
        long taken = 0;
        int last = -1;
        int maxDepth = 0;
        long sink = 0;
        boolean ordered = true;
        try {
            while (true) {
                int item = queue.takeBlocking();
                ordered &= item > last;
                last = item;
                taken++;
                sink += slowWork(item);
                maxDepth = Math.max(maxDepth, queue.size());
            }
        } catch (ClosedException end) {
            // done
        }
        producer.join(HANG_LIMIT);
        AsyncQueue.Stats stats = queue.stats();
        System.out.printf(
                "queue-drop-oldest items=%d capacity=%d taken=%d dropped=%d reported=%d maxDepth=%d (sink %d)%n",
                items, capacity, taken, stats.dropped(), droppedReported.sum(), maxDepth, sink % 10);
        assertThat(errors).isEmpty();
        assertThat(ordered).isTrue();
        assertThat(taken + stats.dropped()).isEqualTo(items);
        assertThat(droppedReported.sum()).isEqualTo(stats.dropped());
        assertThat(maxDepth).isLessThanOrEqualTo(capacity);
    }

    // ---------------------------------------------------------------- helpers

    private static long slowWork(int item) {
        long x = item;
        for (int i = 0; i < 200; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    private static void joinAll(List<Thread> threads, String what) throws InterruptedException {
        long deadline = System.nanoTime() + HANG_LIMIT.toNanos();
        for (Thread thread : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !thread.join(Duration.ofNanos(Math.max(1, left)))) {
                StringBuilder dump = new StringBuilder();
                for (Thread t : threads) {
                    dump.append(t).append(' ').append(t.getState()).append('\n');
                    for (StackTraceElement e : t.getStackTrace()) {
                        dump.append("    at ").append(e).append('\n');
                    }
                }
                throw new AssertionError(what + " hung after " + HANG_LIMIT + "\n" + dump);
            }
        }
    }
}
