package dev.asyncpatterns.pipeline;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * {@link Pipeline#forEachAsync(Function)}, {@link Pipeline#forEachBatch} and
 * {@link Pipeline#intoQueue}: an async action per element, one at a time.
 *
 * <p>Backpressure: the next element is pulled only when the previous action's future has
 * completed. Buffering: none beyond the element being processed. Errors: a throwing action, a
 * {@code null} or failed future fails the run. Cancellation: the action's future in flight is
 * cancelled when the run stops.
 */
final class ForEachAsyncSink<T> extends Sink<T, Void> {

    private final Function<? super T, ? extends CompletionStage<?>> action;
    private @Nullable CompletableFuture<?> pending;
    private long pendingSince;

    ForEachAsyncSink(Ctx ctx, String name, Stage<T> up, Function<? super T, ? extends CompletionStage<?>> action) {
        super(ctx, name, up);
        this.action = action;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void pump() {
        for (; ; ) {
            if (run.stopping) {
                return;
            }
            CompletableFuture<?> current = pending;
            if (current != null) {
                if (!current.isDone()) {
                    return;
                }
                pending = null;
                busyNanos += run.time.nanoTime() - pendingSince;
                current.join(); // throws the action's failure
            }
            Object x = up.poll();
            if (x == EMPTY) {
                return;
            }
            if (x == END) {
                finish(null);
                return;
            }
            in++;
            CompletionStage<?> stage = action.apply((T) x);
            if (stage == null) {
                throw new NullPointerException(name + ": action returned a null future for " + x);
            }
            CompletableFuture<?> future = stage.toCompletableFuture();
            if (!future.isDone()) {
                pending = future;
                pendingSince = run.time.nanoTime();
                future.whenComplete((ignoredValue, ignoredFailure) -> region.signal());
                return;
            }
            future.join();
        }
    }

    @Override
    int depth() {
        return pending == null ? 0 : 1;
    }

    @Override
    void release() {
        CompletableFuture<?> current = pending;
        pending = null;
        if (current != null) {
            current.cancel(true);
        }
    }
}
