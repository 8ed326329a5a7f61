package dev.asyncpatterns.core.future;

import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.internal.CapturedContext;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Failures;
import dev.asyncpatterns.core.internal.SyncWaiter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Bounded parallelism: run an asynchronous function over many items with at most
 * {@code maxConcurrency} calls in flight, the way one would use {@code asyncio.gather} behind an
 * {@code asyncio.Semaphore}, without creating a task per item up front.
 *
 * <p><b>Sliding window (the default).</b> {@link #map}, {@link #forEach} and the lazy
 * {@link #forEach(Iterator, int, Function)} start the next item as soon as any call finishes, so
 * {@code maxConcurrency} calls are in flight at all times. {@link #batches} is the tutorial
 * pattern (start {@code size} calls, wait for all of them, start the next {@code size}); it is
 * here for comparison and is slower whenever latencies vary, because each batch waits for its
 * slowest call.
 *
 * <p><b>Errors.</b> {@code map}, {@code forEach} and {@code batches} fail fast: the first failure
 * fails the result, calls in flight are cancelled, no further item is started, and failures that
 * arrive afterwards (other than cancellations) are added to the first as suppressed.
 * {@link #mapSettled} never fails: it waits for every call and reports each {@link Outcome}.
 *
 * <p><b>Cancellation.</b> Cancelling the returned future cancels the calls in flight and starts
 * no more.
 *
 * <p><b>Threads.</b> The function is called on the caller's thread for the first window, then
 * on the thread that completed an earlier call; it must return quickly with a stage (wrap
 * blocking work in a virtual thread). Calls to the function, and to the iterator of the lazy
 * variants, never overlap, so neither needs to be thread-safe. A function that completes
 * synchronously does not deepen the stack. A function that throws, or returns {@code null},
 * counts as a failed call.
 *
 * <p><b>Memory effects.</b> Each call happens-after the previous item was taken from the
 * source; results written by all calls happen-before the returned future completes.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.FuturesSnippets region=parallelMap}
 *
 * @since 0.1.0
 */
public final class Parallel {

    private Parallel() {}

    /**
     * Calls {@code fn} on every item with at most {@code maxConcurrency} calls in flight, and
     * collects the results in input order. Fails fast.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param items the items; copied when this method is called
     * @param maxConcurrency the most calls in flight, at least 1
     * @param fn the asynchronous function
     * @return a future of the results in input order ({@code null} elements allowed), failed with
     *     the first failure
     * @throws NullPointerException if {@code items} or {@code fn} is null
     * @throws IllegalArgumentException if {@code maxConcurrency < 1}
     */
    public static <T, R> CompletableFuture<List<R>> map(
            Iterable<? extends T> items,
            int maxConcurrency,
            Function<? super T, ? extends CompletionStage<? extends R>> fn) {
        return overCopy(items, maxConcurrency, "maxConcurrency", false, Mode.FAIL_FAST, fn);
    }

    /**
     * Calls {@code fn} on every item with at most {@code maxConcurrency} calls in flight and
     * reports every call's {@link Outcome} in input order, like
     * {@code asyncio.gather(..., return_exceptions=True)}. The returned future fails only if it
     * is cancelled.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param items the items; copied when this method is called
     * @param maxConcurrency the most calls in flight, at least 1
     * @param fn the asynchronous function
     * @return a future of one outcome per item, in input order
     * @throws NullPointerException if {@code items} or {@code fn} is null
     * @throws IllegalArgumentException if {@code maxConcurrency < 1}
     */
    public static <T, R> CompletableFuture<List<Outcome<R>>> mapSettled(
            Iterable<? extends T> items,
            int maxConcurrency,
            Function<? super T, ? extends CompletionStage<? extends R>> fn) {
        return overCopy(items, maxConcurrency, "maxConcurrency", false, Mode.SETTLE, fn);
    }

    /**
     * Calls {@code fn} on every item with at most {@code maxConcurrency} calls in flight,
     * discarding results. Fails fast. The items are pulled from the iterable lazily.
     *
     * @param <T> the item type
     * @param items the items
     * @param maxConcurrency the most calls in flight, at least 1
     * @param fn the asynchronous function
     * @return a future completed with {@code null} when every call succeeded, or failed with the
     *     first failure
     * @throws NullPointerException if {@code items} or {@code fn} is null
     * @throws IllegalArgumentException if {@code maxConcurrency < 1}
     */
    public static <T> CompletableFuture<Void> forEach(
            Iterable<? extends T> items, int maxConcurrency, Function<? super T, ? extends CompletionStage<?>> fn) {
        Objects.requireNonNull(items, "items");
        Checks.positive(maxConcurrency, "maxConcurrency");
        Objects.requireNonNull(fn, "fn");
        return forEach(items.iterator(), maxConcurrency, fn);
    }

    /**
     * The lazy variant: pulls items from {@code items} only when a slot is free, so no more than
     * {@code maxConcurrency} items are taken from the iterator and not yet finished at any time.
     * Works on endless or huge sources ({@code stream.iterator()} over a million items). Fails
     * fast; an exception thrown by the iterator fails the result the same way.
     *
     * <p>The iterator is used from one thread at a time (not necessarily the same one).
     *
     * @param <T> the item type
     * @param items the iterator to drain
     * @param maxConcurrency the most calls in flight, at least 1
     * @param fn the asynchronous function
     * @return a future completed with {@code null} when the iterator is exhausted and every call
     *     succeeded, or failed with the first failure
     * @throws NullPointerException if {@code items} or {@code fn} is null
     * @throws IllegalArgumentException if {@code maxConcurrency < 1}
     */
    public static <T> CompletableFuture<Void> forEach(
            Iterator<? extends T> items, int maxConcurrency, Function<? super T, ? extends CompletionStage<?>> fn) {
        Objects.requireNonNull(items, "items");
        Checks.positive(maxConcurrency, "maxConcurrency");
        Objects.requireNonNull(fn, "fn");
        var run = new Run<T, Object>(items, -1, maxConcurrency, false, Mode.DISCARD, fn);
        return run.start().thenApply(ignored -> null);
    }

    /**
     * The tutorial pattern, for comparison: starts {@code batchSize} calls, waits until all of
     * them finished, then starts the next batch. Results in input order; fails fast. Prefer
     * {@link #map}, which keeps {@code batchSize} calls in flight all the time.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param items the items; copied when this method is called
     * @param batchSize calls per batch, at least 1
     * @param fn the asynchronous function
     * @return a future of the results in input order, failed with the first failure
     * @throws NullPointerException if {@code items} or {@code fn} is null
     * @throws IllegalArgumentException if {@code batchSize < 1}
     */
    public static <T, R> CompletableFuture<List<R>> batches(
            Iterable<? extends T> items,
            int batchSize,
            Function<? super T, ? extends CompletionStage<? extends R>> fn) {
        return overCopy(items, batchSize, "batchSize", true, Mode.FAIL_FAST, fn);
    }

    /** map, mapSettled and batches: checks the arguments, copies the items now, runs over the copy. */
    private static <T, R> CompletableFuture<List<R>> overCopy(
            Iterable<? extends T> items,
            int width,
            String widthName,
            boolean batched,
            Mode mode,
            Function<? super T, ? extends CompletionStage<?>> fn) {
        Objects.requireNonNull(items, "items");
        List<T> list = new ArrayList<>();
        for (T item : items) {
            list.add(item);
        }
        Checks.positive(width, widthName);
        Objects.requireNonNull(fn, "fn");
        return new Run<T, R>(list.iterator(), list.size(), width, batched, mode, fn).start();
    }

    private enum Mode {
        FAIL_FAST,
        SETTLE,
        DISCARD
    }

    /*
     * Maintainer's note.
     *
     * One drain loop, serialised by `wip` (the usual work-in-progress counter): whoever moves it
     * from 0 runs the loop, others just bump it and leave, and the runner loops again until it
     * has seen every bump. The loop starts calls while fewer than `max` are in flight (in batch
     * mode: only when the previous batch has fully finished) and completes the result when the
     * source is exhausted and nothing is in flight. A call that completes synchronously
     * re-enters drain() from inside the loop, which only bumps `wip`: no recursion.
     *
     * A call's completion writes its result slot, then decrements `inFlight`, then drains; the
     * decrement/read of the atomic orders the slot writes before the final read of the slots.
     * `running` holds the cancellable futures in flight so fail-fast and cancellation can cancel
     * them; a future registered after `stopped` is set is cancelled by its registrant.
     */
    private static final class Run<T, R> {
        private final Iterator<? extends T> source;
        private final Object @Nullable [] slots; // null in DISCARD mode
        private final int max;
        private final boolean batch;
        private final Mode mode;
        private final Function<? super T, ? extends CompletionStage<?>> fn;
        private final CapturedContext context;
        private final CompletableFuture<List<R>> result = new CompletableFuture<>();
        private final AtomicInteger wip = new AtomicInteger();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final Set<CompletableFuture<?>> running = ConcurrentHashMap.newKeySet();
        private volatile boolean stopped;
        private volatile @Nullable Throwable firstFailure;
        // drain-loop state, touched only by the thread holding wip
        private boolean exhausted;
        private int index;
        private int startedInBatch;

        Run(
                Iterator<? extends T> source,
                int size,
                int max,
                boolean batch,
                Mode mode,
                Function<? super T, ? extends CompletionStage<?>> fn) {
            this.source = source;
            this.slots = size >= 0 ? new Object[size] : null;
            this.max = max;
            this.batch = batch;
            this.mode = mode;
            this.fn = fn;
            this.context = CapturedContext.capture(); // the caller's; fn may run on a completing thread
        }

        CompletableFuture<List<R>> start() {
            result.whenComplete((value, failure) -> {
                if (result.isCancelled()) {
                    stop();
                }
            });
            drain();
            return result;
        }

        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                loop();
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }

        private void loop() {
            while (!stopped) {
                if (batch) {
                    if (startedInBatch == max) {
                        if (inFlight.get() > 0) {
                            return;
                        }
                        startedInBatch = 0;
                    }
                } else if (inFlight.get() >= max) {
                    return;
                }
                if (!exhausted) {
                    T item;
                    try {
                        if (!source.hasNext()) {
                            exhausted = true;
                            continue;
                        }
                        item = source.next();
                    } catch (Throwable failure) {
                        exhausted = true;
                        fail(failure);
                        return;
                    }
                    startedInBatch++;
                    launch(index++, item);
                    continue;
                }
                if (inFlight.get() == 0) {
                    finish();
                }
                return;
            }
        }

        private void launch(int i, T item) {
            inFlight.incrementAndGet();
            CompletionStage<?> stage;
            try {
                stage = Objects.requireNonNull(context.apply(fn, item), "fn returned null");
            } catch (Throwable failure) {
                done(i, null, failure, null);
                return;
            }
            CompletableFuture<?> cancellable;
            try {
                cancellable = stage.toCompletableFuture();
            } catch (UnsupportedOperationException notCancellable) {
                cancellable = null;
            }
            if (cancellable != null && !cancellable.isDone()) {
                running.add(cancellable);
                if (stopped) {
                    cancellable.cancel(true);
                }
            }
            CompletableFuture<?> registered = cancellable;
            stage.whenComplete((value, failure) -> done(i, value, failure, registered));
        }

        @SuppressWarnings(
                "NullAway") // slots is non-null in SETTLE mode; a success may carry null, as a CompletableFuture value
        // may
        private void done(
                int i, @Nullable Object value, @Nullable Throwable failure, @Nullable CompletableFuture<?> registered) {
            if (registered != null) {
                running.remove(registered);
            }
            if (failure != null) {
                Throwable cause = Failures.unwrap(failure);
                if (mode == Mode.SETTLE) {
                    slots[i] = Outcome.failure(cause);
                } else {
                    fail(cause);
                }
            } else if (mode == Mode.SETTLE) {
                slots[i] = Outcome.success(value);
            } else if (slots != null) {
                slots[i] = value;
            }
            inFlight.decrementAndGet();
            drain();
        }

        private void fail(Throwable cause) {
            synchronized (this) { // only records the first failure; never blocks
                if (firstFailure == null) {
                    firstFailure = cause;
                } else {
                    if (cause != firstFailure && !SyncWaiter.isCancellation(cause)) {
                        firstFailure.addSuppressed(cause);
                    }
                    return;
                }
            }
            stop();
            result.completeExceptionally(cause);
        }

        private void stop() {
            stopped = true;
            for (CompletableFuture<?> f : running) {
                f.cancel(true);
            }
        }

        @SuppressWarnings("unchecked")
        private void finish() {
            List<R> values = slots == null
                    ? Collections.emptyList()
                    : (List<R>) Collections.unmodifiableList(Arrays.asList(slots));
            result.complete(values);
        }
    }
}
