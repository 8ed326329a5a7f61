package dev.asyncpatterns.pipeline;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Async generator: {@link Pipeline#unfold(Object, Function)}.
 *
 * <p>Backpressure: the next step starts only when downstream asks for an element and the
 * previous step has been consumed, so at most one step is in flight. Buffering: one element.
 * Errors: a step that throws, returns {@code null}, or fails fails the run. Cancellation: the
 * step in flight is cancelled when the run stops.
 */
final class UnfoldSource<S, T> extends Stage<T> {

    private final Function<? super S, ? extends CompletionStage<Optional<Pipeline.Step<S, T>>>> step;
    private S state;
    private @Nullable CompletableFuture<Optional<Pipeline.Step<S, T>>> pending;
    private boolean done;

    UnfoldSource(Ctx ctx, S seed, Function<? super S, ? extends CompletionStage<Optional<Pipeline.Step<S, T>>>> step) {
        super(ctx, "unfold");
        this.state = seed;
        this.step = step;
    }

    @Override
    Object poll() {
        if (done) {
            return END;
        }
        CompletableFuture<Optional<Pipeline.Step<S, T>>> current = pending;
        if (current == null) {
            CompletionStage<Optional<Pipeline.Step<S, T>>> next = step.apply(state);
            if (next == null) {
                throw new NullPointerException("unfold: step returned a null future");
            }
            current = pending = next.toCompletableFuture();
            if (!current.isDone()) {
                current.whenComplete((ignoredValue, ignoredFailure) -> region.signal());
                return EMPTY;
            }
        } else if (!current.isDone()) {
            return EMPTY;
        }
        pending = null;
        Optional<Pipeline.Step<S, T>> result = current.join();
        if (result == null) {
            throw new NullPointerException("unfold: step completed with null instead of Optional.empty()");
        }
        if (result.isEmpty()) {
            done = true;
            return END;
        }
        Pipeline.Step<S, T> item = result.get();
        state = item.next();
        out++;
        return item.element();
    }

    @Override
    void release() {
        done = true;
        CompletableFuture<?> current = pending;
        pending = null;
        if (current != null) {
            current.cancel(true);
        }
    }

    @Override
    void closeUpstream() {}
}
