package dev.asyncpatterns.core.queue;

import static dev.asyncpatterns.core.StressBudget.LONG;
import static dev.asyncpatterns.core.StressBudget.seed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.ClosedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Randomized invariant stress for {@link AsyncQueue}. Short by default; {@code STRESS=long} runs
 * ten times more items. Seeds are printed and can be replayed with {@code -Dstress.seed=N}.
 */
class AsyncQueueStressTest {

    private static final Duration HANG_LIMIT = Duration.ofSeconds(LONG ? 600 : 90);

    // ---------------------------------------------------------------- no loss, no duplicates

    @Test
    void producersConsumers_randomCancellations_noItemLostOrDuplicated() throws Exception {
        producersConsumers(Thread.ofVirtual(), 16, false);
    }

    /**
     * Platform threads on a queue large enough that blocked ones wait on a Condition of the lock
     * (AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY), interrupted at random while they run or wait: an
     * interrupted putBlocking puts nothing and is retried, an interrupted takeBlocking takes nothing.
     */
    @Test
    void platformThreadsOnALargeQueue_randomCancellationsAndInterrupts_noItemLostOrDuplicated() throws Exception {
        producersConsumers(Thread.ofPlatform().daemon(), AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY, true);
    }

    private static void producersConsumers(Thread.Builder threads, int capacity, boolean interrupts) throws Exception {
        long seed = seed();
        int items = LONG ? 10_000_000 : 1_000_000;
        int producers = 4;
        int consumers = 4;
        AsyncQueue<Integer> queue =
                AsyncQueue.<Integer>builder(capacity).name("stress").build();
        LongAdder interruptedCalls = new LongAdder();
        AtomicIntegerArray seen = new AtomicIntegerArray(items);
        LongAdder cancelledPuts = new LongAdder();
        LongAdder cancelledTakes = new LongAdder();
        LongAdder lostCancelRaces = new LongAdder();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicLong acknowledged = new AtomicLong();

        List<Thread> producerThreads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            producerThreads.add(threads.name("producer-" + p).start(() -> {
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
                                try {
                                    queue.putBlocking(item);
                                } catch (InterruptedException interrupted) {
                                    interruptedCalls.increment();
                                    continue; // nothing was put: retry
                                }
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
            consumerThreads.add(threads.name("consumer-" + c).start(() -> {
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
                            try {
                                seen.incrementAndGet(queue.takeBlocking());
                            } catch (InterruptedException interrupted) {
                                interruptedCalls.increment(); // nothing was taken
                            }
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
        AtomicBoolean stopInterrupting = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>(producerThreads);
        workers.addAll(consumerThreads);
        Thread interrupter = Thread.ofPlatform().daemon().start(() -> {
            var random = new SplittableRandom(seed + 2_000);
            while (interrupts && !stopInterrupting.get()) {
                workers.get(random.nextInt(workers.size())).interrupt();
                for (int i = random.nextInt(2_000); i > 0; i--) {
                    Thread.onSpinWait(); // a random gap between interrupts, not a timing
                }
            }
        });
        joinAll(producerThreads, "producers");
        stopInterrupting.set(true);
        joinAll(List.of(interrupter), "interrupter");
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
                "queue-stress seed=%d threads=%s producers=%d consumers=%d capacity=%d items=%d acknowledged=%d "
                        + "taken=%d cancelledPuts=%d cancelledTakes=%d lostCancelRaces=%d interruptedCalls=%d lost=%d "
                        + "duplicated=%d waitersLeft=%d%n",
                seed,
                threads.getClass().getSimpleName(),
                producers,
                consumers,
                capacity,
                items,
                acknowledged.get(),
                stats.taken(),
                cancelledPuts.sum(),
                cancelledTakes.sum(),
                lostCancelRaces.sum(),
                interruptedCalls.sum(),
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

    // ---------------------------------------------------------------- fast paths racing

    @Test
    void putFastPathRacingClose_acknowledgedItemsArePrefixAndTakenOnce() throws Exception {
        int rounds = LONG ? 100_000 : 5_000;
        int capacity = 1 << 16; // the producer never waits: every put takes the fast path
        AtomicReference<AsyncQueue<Integer>> current = new AtomicReference<>();
        AtomicLongArray result = new AtomicLongArray(3); // acknowledged, late acknowledged, not done
        AtomicInteger progress = new AtomicInteger(); // puts made in this round, for the closer
        long acknowledged = 0;
        long splitRounds = 0;
        long violations = 0;
        long lost = 0;
        long duplicated = 0;
        try (var race = new Race(
                () -> {
                    AsyncQueue<Integer> queue = current.get();
                    int i = 0;
                    long notDone = 0;
                    for (; i < capacity; i++) {
                        CompletableFuture<Void> put = queue.put(i);
                        if (put.isCompletedExceptionally()) {
                            assertThat(put)
                                    .failsWithin(Duration.ZERO)
                                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                                    .withCauseInstanceOf(ClosedException.class);
                            break;
                        }
                        if (!put.isDone()) {
                            notDone++;
                        }
                        progress.setRelease(i + 1);
                    }
                    long late = 0;
                    for (int k = 1; k <= 8 && i < capacity; k++) { // once refused, refused for ever
                        if (!queue.put(i + k).isCompletedExceptionally()) {
                            late++;
                        }
                    }
                    result.set(0, i);
                    result.set(1, late);
                    result.set(2, notDone);
                },
                () -> {
                    // close while the producer is inside its run of fast-path puts
                    int target = ThreadLocalRandom.current().nextInt(1, 4096);
                    while (progress.getAcquire() < target) {
                        Thread.onSpinWait();
                    }
                    current.get().close();
                })) {
            for (int r = 0; r < rounds; r++) {
                AsyncQueue<Integer> queue = AsyncQueue.bounded(capacity);
                current.set(queue);
                progress.set(0);
                race.run();
                long ack = result.get(0);
                violations += result.get(1) + result.get(2);
                acknowledged += ack;
                if (ack > 0 && ack < capacity) {
                    splitRounds++;
                }
                int taken = 0;
                for (Integer item; (item = queue.poll()) != null; taken++) {
                    if (item != taken) {
                        violations++; // out of order, or an item that was refused
                    }
                }
                lost += Math.max(0, ack - taken);
                duplicated += Math.max(0, taken - ack);
                assertThat(queue.isDrained()).isTrue();
                assertThat(queue.stats().put()).isEqualTo(ack);
            }
        }
        System.out.printf(
                "queue-put-vs-close rounds=%d acknowledged=%d splitRounds=%d violations=%d lost=%d duplicated=%d%n",
                rounds, acknowledged, splitRounds, violations, lost, duplicated);
        assertThat(violations).isZero();
        assertThat(lost).isZero();
        assertThat(duplicated).isZero();
    }

    @Test
    void cancelledTakeRacingPut_itemDeliveredOrLeftExactlyOnce() throws Exception {
        int rounds = LONG ? 200_000 : 10_000;
        AtomicReference<AsyncQueue<Integer>> current = new AtomicReference<>();
        AtomicReference<CompletableFuture<Integer>> waiting = new AtomicReference<>();
        AtomicIntegerArray cancelWon = new AtomicIntegerArray(1);
        long cancelled = 0;
        long delivered = 0;
        long lost = 0;
        long duplicated = 0;
        try (var race = new Race(
                () -> cancelWon.set(0, waiting.get().cancel(false) ? 1 : 0),
                () -> current.get().put(7).join())) {
            for (int r = 0; r < rounds; r++) {
                AsyncQueue<Integer> queue = AsyncQueue.bounded(4);
                current.set(queue);
                CompletableFuture<Integer> take = queue.take();
                assertThat(take).isNotDone();
                waiting.set(take);
                race.run();
                Integer left = queue.poll();
                if (cancelWon.get(0) == 1) {
                    cancelled++;
                    assertThat(take).isCancelled();
                    if (left == null) {
                        lost++;
                    }
                } else {
                    delivered++;
                    assertThat(take.join()).isEqualTo(7);
                    if (left != null) {
                        duplicated++;
                    }
                }
                AsyncQueue.Stats stats = queue.stats();
                assertThat(stats.takeWaiters() + stats.putWaiters()).isZero();
            }
        }
        System.out.printf(
                "queue-cancelled-take-vs-put rounds=%d cancelWon=%d transferWon=%d lost=%d duplicated=%d%n",
                rounds, cancelled, delivered, lost, duplicated);
        assertThat(cancelled + delivered).isEqualTo(rounds);
        assertThat(lost).isZero();
        assertThat(duplicated).isZero();
    }

    /**
     * A platform thread joining (or getting) a waiting take of a large queue, which waits on the
     * lock's Condition and completes the future itself (AsyncQueue.awaitFateOnLock), racing a put
     * that hands the item over (and completes the same future in fire()) and a cancel: each round,
     * the cancel wins and the item stays in the queue, or the transfer wins and the joiner gets
     * the item; either way the future completes once (its dependent runs once) and the joiner
     * sees its outcome.
     */
    @Test
    void platformJoinerOnTheLockRacingPutAndCancel_completesOnceAndItemDeliveredOrLeftExactlyOnce() throws Exception {
        int rounds = LONG ? 100_000 : 5_000;
        AtomicReference<AsyncQueue<Integer>> current = new AtomicReference<>();
        AtomicReference<CompletableFuture<Integer>> waiting = new AtomicReference<>();
        AtomicReference<Object> joined = new AtomicReference<>();
        AtomicIntegerArray cancelWon = new AtomicIntegerArray(1);
        AtomicInteger round = new AtomicInteger();
        long cancelled = 0;
        long delivered = 0;
        long violations = 0;
        try (var race = new Race(
                () -> {
                    try {
                        joined.set(
                                round.get() % 2 == 0
                                        ? waiting.get().join()
                                        : waiting.get().get());
                    } catch (Throwable t) {
                        joined.set(t);
                    }
                },
                () -> current.get().put(7).join(),
                () -> cancelWon.set(0, waiting.get().cancel(false) ? 1 : 0))) {
            for (int r = 0; r < rounds; r++) {
                round.set(r);
                AsyncQueue<Integer> queue = AsyncQueue.bounded(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
                current.set(queue);
                CompletableFuture<Integer> take = queue.take();
                AtomicInteger completions = new AtomicInteger();
                take.whenComplete((value, failure) -> completions.incrementAndGet());
                waiting.set(take);
                joined.set(null);
                race.run();
                Integer left = queue.poll();
                boolean ok;
                if (cancelWon.get(0) == 1) {
                    cancelled++;
                    ok = take.isCancelled()
                            && left != null
                            && left == 7
                            && joined.get() instanceof CancellationException;
                } else {
                    delivered++;
                    ok = !take.isCompletedExceptionally()
                            && take.join() == 7
                            && left == null
                            && Integer.valueOf(7).equals(joined.get());
                }
                if (!ok || completions.get() != 1) {
                    violations++;
                }
                AsyncQueue.Stats stats = queue.stats();
                assertThat(stats.takeWaiters() + stats.putWaiters()).isZero();
            }
        }
        System.out.printf(
                "queue-join-on-lock-vs-put-vs-cancel rounds=%d cancelWon=%d transferWon=%d violations=%d%n",
                rounds, cancelled, delivered, violations);
        assertThat(cancelled + delivered).isEqualTo(rounds);
        assertThat(violations).isZero();
    }

    /** Platform threads running their actions at the same moment, once per {@link #run()}. */
    private static final class Race implements AutoCloseable {
        private final CyclicBarrier start;
        private final CyclicBarrier end;
        private final List<Thread> threads = new ArrayList<>();
        private final List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile boolean stop;

        Race(Runnable... actions) {
            start = new CyclicBarrier(actions.length + 1);
            end = new CyclicBarrier(actions.length + 1);
            for (Runnable action : actions) {
                threads.add(Thread.ofPlatform().daemon().start(() -> {
                    try {
                        while (true) {
                            start.await();
                            if (stop) {
                                return;
                            }
                            action.run();
                            end.await();
                        }
                    } catch (Throwable t) {
                        errors.add(t);
                    }
                }));
            }
        }

        void run() throws Exception {
            start.await(HANG_LIMIT.toSeconds(), TimeUnit.SECONDS);
            end.await(HANG_LIMIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(errors).isEmpty();
        }

        @Override
        public void close() throws Exception {
            stop = true;
            start.await(HANG_LIMIT.toSeconds(), TimeUnit.SECONDS);
            joinAll(threads, "racers");
        }
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
