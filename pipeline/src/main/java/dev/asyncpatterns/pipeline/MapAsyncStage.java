package dev.asyncpatterns.pipeline;

import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * A window of calls in input order (an ArrayDeque, drain-confined); the head is emitted once it
 * is done. A call completing on another thread signals the region; nothing else crosses
 * threads. Head-of-line blocking is the price of order: a slow head holds back finished calls
 * behind it (use mapAsyncUnordered when order does not matter).
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
final class MapAsyncStage<T, R> extends AsyncWindowStage<T, R> {

    private final ArrayDeque<AsyncCall<T, R>> window;

    @SuppressWarnings("UnnecessaryLambda") // one listener instance for every call instead of a lambda per call
    private final Consumer<AsyncCall<T, R>> signal = call -> region.signal();

    MapAsyncStage(
            Ctx ctx,
            String name,
            Stage<T> up,
            int parallelism,
            Function<? super T, ? extends CompletionStage<? extends R>> fn,
            OnError<? super T, R> onError) {
        super(ctx, name, up, parallelism, fn, onError);
        this.window = new ArrayDeque<>(Math.min(parallelism, 1024));
    }

    @Override
    int held() {
        return window.size();
    }

    @Override
    void admit(T element) {
        AsyncCall<T, R> call = new AsyncCall<>(this, element, fn, onError, retries, signal);
        window.addLast(call);
        call.start();
    }

    @Override
    void retry(AsyncCall<T, R> call) {
        call.retryNow();
    }

    @Override
    @Nullable
    AsyncCall<T, R> takeReady() {
        AsyncCall<T, R> head = window.peekFirst();
        return head != null && head.result.isDone() ? window.pollFirst() : null;
    }

    @Override
    void release() {
        AsyncCall<T, R> call;
        while ((call = window.pollFirst()) != null) {
            call.cancel();
        }
        retries.clear();
    }
}
