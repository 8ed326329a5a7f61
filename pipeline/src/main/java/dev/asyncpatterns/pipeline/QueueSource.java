package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.internal.Failures;
import dev.asyncpatterns.core.queue.AsyncQueue;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * Fast path: AsyncQueue.poll() (no future) while items are there. When the queue is empty one
 * take() is outstanding; its completion signals the region and the next poll() collects the
 * item. A take failing with ClosedException means the queue was closed and drained: the end of
 * the stream, or, when the queue was closed exceptionally (the exception has a cause), a failure.
 */
/**
 * {@link Pipeline#fromQueue(AsyncQueue)}: takes items until the queue is closed and drained.
 *
 * <p>Backpressure: takes one item per downstream request, so producers blocked in
 * {@code put} stay blocked while the pipeline is busy. Buffering: none (the queue is the
 * buffer). Errors: a queue closed with {@code closeExceptionally} fails the run with the
 * queue's {@link ClosedException} (carrying the cause). Cancellation: the outstanding
 * {@code take} is cancelled, so no item is consumed for it (unless the hand-over already
 * happened, in which case that one item is dropped). Does not call {@code taskDone()}: call it
 * from your sink if you use the queue's {@code join()}.
 */
final class QueueSource<T> extends Stage<T> {

    private final AsyncQueue<? extends T> queue;
    private @Nullable CompletableFuture<? extends T> pending;
    private boolean done;

    QueueSource(Ctx ctx, AsyncQueue<? extends T> queue) {
        super(ctx, "fromQueue");
        this.queue = queue;
    }

    @Override
    Object poll() {
        if (done) {
            return END;
        }
        CompletableFuture<? extends T> current = pending;
        if (current == null) {
            T item = queue.poll();
            if (item != null) {
                out++;
                return item;
            }
            current = pending = queue.take();
            if (!current.isDone()) {
                current.whenComplete((ignoredItem, ignoredFailure) -> region.signal());
                return EMPTY;
            }
        } else if (!current.isDone()) {
            return EMPTY;
        }
        pending = null;
        try {
            T item = current.join();
            out++;
            return item;
        } catch (RuntimeException failure) {
            Throwable cause = Failures.unwrap(failure);
            if (cause instanceof ClosedException closed && closed.getCause() == null) {
                done = true;
                return END;
            }
            throw propagate(cause);
        }
    }

    @Override
    void release() {
        done = true;
        CompletableFuture<? extends T> current = pending;
        pending = null;
        if (current != null) {
            current.cancel(true);
        }
    }

    @Override
    void closeUpstream() {}
}
