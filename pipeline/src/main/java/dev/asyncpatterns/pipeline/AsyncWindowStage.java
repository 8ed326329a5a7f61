package dev.asyncpatterns.pipeline;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * The shared loop of mapAsync and mapAsyncUnordered. poll() first starts the retries that fell
 * due, then fills the window from upstream while fewer than `parallelism` elements are held,
 * then emits the next ready call (the head for ordered, the first completed for unordered),
 * refilling the freed slot before returning so the window stays full while downstream works.
 * Subclasses only decide how calls are held and which one is ready.
 */
/**
 * Base of the async element stages: at most {@code parallelism} calls held at once.
 *
 * @param <T> the input type
 * @param <R> the output type
 */
abstract class AsyncWindowStage<T, R> extends Stage<R> {

    final Stage<T> up;
    final Function<? super T, ? extends CompletionStage<? extends R>> fn;
    final OnError<? super T, R> onError;
    final int parallelism;
    final ConcurrentLinkedQueue<AsyncCall<T, R>> retries = new ConcurrentLinkedQueue<>();
    boolean upstreamDone;

    AsyncWindowStage(
            Ctx ctx,
            String name,
            Stage<T> up,
            int parallelism,
            Function<? super T, ? extends CompletionStage<? extends R>> fn,
            OnError<? super T, R> onError) {
        super(ctx, name);
        this.up = up;
        this.fn = fn;
        this.onError = onError;
        this.parallelism = parallelism;
    }

    /** How many elements are held (in flight or finished, not yet emitted). */
    abstract int held();

    /** Starts holding a new call and starts it. */
    abstract void admit(T element);

    /** Restarts a call whose retry fell due. */
    abstract void retry(AsyncCall<T, R> call);

    /** Removes and returns the next call ready to be emitted, or null. */
    abstract @Nullable AsyncCall<T, R> takeReady();

    @Override
    final Object poll() {
        AsyncCall<T, R> due;
        while ((due = retries.poll()) != null) {
            retry(due);
        }
        for (; ; ) {
            fill();
            AsyncCall<T, R> ready = takeReady();
            if (ready == null) {
                return upstreamDone && held() == 0 ? END : EMPTY;
            }
            busyNanos += ready.finishedNanos - ready.startedNanos;
            Object value = ready.outcome();
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
        while (!upstreamDone && held() < parallelism) {
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
            admit((T) x);
        }
    }

    @Override
    final int depth() {
        return held();
    }

    @Override
    final void closeUpstream() {
        up.close();
    }
}
