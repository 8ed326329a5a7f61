package dev.asyncpatterns.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.common.testing.NullPointerTester;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class AsyncQueueTest {

    private final VirtualClock clock = VirtualClock.create();

    private AsyncQueue<Integer> queue(int capacity) {
        return AsyncQueue.<Integer>builder(capacity).name("q").timeSource(clock).build();
    }

    private static Throwable failure(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    /** A blocking call running on its own virtual thread; outcome is its result or what it threw. */
    private record Started(Thread thread, CompletableFuture<Object> outcome) {}

    @FunctionalInterface
    private interface BlockingCall {
        Object call() throws Exception;
    }

    private static Started onVirtualThread(BlockingCall call) {
        return onThread(Thread.ofVirtual(), call);
    }

    /** Platform threads spin before they park on a small queue (see AsyncQueue#waitSpins). */
    private static Started onPlatformThread(BlockingCall call) {
        return onThread(Thread.ofPlatform().daemon(), call);
    }

    /** A platform thread blocked in {@code q.putBlocking(item)} on a full queue, once it waits. */
    private static Started parkedPlatformPutter(AsyncQueue<Integer> q, int item) {
        Started putter = onPlatformThread(() -> {
            q.putBlocking(item);
            return "put";
        });
        awaitParked(putter.thread());
        return putter;
    }

    /** Starts a platform thread in {@code takeBlocking()} on {@code q} and waits until it parks. */
    private static Started parkedPlatformTaker(AsyncQueue<Integer> q) {
        Started taker = onPlatformThread(q::takeBlocking);
        awaitParked(taker.thread());
        return taker;
    }

    /** {@code q} (made by fullLargeQueue) still holds its fill and nothing else: -1 never went in. */
    private static void assertHoldsOnlyItsFill(AsyncQueue<Integer> q) {
        assertThat(q.drain(Integer.MAX_VALUE))
                .hasSize(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY)
                .doesNotContain(-1);
    }

    /** What {@code started} threw: asserts it is a {@code wrapper} and returns its cause. */
    private static Throwable thrownCause(Started started, Class<? extends Throwable> wrapper) throws Exception {
        Object outcome = started.outcome().get(30, TimeUnit.SECONDS);
        assertThat(outcome).isInstanceOf(wrapper);
        return ((Throwable) outcome).getCause();
    }

    private static Started onThread(Thread.Builder builder, BlockingCall call) {
        var outcome = new CompletableFuture<Object>();
        Thread thread = builder.start(() -> {
            try {
                outcome.complete(call.call());
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        return new Started(thread, outcome);
    }

    // ---------------------------------------------------------------- put / take

    @Test
    void putThenTake_fifoOrder() {
        AsyncQueue<Integer> q = queue(4);
        for (int i = 0; i < 4; i++) {
            assertThat(q.put(i)).isCompleted();
        }
        for (int i = 0; i < 4; i++) {
            assertThat(q.take()).isCompletedWithValue(i);
        }
        assertThat(q.size()).isZero();
    }

    @Test
    void put_roomOrWaitingTaker_returnsOneSharedImmutableCompletedFuture() {
        AsyncQueue<Integer> q = queue(2);
        CompletableFuture<Void> first = q.put(1); // into the store
        CompletableFuture<Void> second = q.put(2);
        assertThat(second).isSameAs(first).isCompletedWithValue(null);
        assertThat(queue(1).put(3)).isSameAs(first); // the same instance across queues: nothing allocated
        assertThat(first.cancel(true)).isFalse();
        assertThat(first.complete(null)).isFalse();
        assertThatThrownBy(() -> first.obtrudeException(new IllegalStateException("x")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(first).isCompletedWithValue(null);
        assertThat(q.drain(2)).containsExactly(1, 2);

        CompletableFuture<Integer> waiting = q.take();
        assertThat(q.put(4)).isSameAs(first); // handed to the waiting taker
        assertThat(waiting).isCompletedWithValue(4);
    }

    @Test
    void take_itemReady_returnsCompletedFutureAndMovesWaitingPutterIn() {
        AsyncQueue<Integer> q = queue(1);
        q.put(1);
        CompletableFuture<Void> blocked = q.put(2);
        assertThat(blocked).isNotDone();
        CompletableFuture<Integer> taken = q.take();
        assertThat(taken).isCompletedWithValue(1);
        assertThat(blocked).isCompletedWithValue(null);
        assertThat(q.poll()).isEqualTo(2);
        assertThat(q.stats().putWaiters()).isZero();
    }

    @Test
    void put_whenFull_waitsUntilTakeMakesRoom() {
        AsyncQueue<Integer> q = queue(1);
        q.put(1);
        CompletableFuture<Void> second = q.put(2);
        assertThat(second).isNotDone();
        assertThat(q.stats().putWaiters()).isEqualTo(1);
        assertThat(q.take()).isCompletedWithValue(1);
        assertThat(second).isCompleted();
        assertThat(q.take()).isCompletedWithValue(2);
    }

    @Test
    void take_whenEmpty_waitsAndGetsNextPutInOrder() {
        AsyncQueue<Integer> q = queue(2);
        CompletableFuture<Integer> first = q.take();
        CompletableFuture<Integer> second = q.take();
        assertThat(first).isNotDone();
        q.put(10);
        assertThat(first).isCompletedWithValue(10);
        assertThat(second).isNotDone();
        q.put(20);
        assertThat(second).isCompletedWithValue(20);
        assertThat(q.stats().put()).isEqualTo(2);
        assertThat(q.stats().taken()).isEqualTo(2);
    }

    @Test
    void poll_returnsHeadOrNull_andMovesWaitingPutterIn() {
        AsyncQueue<Integer> q = queue(1);
        assertThat(q.poll()).isNull();
        q.put(1);
        CompletableFuture<Void> waiting = q.put(2);
        assertThat(q.poll()).isEqualTo(1);
        assertThat(waiting).isCompleted();
        assertThat(q.poll()).isEqualTo(2);
        assertThat(q.poll()).isNull();
    }

    @Test
    void drain_takesAvailableUpToMax_andAdmitsWaitingPutters() {
        AsyncQueue<Integer> q = queue(3);
        for (int i = 0; i < 5; i++) {
            q.put(i);
        }
        assertThat(q.drain(2)).containsExactly(0, 1);
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.drain(10)).containsExactly(2, 3, 4);
        assertThat(q.drain(10)).isEmpty();
    }

    @Test
    void takeBatch_waitsForFirstThenTakesAvailable() {
        AsyncQueue<Integer> q = queue(8);
        CompletableFuture<List<Integer>> batch = q.takeBatch(3);
        assertThat(batch).isNotDone();
        q.put(1);
        assertThat(batch).isCompletedWithValue(List.of(1));
        for (int i = 2; i <= 6; i++) {
            q.put(i);
        }
        assertThat(q.takeBatch(3)).isCompletedWithValue(List.of(2, 3, 4));
        assertThat(q.takeBatch(3)).isCompletedWithValue(List.of(5, 6));
    }

    @Test
    void unbounded_putNeverWaits() {
        AsyncQueue<Integer> q = AsyncQueue.unbounded();
        for (int i = 0; i < 100_000; i++) {
            assertThat(q.put(i).isDone()).isTrue();
        }
        assertThat(q.capacity()).isEqualTo(Integer.MAX_VALUE);
        assertThat(q.size()).isEqualTo(100_000);
        for (int i = 0; i < 100_000; i++) {
            assertThat(q.poll()).isEqualTo(i);
        }
    }

    @Test
    void bounded_largeCapacity_growsLazilyAndKeepsOrder() {
        AsyncQueue<Integer> q = AsyncQueue.bounded(5_000);
        for (int i = 0; i < 5_000; i++) {
            q.put(i);
        }
        assertThat(q.put(-1)).isNotDone();
        assertThat(q.drain(5_000)).hasSize(5_000).startsWith(0, 1, 2).endsWith(4_999);
        assertThat(q.poll()).isEqualTo(-1);
    }

    @Test
    void takeCallback_reentersQueue_noDeadlock() {
        AsyncQueue<Integer> q = queue(1);
        List<Integer> seen = new ArrayList<>();
        CompletableFuture<Integer> taken = q.take();
        taken.thenAccept(item -> {
            seen.add(item);
            q.put(item + 1);
            q.take().thenAccept(seen::add);
        });
        q.put(1);
        assertThat(seen).containsExactly(1, 2);
    }

    @Test
    void take_itemAvailable_returnsFreshCompletedFutureOwnedByTheCaller() {
        AsyncQueue<Integer> q = queue(4);
        q.put(1);
        q.put(2);
        CompletableFuture<Integer> first = q.take();
        CompletableFuture<Integer> second = q.take();
        assertThat(first).isNotSameAs(second).isCompletedWithValue(1);
        first.obtrudeValue(99); // the caller's own future: nobody else sees it
        assertThat(first).isCompletedWithValue(99);
        assertThat(second).isCompletedWithValue(2);
        assertThat(q.stats().taken()).isEqualTo(2);
    }

    private static final int CHAIN = 100_000;

    /**
     * Queues {@link #CHAIN} waiting takes whose callbacks pass {@code item + 1} to {@code next}
     * (which hands it to the next waiting take); returns a future of every callback.
     */
    private static CompletableFuture<Void> chainOfWaitingTakers(AsyncQueue<Integer> q, Consumer<Integer> next) {
        List<CompletableFuture<Void>> callbacks = new ArrayList<>(CHAIN);
        for (int i = 0; i < CHAIN; i++) {
            callbacks.add(q.take().thenAccept(item -> {
                if (item < CHAIN - 1) {
                    next.accept(item + 1);
                }
            }));
        }
        return CompletableFuture.allOf(callbacks.toArray(CompletableFuture[]::new));
    }

    @Test
    void put_handOffChainOf100kWaitingTakersWhoseCallbacksPut_noStackOverflow() {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Void> callbacks = chainOfWaitingTakers(q, q::put);
        q.put(0);
        assertThat(callbacks).isCompleted(); // a StackOverflowError would have stopped the chain
        assertThat(q.stats().taken()).isEqualTo(CHAIN);
        assertThat(q.stats().takeWaiters()).isZero();
    }

    @Test
    void offer_handOffChainOf100kWaitingTakersWhoseCallbacksOffer_noStackOverflow() {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Void> callbacks = chainOfWaitingTakers(q, q::offer);
        assertThat(q.offer(0)).isTrue();
        assertThat(callbacks).isCompleted();
        assertThat(q.stats().taken()).isEqualTo(CHAIN);
    }

    @Test
    void putBlocking_handOffToTakerWhoseCallbackPuts_chainOf100kRunsInConstantStack() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Void> callbacks = chainOfWaitingTakers(q, q::put);
        q.putBlocking(0); // fires the first taker directly; its callback's put starts the trampoline
        assertThat(callbacks).isCompleted();
        assertThat(q.stats().taken()).isEqualTo(CHAIN);
    }

    @Test
    void take_refillChainOf100kWaitingPuttersWhoseCallbacksTake_noStackOverflow() {
        AsyncQueue<Integer> q = queue(1);
        int n = CHAIN;
        q.put(-1);
        List<CompletableFuture<Integer>> taken = new ArrayList<>(n);
        List<CompletableFuture<Void>> callbacks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            callbacks.add(q.put(i).thenRun(() -> taken.add(q.take()))); // each take admits the next putter
        }
        assertThat(q.take()).isCompletedWithValue(-1);
        assertThat(CompletableFuture.allOf(callbacks.toArray(CompletableFuture[]::new)))
                .isCompleted();
        assertThat(taken).hasSize(n);
        assertThat(taken.get(n - 1)).isCompletedWithValue(n - 1);
        assertThat(q.stats().putWaiters()).isZero();
    }

    // ---------------------------------------------------------------- overflow

    @Test
    void offer_backpressure_returnsFalseAndNothingDropped() {
        List<Integer> dropped = new ArrayList<>();
        AsyncQueue<Integer> q =
                AsyncQueue.<Integer>builder(2).onDropped(dropped::add).build();
        assertThat(q.offer(1)).isTrue();
        assertThat(q.offer(2)).isTrue();
        assertThat(q.offer(3)).isFalse();
        assertThat(dropped).isEmpty();
        assertThat(q.drain(5)).containsExactly(1, 2);
    }

    @Test
    void offer_fail_throwsNamingTheCapacityAndKeepsTheQueue() {
        List<Integer> dropped = new ArrayList<>();
        AsyncQueue<Integer> q = AsyncQueue.<Integer>builder(2)
                .name("jobs")
                .overflow(Overflow.FAIL)
                .onDropped(dropped::add)
                .build();
        q.offer(1);
        q.offer(2);
        assertThatThrownBy(() -> q.offer(3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jobs")
                .hasMessageContaining("capacity 2");
        assertThat(dropped).isEmpty();
        assertThat(q.stats().dropped()).isZero();
        assertThat(q.drain(5)).containsExactly(1, 2);
        assertThat(q.offer(4)).isTrue(); // the lock was released: the queue still works
    }

    @Test
    void offer_dropNewest_reportsOfferedItem() {
        List<Integer> dropped = new ArrayList<>();
        AsyncQueue<Integer> q = AsyncQueue.<Integer>builder(2)
                .overflow(Overflow.DROP_NEWEST)
                .onDropped(dropped::add)
                .build();
        q.offer(1);
        q.offer(2);
        assertThat(q.offer(3)).isFalse();
        assertThat(dropped).containsExactly(3);
        assertThat(q.stats().dropped()).isEqualTo(1);
        assertThat(q.drain(5)).containsExactly(1, 2);
    }

    @Test
    void offer_dropOldest_evictsHeadAndReportsIt() {
        List<Integer> dropped = new ArrayList<>();
        AsyncQueue<Integer> q = AsyncQueue.<Integer>builder(2)
                .overflow(Overflow.DROP_OLDEST)
                .onDropped(dropped::add)
                .build();
        for (int i = 1; i <= 5; i++) {
            assertThat(q.offer(i)).isTrue();
        }
        assertThat(dropped).containsExactly(1, 2, 3);
        assertThat(q.drain(5)).containsExactly(4, 5);
        assertThat(q.stats().dropped()).isEqualTo(3);
        assertThat(q.stats().unfinished()).isEqualTo(2);
    }

    @Test
    void offer_toWaitingTaker_handsOffEvenWhenPolicyWouldDrop() {
        AsyncQueue<Integer> q =
                AsyncQueue.<Integer>builder(1).overflow(Overflow.DROP_NEWEST).build();
        CompletableFuture<Integer> taker = q.take();
        assertThat(q.offer(7)).isTrue();
        assertThat(taker).isCompletedWithValue(7);
    }

    @Test
    void onDropped_listenerThrows_offerStillSucceeds() {
        AsyncQueue<Integer> q = AsyncQueue.<Integer>builder(1)
                .overflow(Overflow.DROP_OLDEST)
                .onDropped(item -> {
                    throw new IllegalStateException("listener bug");
                })
                .build();
        q.offer(1);
        assertThat(q.offer(2)).isTrue();
        assertThat(q.poll()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- priority

    @Test
    void priority_takesLeastFirst_fifoAmongEquals() {
        record Job(int priority, String name) {}
        AsyncQueue<Job> q = AsyncQueue.priority(16, Comparator.comparingInt(Job::priority));
        q.put(new Job(2, "a"));
        q.put(new Job(1, "b"));
        q.put(new Job(2, "c"));
        q.put(new Job(0, "d"));
        q.put(new Job(1, "e"));
        q.put(new Job(2, "f"));
        List<String> order = new ArrayList<>();
        for (Job job; (job = q.poll()) != null; ) {
            order.add(job.name());
        }
        assertThat(order).containsExactly("d", "b", "e", "a", "c", "f");
    }

    @Test
    void priority_manyEqualAndMixed_matchesStableSort() {
        AsyncQueue<int[]> q = AsyncQueue.priority(10_000, Comparator.comparingInt((int[] a) -> a[0]));
        var random = new java.util.Random(1);
        List<int[]> expected = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            int[] e = {random.nextInt(10), i};
            expected.add(e);
            q.put(e);
            if (i % 7 == 0) {
                // interleave takes to exercise sift-down with a partial heap
                expected.sort(Comparator.comparingInt((int[] a) -> a[0]).thenComparingInt(a -> a[1]));
                assertThat(q.poll()).isSameAs(expected.remove(0));
            }
        }
        expected.sort(Comparator.comparingInt((int[] a) -> a[0]).thenComparingInt(a -> a[1]));
        for (int[] e : expected) {
            assertThat(q.poll()).isSameAs(e);
        }
    }

    @Test
    void priority_fullQueue_putWaits() {
        AsyncQueue<Integer> q = AsyncQueue.priority(2, Comparator.naturalOrder());
        q.put(5);
        q.put(3);
        CompletableFuture<Void> waiting = q.put(1);
        assertThat(waiting).isNotDone();
        assertThat(q.poll()).isEqualTo(3);
        assertThat(waiting).isCompleted();
        assertThat(q.poll()).isEqualTo(1);
        assertThat(q.poll()).isEqualTo(5);
    }

    // ---------------------------------------------------------------- cancellation

    @Test
    void cancelWaitingPut_itemNeverEnqueued() {
        AsyncQueue<Integer> q = queue(1);
        q.put(1);
        CompletableFuture<Void> waiting = q.put(2);
        assertThat(waiting.cancel(false)).isTrue();
        assertThat(waiting).isCancelled();
        assertThat(q.stats().putWaiters()).isZero();
        assertThat(q.poll()).isEqualTo(1);
        assertThat(q.poll()).isNull();
        assertThat(q.stats().put()).isEqualTo(1);
    }

    @Test
    void cancelWaitingTake_noItemConsumed() {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> cancelled = q.take();
        CompletableFuture<Integer> next = q.take();
        assertThat(cancelled.cancel(true)).isTrue();
        q.put(1);
        assertThat(next).isCompletedWithValue(1);
        q.put(2);
        assertThat(q.poll()).isEqualTo(2);
    }

    @Test
    void completeWaitingFutureByHand_withdrawsLikeCancel() {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        assertThat(take.complete(99)).isTrue();
        assertThat(q.stats().takeWaiters()).isZero();
        q.put(1);
        assertThat(q.poll()).isEqualTo(1);
        q.put(5);
        CompletableFuture<Void> put = q.put(6);
        assertThat(put.completeExceptionally(new RuntimeException("gave up"))).isTrue();
        assertThat(q.drain(5)).containsExactly(5);
    }

    @Test
    void take_cancelAfterTransfer_returnsFalseAndItemDelivered() {
        AsyncQueue<Integer> q = queue(1);
        AtomicReference<Boolean> cancelResult = new AtomicReference<>();
        CompletableFuture<Integer> take = q.take();
        // a second dependent registered first would run inside fire(); simulate the race by
        // cancelling from a dependent of another taker completed in the same put
        q.put(1);
        cancelResult.set(take.cancel(true));
        assertThat(cancelResult.get()).isFalse();
        assertThat(take).isCompletedWithValue(1);
    }

    @Test
    void cancelledTakes_thousands_thenPut_deliveredToLiveTaker() {
        AsyncQueue<Integer> q = queue(1);
        List<CompletableFuture<Integer>> abandoned = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            abandoned.add(q.take(Duration.ofMillis(1)));
        }
        CompletableFuture<Integer> live = q.take();
        clock.advance(Duration.ofMillis(1));
        assertThat(abandoned).allSatisfy(f -> assertThat(failure(f)).isInstanceOf(TimeoutException.class));
        assertThat(q.stats().takeWaiters()).isEqualTo(1);
        assertThat(clock.pendingTimers()).isZero();
        q.put(42);
        assertThat(live).isCompletedWithValue(42);
    }

    // ---------------------------------------------------------------- timeouts (virtual time)

    @Test
    void takeWithTimeout_noItem_failsExactlyAtTimeout() {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take(Duration.ofSeconds(5));
        clock.advance(Duration.ofMillis(4_999));
        assertThat(take).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThat(failure(take)).isInstanceOf(TimeoutException.class).hasMessageContaining("q");
        q.put(1);
        assertThat(q.poll()).isEqualTo(1);
    }

    @Test
    void takeWithTimeout_itemInTime_deliveredAndTimerCancelled() {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take(Duration.ofSeconds(5));
        clock.advance(Duration.ofSeconds(1));
        q.put(3);
        assertThat(take).isCompletedWithValue(3);
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void takeWithTimeout_zeroNegativeAndHuge() {
        AsyncQueue<Integer> q = queue(1);
        assertThat(failure(q.take(Duration.ZERO))).isInstanceOf(TimeoutException.class);
        assertThat(failure(q.take(Duration.ofSeconds(-1)))).isInstanceOf(TimeoutException.class);
        q.put(1);
        assertThat(q.take(Duration.ZERO)).isCompletedWithValue(1);
        CompletableFuture<Integer> forever = q.take(Duration.ofSeconds(Long.MAX_VALUE));
        clock.advance(Duration.ofDays(365 * 100));
        assertThat(forever).isNotDone();
        q.put(2);
        assertThat(forever).isCompletedWithValue(2);
        assertThat(q.stats().takeWaiters()).isZero();
    }

    // ---------------------------------------------------------------- close

    @Test
    void close_rejectsProducers_consumersDrainThenSeeClosed() {
        AsyncQueue<Integer> q = queue(4);
        q.put(1);
        q.put(2);
        q.close();
        assertThat(q.isClosed()).isTrue();
        assertThat(failure(q.put(3)))
                .isInstanceOf(ClosedException.class)
                .hasMessageContaining("AsyncQueue[q] is closed");
        assertThatThrownBy(() -> q.offer(3)).isInstanceOf(ClosedException.class);
        assertThat(q.isDrained()).isFalse();
        assertThat(q.take()).isCompletedWithValue(1);
        assertThat(q.take()).isCompletedWithValue(2);
        assertThat(q.isDrained()).isTrue();
        assertThat(failure(q.take())).isInstanceOf(ClosedException.class);
        assertThat(failure(q.takeBatch(3))).isInstanceOf(ClosedException.class);
        q.close(); // idempotent
    }

    @Test
    void close_failsWaitingPuttersAndTakers() {
        AsyncQueue<Integer> full = queue(1);
        full.put(1);
        CompletableFuture<Void> putter = full.put(2);
        full.close();
        assertThat(failure(putter)).isInstanceOf(ClosedException.class);
        assertThat(full.drain(5)).containsExactly(1);

        AsyncQueue<Integer> empty = queue(1);
        CompletableFuture<Integer> taker = empty.take();
        CompletableFuture<List<Integer>> batch = empty.takeBatch(2);
        empty.close();
        assertThat(failure(taker)).isInstanceOf(ClosedException.class);
        assertThat(failure(batch)).isInstanceOf(ClosedException.class);
    }

    @Test
    void closeExceptionally_discardsBufferedAndFailsEveryoneWithCause() {
        AsyncQueue<Integer> q = queue(2);
        q.put(1);
        q.put(2);
        CompletableFuture<Void> putter = q.put(3);
        var cause = new IllegalStateException("upstream failed");
        assertThat(q.closeExceptionally(cause)).containsExactly(1, 2);
        assertThat(failure(putter)).isInstanceOf(ClosedException.class).hasCause(cause);
        assertThat(failure(q.take())).isInstanceOf(ClosedException.class).hasCause(cause);
        assertThat(q.stats().dropped()).isEqualTo(2);
        assertThat(q.join()).isCompleted();
        assertThat(q.closeExceptionally(new RuntimeException())).isEmpty();
    }

    @Test
    void closeExceptionally_afterGracefulClose_stillDiscardsWhatIsLeft() {
        AsyncQueue<Integer> q = queue(4);
        q.put(1);
        q.put(2);
        q.close();
        var cause = new IllegalStateException("abort");
        assertThat(q.closeExceptionally(cause)).containsExactly(1, 2);
        assertThat(failure(q.take())).isInstanceOf(ClosedException.class).hasCause(cause);
        assertThat(q.closeExceptionally(new RuntimeException("again"))).isEmpty();
        q.close();
        assertThat(failure(q.take())).hasCause(cause);
    }

    // ---------------------------------------------------------------- task tracking

    @Test
    void join_completesWhenEveryItemTaskDone() {
        AsyncQueue<Integer> q = queue(4);
        assertThat(q.join()).isCompleted();
        q.put(1);
        q.put(2);
        CompletableFuture<Void> joined = q.join();
        q.take();
        q.take();
        assertThat(joined).isNotDone();
        q.taskDone();
        assertThat(joined).isNotDone();
        q.taskDone();
        assertThat(joined).isCompleted();
        assertThatThrownBy(q::taskDone)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("taskDone");
    }

    @Test
    void join_cancelledJoinersDoNotAccumulate() {
        AsyncQueue<Integer> q = queue(4);
        q.put(1);
        for (int i = 0; i < 10_000; i++) {
            q.join().cancel(false);
        }
        CompletableFuture<Void> live = q.join();
        q.poll();
        q.taskDone();
        assertThat(live).isCompleted();
    }

    // ---------------------------------------------------------------- blocking forms

    @Test
    void blocking_putAndTakeOnVirtualThreads() throws Exception {
        AsyncQueue<Integer> q = queue(2);
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < 1_000; i++) {
                    q.putBlocking(i);
                }
                q.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<Integer> got = new ArrayList<>();
        var consumer = new CompletableFuture<Void>();
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    got.add(q.takeBlocking());
                }
            } catch (ClosedException end) {
                consumer.complete(null);
            } catch (Throwable t) {
                consumer.completeExceptionally(t);
            }
        });
        consumer.get(30, TimeUnit.SECONDS);
        producer.join();
        assertThat(got).hasSize(1_000).isSorted();
    }

    @Test
    void putBlocking_takerWaiting_handsTheItemStraightToIt() throws Exception {
        AsyncQueue<Integer> q = queue(2);
        var started = onVirtualThread(q::takeBlocking);
        await().atMost(Duration.ofSeconds(30)).until(() -> q.stats().takeWaiters() == 1);
        q.putBlocking(5);
        assertThat(started.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(5);
        AsyncQueue.Stats stats = q.stats();
        assertThat(stats.depth()).isZero();
        assertThat(stats.put()).isEqualTo(1);
        assertThat(stats.taken()).isEqualTo(1);
        assertThat(stats.takeWaiters()).isZero();
    }

    @Test
    void putBlocking_itemsBuffered_appendsBehindThem() throws Exception {
        AsyncQueue<Integer> q = queue(3);
        q.putBlocking(1);
        q.putBlocking(2);
        q.putBlocking(3);
        assertThat(q.takeBlocking()).isEqualTo(1);
        q.putBlocking(4);
        assertThat(q.drain(10)).containsExactly(2, 3, 4);
    }

    @Test
    void takeBlocking_fullQueueWithBlockedPutter_movesThePuttersItemIn() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        q.putBlocking(1);
        var started = onVirtualThread(() -> {
            q.putBlocking(2);
            return "put";
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> q.stats().putWaiters() == 1);
        assertThat(q.takeBlocking()).isEqualTo(1);
        assertThat(started.outcome().get(30, TimeUnit.SECONDS)).isEqualTo("put");
        assertThat(q.stats().putWaiters()).isZero();
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.takeBlocking()).isEqualTo(2);
    }

    @Test
    void takeBlocking_fullQueueWithWaitingPutFuture_completesIt() throws Exception {
        AsyncQueue<Integer> q = queue(2);
        q.putBlocking(1);
        q.putBlocking(2);
        CompletableFuture<Void> third = q.put(3);
        assertThat(third).isNotDone();
        assertThat(q.takeBlocking()).isEqualTo(1);
        assertThat(third).isCompleted();
        assertThat(q.takeBlocking()).isEqualTo(2);
        assertThat(q.takeBlocking()).isEqualTo(3);
        assertThat(q.stats().put()).isEqualTo(3);
        assertThat(q.stats().taken()).isEqualTo(3);
    }

    /**
     * A priority queue whose comparator, once {@code hold} is set, stops inside its next call
     * until {@code release} opens: the queue's lock stays held by that caller meanwhile.
     */
    private record LockHolder(
            AsyncQueue<Integer> queue, CountDownLatch inside, CountDownLatch release, AtomicBoolean hold) {
        static LockHolder create() {
            var inside = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            var hold = new AtomicBoolean();
            AsyncQueue<Integer> queue = AsyncQueue.priority(8, (a, b) -> {
                if (hold.getAndSet(false)) {
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return Integer.compare(a, b);
            });
            return new LockHolder(queue, inside, release, hold);
        }

        /** Puts {@code item} on a virtual thread whose comparison holds the lock until released. */
        Started holdLockWhilePutting(int item) throws InterruptedException {
            hold.set(true);
            Started holder = onVirtualThread(() -> queue.put(item));
            assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
            return holder;
        }
    }

    @Test
    void putBlocking_interruptedWhileWaitingForTheLock_throwsAndPutsNothing() throws Exception {
        LockHolder h = LockHolder.create();
        h.queue().put(1);
        Started holder = h.holdLockWhilePutting(2);
        Started putter = onVirtualThread(() -> {
            h.queue().putBlocking(3);
            return "put";
        });
        awaitParked(putter.thread());
        putter.thread().interrupt();
        assertThat(putter.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        h.release().countDown();
        holder.outcome().get(30, TimeUnit.SECONDS);
        assertThat(h.queue().drain(10)).containsExactly(1, 2);
    }

    @Test
    void takeBlocking_interruptedWhileWaitingForTheLock_throwsAndTakesNothing() throws Exception {
        LockHolder h = LockHolder.create();
        h.queue().put(1);
        Started holder = h.holdLockWhilePutting(2);
        Started taker = onVirtualThread(() -> h.queue().takeBlocking());
        awaitParked(taker.thread());
        taker.thread().interrupt();
        assertThat(taker.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        h.release().countDown();
        holder.outcome().get(30, TimeUnit.SECONDS);
        assertThat(h.queue().drain(10)).containsExactly(1, 2);
    }

    @Test
    void takeBlocking_interruptedBefore_throwsAndConsumesNothing() {
        AsyncQueue<Integer> q = queue(2);
        q.put(1);
        Thread.currentThread().interrupt();
        assertThatThrownBy(q::takeBlocking).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
        assertThat(q.size()).isEqualTo(1);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> q.putBlocking(2)).isInstanceOf(InterruptedException.class);
        assertThat(q.size()).isEqualTo(1);
    }

    @Test
    void takeBlocking_interruptedWhileWaiting_throwsAndLeavesNoWaiter() throws Exception {
        AsyncQueue<Integer> q = queue(2);
        var started = onVirtualThread(() -> {
            q.takeBlocking();
            return null;
        });
        var outcome = started.outcome();
        Thread taker = started.thread();
        await().atMost(Duration.ofSeconds(30)).until(() -> q.stats().takeWaiters() == 1);
        taker.interrupt();
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(q.stats().takeWaiters()).isZero();
        q.put(1);
        assertThat(q.poll()).isEqualTo(1);
    }

    @Test
    void putBlocking_interruptedWhileWaiting_itemNotEnqueued() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        q.put(1);
        var started = onVirtualThread(() -> {
            q.putBlocking(2);
            return null;
        });
        var outcome = started.outcome();
        Thread putter = started.thread();
        await().atMost(Duration.ofSeconds(30)).until(() -> q.stats().putWaiters() == 1);
        putter.interrupt();
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(q.drain(5)).containsExactly(1);
    }

    @Test
    void blocking_closeWakesWaitersWithClosedException() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        var started = onVirtualThread(() -> {
            q.takeBlocking();
            return null;
        });
        var outcome = started.outcome();
        await().atMost(Duration.ofSeconds(30)).until(() -> q.stats().takeWaiters() == 1);
        q.close();
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(ClosedException.class);
    }

    @Test
    void takeBlockingWithTimeout_timesOutOnVirtualClock() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        var started = onVirtualThread(() -> q.takeBlocking(Duration.ofSeconds(10)));
        var outcome = started.outcome();
        await().atMost(Duration.ofSeconds(30)).until(() -> clock.pendingTimers() == 1);
        clock.advance(Duration.ofSeconds(9));
        assertThat(outcome).isNotDone();
        clock.advance(Duration.ofSeconds(1));
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(q.stats().takeWaiters()).isZero();
        q.put(5);
        assertThat(q.takeBlocking(Duration.ZERO)).isEqualTo(5);
        assertThatThrownBy(() -> q.takeBlocking(Duration.ZERO)).isInstanceOf(TimeoutException.class);
    }

    @Test
    void takeBlockingWithTimeout_itemArrives_returnedAndTimerCancelled() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        var started = onVirtualThread(() -> q.takeBlocking(Duration.ofSeconds(10)));
        var outcome = started.outcome();
        await().atMost(Duration.ofSeconds(30)).until(() -> q.stats().takeWaiters() == 1);
        q.put(7);
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(7);
        await().atMost(Duration.ofSeconds(30)).until(() -> clock.pendingTimers() == 0);
    }

    // ---------------------------------------------------------------- join/get on a waiting future

    /** Waits until the thread is parked (in join/get: the only place these threads park). */
    private static void awaitParked(Thread thread) {
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        thread.getState() == Thread.State.WAITING || thread.getState() == Thread.State.TIMED_WAITING);
    }

    // ---------------------------------------------------------------- spinning before parking

    @Test
    void waitSpins_shrinkWithCapacity_noneOnAnUnboundedQueueOrOneCpu() {
        boolean multiCore = Runtime.getRuntime().availableProcessors() > 1;
        assertThat(AsyncQueue.<Integer>bounded(1).waitSpins).isEqualTo(multiCore ? 256 : 0);
        assertThat(AsyncQueue.<Integer>bounded(16).waitSpins).isEqualTo(multiCore ? 256 : 0);
        assertThat(AsyncQueue.<Integer>bounded(64).waitSpins).isEqualTo(multiCore ? 64 : 0);
        assertThat(AsyncQueue.<Integer>bounded(1024).waitSpins).isEqualTo(multiCore ? 4 : 0);
        assertThat(AsyncQueue.<Integer>bounded(4097).waitSpins).isZero();
        assertThat(AsyncQueue.<Integer>unbounded().waitSpins).isZero();
    }

    @Test
    void putBlocking_platformThreadOnFullQueue_parksAfterItsSpinAndGoesInOnTake() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        q.put(1);
        Started putter = parkedPlatformPutter(q, 2); // the spin ends without a transfer: the thread parks
        assertThat(q.stats().putWaiters()).isEqualTo(1);
        assertThat(q.takeBlocking()).isEqualTo(1);
        assertThat(putter.outcome().get(30, TimeUnit.SECONDS)).isEqualTo("put");
        assertThat(q.takeBlocking()).isEqualTo(2);
    }

    @Test
    void takeBlocking_platformThreadOnEmptyQueue_parksAfterItsSpinAndGetsTheNextPut() throws Exception {
        AsyncQueue<Integer> q = queue(16);
        Started taker = parkedPlatformTaker(q);
        q.put(5);
        assertThat(taker.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(q.stats().depth()).isZero();
    }

    @Test
    void putBlocking_platformThreadInterruptedWhileWaiting_throwsAndPutsNothing() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        q.put(1);
        Started putter = parkedPlatformPutter(q, 2);
        putter.thread().interrupt();
        assertThat(putter.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(q.stats().putWaiters()).isZero();
        assertThat(q.drain(10)).containsExactly(1);
    }

    // ---------------------------------------------------------------- waiting in the lock's queue

    /** A full queue of capacity LOCK_QUEUE_WAIT_CAPACITY holding 0, 1, 2, ... */
    private AsyncQueue<Integer> fullLargeQueue() {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        for (int i = 0; i < AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY; i++) {
            assertThat(q.offer(i)).isTrue();
        }
        return q;
    }

    @Test
    void putBlocking_platformThreadOnFullLargeQueue_waitsOnTheLocksConditionAndGoesInLastOnTake() throws Exception {
        AsyncQueue<Integer> q = fullLargeQueue();
        Started putter = parkedPlatformPutter(q, -1);
        assertThat(LockSupport.getBlocker(putter.thread())).isInstanceOf(Condition.class);
        assertThat(q.stats().putWaiters()).isEqualTo(1);
        assertThat(q.takeBlocking()).isZero(); // the taker moves the waiting putter's item in and signals it
        assertThat(putter.outcome().get(30, TimeUnit.SECONDS)).isEqualTo("put");
        List<Integer> rest = q.drain(Integer.MAX_VALUE);
        assertThat(rest).hasSize(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        assertThat(rest.get(0)).isEqualTo(1);
        assertThat(rest.get(rest.size() - 1)).isEqualTo(-1);
    }

    @Test
    void takeBlocking_platformThreadOnEmptyLargeQueue_waitsOnTheLocksConditionAndGetsEachKindOfPut() throws Exception {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        List<BlockingCall> puts = List.of(
                () -> {
                    q.putBlocking(1); // signals under the lock
                    return null;
                },
                () -> q.put(2), // signals from fire(), after the lock
                () -> q.offer(3));
        int expected = 1;
        for (BlockingCall put : puts) {
            Started taker = parkedPlatformTaker(q);
            assertThat(LockSupport.getBlocker(taker.thread())).isInstanceOf(Condition.class);
            put.call();
            assertThat(taker.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(expected++);
            assertThat(q.stats().depth()).isZero(); // handed over, not buffered
        }
    }

    @Test
    void putBlocking_platformThreadWaitingOnTheLocksCondition_interrupted_throwsAndPutsNothing() throws Exception {
        AsyncQueue<Integer> q = fullLargeQueue();
        Started putter = parkedPlatformPutter(q, -1);
        putter.thread().interrupt();
        assertThat(putter.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(q.stats().putWaiters()).isZero();
        assertHoldsOnlyItsFill(q);
    }

    @Test
    void takeBlocking_platformThreadWaitingOnTheLocksCondition_interrupted_throwsAndTakesNothing() throws Exception {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        Started taker = parkedPlatformTaker(q);
        taker.thread().interrupt();
        assertThat(taker.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(q.stats().takeWaiters()).isZero();
        q.put(7);
        assertThat(q.stats().depth()).isEqualTo(1); // buffered: no abandoned taker received it
    }

    @Test
    void close_failsPlatformThreadsWaitingOnTheLocksCondition() throws Exception {
        AsyncQueue<Integer> full = fullLargeQueue();
        AsyncQueue<Integer> empty = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        Started putter = parkedPlatformPutter(full, -1);
        Started taker = parkedPlatformTaker(empty);
        full.close();
        empty.close();
        assertThat(putter.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(ClosedException.class);
        assertThat(taker.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(ClosedException.class);
        assertHoldsOnlyItsFill(full);
    }

    @Test
    void largeQueue_virtualThreadsAndTimedTakes_parkOnTheirNodeInstead() throws Exception {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        Started virtualTaker = onVirtualThread(q::takeBlocking);
        awaitParked(virtualTaker.thread());
        assertThat(LockSupport.getBlocker(virtualTaker.thread())).isSameAs(q);
        q.put(1);
        assertThat(virtualTaker.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(1);

        Started timedTaker = onPlatformThread(() -> q.takeBlocking(Duration.ofSeconds(5)));
        awaitParked(timedTaker.thread());
        assertThat(LockSupport.getBlocker(timedTaker.thread())).isSameAs(q);
        clock.advance(Duration.ofSeconds(5));
        assertThat(timedTaker.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(q.stats().takeWaiters()).isZero();
    }

    @Test
    void smallQueue_platformThreadParksOnItsNode() throws Exception {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY - 1);
        Started taker = parkedPlatformTaker(q);
        assertThat(LockSupport.getBlocker(taker.thread())).isSameAs(q);
        q.put(1);
        assertThat(taker.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void put_joinedOnPlatformThreadWhileFull_joinReturnsOnceTheItemIsIn() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        q.put(1);
        CompletableFuture<Void> put = q.put(2);
        Started joiner = onPlatformThread(() -> {
            put.join();
            return "joined";
        });
        awaitParked(joiner.thread());
        assertThat(q.poll()).isEqualTo(1);
        assertThat(joiner.outcome().get(30, TimeUnit.SECONDS)).isEqualTo("joined");
        assertThat(q.poll()).isEqualTo(2);
    }

    @Test
    void take_joinedOnPlatformThreadThenClosed_joinThrowsClosed() throws Exception {
        AsyncQueue<Integer> q = queue(4);
        CompletableFuture<Integer> take = q.take();
        Started joiner = onPlatformThread(take::join);
        awaitParked(joiner.thread());
        q.close();
        assertThat(thrownCause(joiner, CompletionException.class)).isInstanceOf(ClosedException.class);
    }

    @Test
    void take_joinedThenPut_joinReturnsItem() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        var started = onVirtualThread(take::join);
        awaitParked(started.thread());
        q.put(7);
        assertThat(started.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(q.stats().depth()).isZero();
    }

    @Test
    void take_joinInterruptedWhileWaiting_keepsWaitingAndReassertsInterrupt() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        var started = onVirtualThread(
                () -> List.of(take.join(), Thread.currentThread().isInterrupted()));
        awaitParked(started.thread());
        started.thread().interrupt();
        assertThat(take).isNotDone();
        assertThat(q.stats().takeWaiters()).isEqualTo(1);
        q.put(4);
        assertThat(started.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(List.of(4, true));
    }

    @Test
    void take_getInterruptedWhileWaiting_throwsAndLeavesFutureWaiting() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        var started = onVirtualThread(take::get);
        awaitParked(started.thread());
        started.thread().interrupt();
        assertThat(started.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(take).isNotDone();
        assertThat(q.stats().takeWaiters()).isEqualTo(1);
        q.put(5);
        assertThat(take).isCompletedWithValue(5);
    }

    @Test
    void take_getWhenAlreadyInterrupted_throwsAndLeavesFutureWaiting() {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        Thread.currentThread().interrupt();
        assertThatThrownBy(take::get).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
        assertThat(take).isNotDone();
        q.put(5);
        assertThat(take).isCompletedWithValue(5);
    }

    @Test
    void put_joinWhileCancelledFromAnotherThread_throwsCancellationAndItemNotEnqueued() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        q.put(1);
        CompletableFuture<Void> put = q.put(2);
        var started = onVirtualThread(put::join);
        awaitParked(started.thread());
        assertThat(put.cancel(false)).isTrue();
        assertThat(started.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        assertThat(q.drain(5)).containsExactly(1);
    }

    @Test
    void take_getWhileCancelledFromAnotherThread_throwsCancellation() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        var started = onVirtualThread(take::get);
        awaitParked(started.thread());
        assertThat(take.cancel(true)).isTrue();
        assertThat(started.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        q.put(3);
        assertThat(q.poll()).isEqualTo(3);
    }

    @Test
    void take_joinWhenTimeoutFires_throwsCompletionWithTimeout() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take(Duration.ofSeconds(5));
        var started = onVirtualThread(take::join);
        awaitParked(started.thread());
        clock.advance(Duration.ofSeconds(5));
        assertThat(thrownCause(started, CompletionException.class)).isInstanceOf(TimeoutException.class);
        assertThat(q.stats().takeWaiters()).isZero();
    }

    @Test
    void take_joinWhenClosedExceptionally_throwsCompletionWithClosed() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        var started = onVirtualThread(take::join);
        awaitParked(started.thread());
        q.closeExceptionally(new IllegalStateException("broken"));
        assertThat(thrownCause(started, CompletionException.class)).isInstanceOf(ClosedException.class);
    }

    @Test
    void take_joinWhenCompletedByHandFromAnotherThread_returnsThatValue() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        var started = onVirtualThread(take::join);
        awaitParked(started.thread());
        assertThat(take.complete(99)).isTrue();
        assertThat(started.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(99);
        assertThat(q.stats().takeWaiters()).isZero();
    }

    @Test
    void take_getWithTimeout_noItem_throwsTimeoutAndStaysWaiting() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        assertThatThrownBy(() -> take.get(1, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> take.get(0, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(take).isNotDone();
        q.put(8);
        assertThat(take.get(0, TimeUnit.SECONDS)).isEqualTo(8);
    }

    @Test
    void take_getWithTimeout_itemArrives_returnsIt() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        var started = onVirtualThread(() -> take.get(30, TimeUnit.SECONDS));
        awaitParked(started.thread());
        q.put(6);
        assertThat(started.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(6);
    }

    @Test
    void take_getWhenQueueClosed_throwsExecutionWithClosed() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        var started = onVirtualThread(take::get);
        awaitParked(started.thread());
        q.close();
        assertThat(thrownCause(started, ExecutionException.class)).isInstanceOf(ClosedException.class);
    }

    @Test
    void take_twoThreadsJoin_bothGetTheItem() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        var first = onVirtualThread(take::join);
        var second = onVirtualThread(take::join);
        awaitParked(first.thread());
        awaitParked(second.thread());
        q.put(2);
        assertThat(first.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(second.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void take_joinWhenObtruded_wakesJoiner() throws Exception {
        AsyncQueue<Integer> q = queue(1);
        CompletableFuture<Integer> take = q.take();
        var started = onVirtualThread(take::join);
        awaitParked(started.thread());
        take.obtrudeValue(11);
        assertThat(started.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(11);
    }

    // ------------------------------------- joining a waiting future on a platform thread, large queue

    /** Starts a platform thread in {@code call} (a join or get) and waits until it waits on a Condition of the lock. */
    private static Started platformJoinerOnTheLock(BlockingCall call) {
        Started joiner = onPlatformThread(call);
        awaitParked(joiner.thread());
        assertThat(LockSupport.getBlocker(joiner.thread())).isInstanceOf(Condition.class);
        return joiner;
    }

    @Test
    void take_joinedOnPlatformThreadOfLargeQueue_waitsOnTheLocksConditionAndGetsEachKindOfPut() throws Exception {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        List<BlockingCall> puts = List.of(
                () -> {
                    q.putBlocking(1);
                    return null;
                },
                () -> q.put(2),
                () -> q.offer(3));
        int expected = 1;
        for (BlockingCall put : puts) {
            CompletableFuture<Integer> take = q.take();
            var seenByDependent = new CompletableFuture<Integer>();
            take.thenAccept(seenByDependent::complete);
            Started joiner = platformJoinerOnTheLock(take::join);
            put.call();
            assertThat(joiner.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(expected);
            assertThat(seenByDependent.get(30, TimeUnit.SECONDS)).isEqualTo(expected++);
            assertThat(q.stats().depth()).isZero(); // handed over, not buffered
            assertThat(q.stats().takeWaiters()).isZero();
        }
    }

    @Test
    void put_joinedOnPlatformThreadOfFullLargeQueue_waitsOnTheLocksConditionAndReturnsOnceTheItemIsIn()
            throws Exception {
        AsyncQueue<Integer> q = fullLargeQueue();
        CompletableFuture<Void> put = q.put(-1);
        Started joiner = platformJoinerOnTheLock(() -> {
            put.join();
            return "joined";
        });
        assertThat(q.poll()).isZero();
        assertThat(joiner.outcome().get(30, TimeUnit.SECONDS)).isEqualTo("joined");
        List<Integer> rest = q.drain(Integer.MAX_VALUE);
        assertThat(rest).hasSize(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        assertThat(rest.get(rest.size() - 1)).isEqualTo(-1); // moved in behind the fill, once
    }

    @Test
    void take_getOnPlatformThreadOfLargeQueue_interrupted_throwsAndLeavesFutureWaiting() throws Exception {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        CompletableFuture<Integer> take = q.take();
        Started getter = platformJoinerOnTheLock(take::get);
        getter.thread().interrupt();
        assertThat(getter.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(take).isNotDone();
        assertThat(q.stats().takeWaiters()).isEqualTo(1);
        q.put(5);
        assertThat(take).isCompletedWithValue(5);
        assertThat(q.stats().depth()).isZero();
    }

    @Test
    void take_joinOnPlatformThreadOfLargeQueue_interrupted_keepsWaitingAndReassertsInterrupt() throws Exception {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        CompletableFuture<Integer> take = q.take();
        Started joiner = platformJoinerOnTheLock(
                () -> List.of(take.join(), Thread.currentThread().isInterrupted()));
        joiner.thread().interrupt();
        awaitParked(joiner.thread()); // back to waiting on the lock's Condition
        assertThat(take).isNotDone();
        q.put(4);
        assertThat(joiner.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(List.of(4, true));
    }

    @Test
    void largeQueue_platformJoinersOnTheLock_closeFailsThem() throws Exception {
        AsyncQueue<Integer> full = fullLargeQueue();
        AsyncQueue<Integer> empty = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        CompletableFuture<Void> put = full.put(-1);
        CompletableFuture<Integer> take = empty.take();
        Started putJoiner = platformJoinerOnTheLock(put::join);
        Started takeGetter = platformJoinerOnTheLock(take::get);
        full.close();
        empty.close();
        assertThat(thrownCause(putJoiner, CompletionException.class)).isInstanceOf(ClosedException.class);
        assertThat(thrownCause(takeGetter, ExecutionException.class)).isInstanceOf(ClosedException.class);
        assertHoldsOnlyItsFill(full);
    }

    @Test
    void largeQueue_platformJoinerOnTheLock_cancelledFromAnotherThread_throwsCancellationAndTakesNothing()
            throws Exception {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        CompletableFuture<Integer> take = q.take();
        Started joiner = platformJoinerOnTheLock(take::join);
        assertThat(take.cancel(true)).isTrue();
        assertThat(joiner.outcome().get(30, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        assertThat(q.stats().takeWaiters()).isZero();
        q.put(3);
        assertThat(q.poll()).isEqualTo(3); // buffered: the cancelled take received nothing
    }

    @Test
    void largeQueue_platformJoinerOnTheLock_timedTakeTimesOut_throwsCompletionWithTimeout() throws Exception {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        CompletableFuture<Integer> take = q.take(Duration.ofSeconds(5));
        Started joiner = platformJoinerOnTheLock(take::join);
        clock.advance(Duration.ofSeconds(5));
        assertThat(thrownCause(joiner, CompletionException.class)).isInstanceOf(TimeoutException.class);
        assertThat(q.stats().takeWaiters()).isZero();
    }

    @Test
    void largeQueue_twoPlatformThreadsJoinOneTake_oneOnTheLockOneOnTheNode_bothGetTheItem() throws Exception {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        CompletableFuture<Integer> take = q.take();
        Started first = platformJoinerOnTheLock(take::join);
        Started second = onPlatformThread(take::join);
        awaitParked(second.thread());
        assertThat(LockSupport.getBlocker(second.thread())).isSameAs(take); // the node's own park
        q.put(2);
        assertThat(first.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(second.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(q.stats().depth()).isZero();
    }

    @Test
    void largeQueue_platformJoinerOnTheLock_completedAroundTheQueue_wakes() throws Exception {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        CompletableFuture<Integer> obtruded = q.take();
        Started first = platformJoinerOnTheLock(obtruded::join);
        obtruded.obtrudeValue(11);
        assertThat(first.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(11);

        CompletableFuture<Integer> completedAsync = q.take();
        Started second = platformJoinerOnTheLock(completedAsync::get);
        completedAsync.completeAsync(() -> 12, Runnable::run);
        assertThat(second.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(12);
    }

    @Test
    void largeQueue_batchTakeAndTimedGet_onPlatformThreadParkOnTheNode() throws Exception {
        AsyncQueue<Integer> q = queue(AsyncQueue.LOCK_QUEUE_WAIT_CAPACITY);
        CompletableFuture<List<Integer>> batch = q.takeBatch(10);
        Started batchJoiner = onPlatformThread(batch::join);
        awaitParked(batchJoiner.thread());
        assertThat(LockSupport.getBlocker(batchJoiner.thread())).isSameAs(batch);
        q.put(1);
        assertThat(batchJoiner.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(List.of(1));

        CompletableFuture<Integer> take = q.take();
        Started timedGetter = onPlatformThread(() -> take.get(30, TimeUnit.SECONDS));
        awaitParked(timedGetter.thread());
        assertThat(LockSupport.getBlocker(timedGetter.thread())).isSameAs(take);
        q.put(2);
        assertThat(timedGetter.outcome().get(30, TimeUnit.SECONDS)).isEqualTo(2);
    }

    // ---------------------------------------------------------------- stats

    @Test
    void stats_reportsCountsAndState() {
        AsyncQueue<Integer> q = queue(2);
        q.put(1);
        q.put(2);
        q.put(3);
        q.poll();
        AsyncQueue.Stats stats = q.stats();
        assertThat(stats.name()).isEqualTo("q");
        assertThat(stats.capacity()).isEqualTo(2);
        assertThat(stats.depth()).isEqualTo(2);
        assertThat(stats.put()).isEqualTo(3);
        assertThat(stats.taken()).isEqualTo(1);
        assertThat(stats.unfinished()).isEqualTo(3);
        assertThat(stats.closed()).isFalse();
        assertThat(q.toString()).contains("q").contains("2/2");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInput_rejectedWithNamedParameter() {
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> AsyncQueue.bounded(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("capacity")
                    .hasMessageContaining("" + bad);
        }
        assertThatThrownBy(() -> AsyncQueue.bounded(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unbounded()");
        assertThatThrownBy(() -> AsyncQueue.priority(4, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("order");
        AsyncQueue<Integer> q = queue(2);
        assertThatThrownBy(() -> q.put(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("item");
        assertThatThrownBy(() -> q.offer(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("item");
        assertThatThrownBy(() -> q.putBlocking(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("item");
        assertThatThrownBy(() -> q.take(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> q.drain(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max");
        assertThatThrownBy(() -> q.takeBatch(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max");
        assertThatThrownBy(() -> q.closeExceptionally(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("cause");
        assertThat(q.stats().put()).isZero();
    }

    @Test
    void builder_settingTwiceOrConflicting_rejected() {
        assertThatThrownBy(() -> AsyncQueue.builder(1).name("a").name("b"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> AsyncQueue.<Integer>builder(1)
                        .overflow(Overflow.BACKPRESSURE)
                        .overflow(Overflow.BACKPRESSURE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("overflow");
        assertThatThrownBy(() -> AsyncQueue.<Integer>builder(1)
                        .priority(Comparator.naturalOrder())
                        .overflow(Overflow.DROP_OLDEST)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DROP_OLDEST");
    }

    @Test
    void nullPointerTester_everyPublicMethod() {
        var tester = new NullPointerTester().setDefault(int.class, 1);
        tester.testAllPublicStaticMethods(AsyncQueue.class);
        tester.testAllPublicInstanceMethods(queue(2));
        tester.testAllPublicInstanceMethods(AsyncQueue.builder(2));
    }

    @Test
    void takeBlocking_closedAndEmpty_throwsClosedImmediately() {
        AsyncQueue<Integer> q = queue(1);
        q.close();
        assertThatThrownBy(q::takeBlocking).isInstanceOf(ClosedException.class);
        assertThatThrownBy(() -> q.putBlocking(1)).isInstanceOf(ClosedException.class);
    }
}
