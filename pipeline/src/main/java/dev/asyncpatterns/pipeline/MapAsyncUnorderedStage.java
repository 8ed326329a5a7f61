package dev.asyncpatterns.pipeline;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * `active` (drain-confined) holds every call started and not yet emitted; a call that finishes
 * (any thread) is appended to the `completed` queue and the region signalled; poll() emits in
 * that order. A call leaves `active` only when emitted, so active.size() is exactly the number
 * of elements held and never exceeds parallelism. A call that finishes inside start() is queued
 * by the stage itself (AsyncCall runs the done-callback only for asynchronous completions).
 */
/**
 * {@link Pipeline#mapAsyncUnordered(int, Function)}: up to {@code parallelism} calls in flight,
 * results in completion order.
 *
 * <p>Backpressure: a new element is pulled only when fewer than {@code parallelism} elements
 * are held (in flight or finished and not yet taken downstream). Buffering: at most
 * {@code parallelism} elements. Errors: per {@link OnError}, raised in completion order.
 * Cancellation: every call in flight and every retry timer is cancelled when the run stops.
 */
final class MapAsyncUnorderedStage<T, R> extends AsyncWindowStage<T, R> {

    private final Set<AsyncCall<T, R>> active = new HashSet<>();
    private final ConcurrentLinkedQueue<AsyncCall<T, R>> completed = new ConcurrentLinkedQueue<>();

    @SuppressWarnings("UnnecessaryLambda") // one listener instance for every call instead of a lambda per call
    private final Consumer<AsyncCall<T, R>> onDone = call -> {
        completed.add(call);
        region.signal();
    };

    MapAsyncUnorderedStage(
            Ctx ctx,
            Stage<T> up,
            int parallelism,
            Function<? super T, ? extends CompletionStage<? extends R>> fn,
            OnError<? super T, R> onError) {
        super(ctx, "mapAsyncUnordered(" + parallelism + ")", up, parallelism, fn, onError);
    }

    @Override
    int held() {
        return active.size();
    }

    @Override
    void admit(T element) {
        AsyncCall<T, R> call = new AsyncCall<>(this, element, fn, onError, retries, onDone);
        active.add(call);
        if (call.start()) {
            completed.add(call);
        }
    }

    @Override
    void retry(AsyncCall<T, R> call) {
        if (active.contains(call) && call.retryNow()) {
            completed.add(call);
        }
    }

    @Override
    @Nullable
    AsyncCall<T, R> takeReady() {
        AsyncCall<T, R> done = completed.poll();
        if (done != null) {
            active.remove(done);
        }
        return done;
    }

    @Override
    void release() {
        for (AsyncCall<T, R> call : active) {
            call.cancel();
        }
        active.clear();
        completed.clear();
        retries.clear();
    }
}
