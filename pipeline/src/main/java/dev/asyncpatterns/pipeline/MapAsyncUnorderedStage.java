package dev.asyncpatterns.pipeline;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/*
 * Maintainer's note.
 *
 * `active` (drain-confined) holds every call started and not yet emitted; a call that finishes
 * (any thread) is appended to the `completed` queue and the region signalled; poll() emits in
 * that order. A call leaves `active` only when emitted, so active.size() is exactly the number
 * of elements held and never exceeds parallelism.
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
final class MapAsyncUnorderedStage<T, R> extends Stage<R> {

    private final Stage<T> up;
    private final Function<? super T, ? extends CompletionStage<? extends R>> fn;
    private final OnError<? super T, R> onError;
    private final int parallelism;
    private final Set<AsyncCall<T, R>> active = new HashSet<>();
    private final ConcurrentLinkedQueue<AsyncCall<T, R>> completed = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<AsyncCall<T, R>> retries = new ConcurrentLinkedQueue<>();
    private final Consumer<AsyncCall<T, R>> onDone = call -> {
        completed.add(call);
        region.signal();
    };
    private boolean upstreamDone;

    MapAsyncUnorderedStage(Ctx ctx, Stage<T> up, int parallelism,
            Function<? super T, ? extends CompletionStage<? extends R>> fn, OnError<? super T, R> onError) {
        super(ctx, "mapAsyncUnordered(" + parallelism + ")");
        this.up = up;
        this.fn = fn;
        this.onError = onError;
        this.parallelism = parallelism;
    }

    @Override
    Object poll() {
        AsyncCall<T, R> due;
        while ((due = retries.poll()) != null) {
            if (active.contains(due) && due.retryNow()) {
                completed.add(due);
            }
        }
        for (;;) {
            fill();
            AsyncCall<T, R> done = completed.poll();
            if (done == null) {
                return active.isEmpty() && upstreamDone ? END : EMPTY;
            }
            active.remove(done);
            busyNanos += done.finishedNanos - done.startedNanos;
            Object value = done.outcome();
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
        while (!upstreamDone && active.size() < parallelism) {
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
            AsyncCall<T, R> call = new AsyncCall<>(this, (T) x, fn, onError, retries, onDone);
            active.add(call);
            if (call.start()) {
                completed.add(call);
            }
        }
    }

    @Override
    int depth() {
        return active.size();
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

    @Override
    void closeUpstream() {
        up.close();
    }
}
