package dev.asyncpatterns.pipeline;

import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/*
 * Maintainer's note.
 *
 * A window of at most `parallelism` calls in input order (an ArrayDeque, drain-confined). poll()
 * first starts due retries, then fills the window from upstream, then emits the head if it is
 * done, refilling the freed slot before returning so the window stays full while downstream
 * works. A call completing on another thread signals the region; nothing else crosses threads.
 * Head-of-line blocking is the price of order: a slow head holds back finished calls behind it
 * (use mapAsyncUnordered when order does not matter).
 */
/**
 * {@link Pipeline#mapAsync(int, Function)}: up to {@code parallelism} calls in flight, results
 * in input order.
 *
 * <p>Backpressure: a new element is pulled only when the window has a free slot, and a slot
 * frees only when downstream takes the oldest result. Buffering: at most {@code parallelism}
 * elements (in flight or finished and waiting for their turn). Errors: per {@link OnError}; a
 * failure is raised when the failed element's turn comes, in order. Cancellation: every call in
 * flight is cancelled (its future's {@code cancel(true)}) and pending retry timers are cancelled
 * when the run stops.
 */
final class MapAsyncStage<T, R> extends Stage<R> {

    private final Stage<T> up;
    private final Function<? super T, ? extends CompletionStage<? extends R>> fn;
    private final OnError<? super T, R> onError;
    private final int parallelism;
    private final ArrayDeque<AsyncCall<T, R>> window;
    private final ConcurrentLinkedQueue<AsyncCall<T, R>> retries = new ConcurrentLinkedQueue<>();
    private final Consumer<AsyncCall<T, R>> signal;
    private boolean upstreamDone;

    MapAsyncStage(Ctx ctx, String name, Stage<T> up, int parallelism,
            Function<? super T, ? extends CompletionStage<? extends R>> fn, OnError<? super T, R> onError) {
        super(ctx, name);
        this.up = up;
        this.fn = fn;
        this.onError = onError;
        this.parallelism = parallelism;
        this.window = new ArrayDeque<>(Math.min(parallelism, 1024));
        this.signal = call -> region.signal();
    }

    @Override
    Object poll() {
        AsyncCall<T, R> due;
        while ((due = retries.poll()) != null) {
            due.retryNow();
        }
        for (;;) {
            fill();
            AsyncCall<T, R> head = window.peekFirst();
            if (head == null) {
                return upstreamDone ? END : EMPTY;
            }
            if (!head.result.isDone()) {
                return EMPTY;
            }
            window.pollFirst();
            busyNanos += head.finishedNanos - head.startedNanos;
            Object value = head.outcome();
            if (value == OnError.SKIPPED) {
                continue;
            }
            fill();
            out++;
            return value;
        }
    }

    @SuppressWarnings("unchecked")
    private void fill() {
        while (!upstreamDone && window.size() < parallelism) {
            Object x = up.poll();
            if (x == EMPTY) {
                return;
            }
            if (x == END) {
                upstreamDone = true;
                up.close();
                return;
            }
            in++;
            AsyncCall<T, R> call = new AsyncCall<>(this, (T) x, fn, onError, retries, signal);
            window.addLast(call);
            call.start();
        }
    }

    @Override
    int depth() {
        return window.size();
    }

    @Override
    void release() {
        AsyncCall<T, R> call;
        while ((call = window.pollFirst()) != null) {
            call.cancel();
        }
        retries.clear();
    }

    @Override
    void closeUpstream() {
        up.close();
    }
}
