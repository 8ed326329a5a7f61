package dev.asyncpatterns.pipeline;

import org.jspecify.annotations.Nullable;

/**
 * A synchronous sink that takes every element as it comes: it has its upstream push the ready
 * elements into {@link #push} ({@link Stage#pushTo}) and on the end succeeds with
 * {@link #result()}. The run's stop flag is read before the first element and after each one
 * ({@link #more()}), so cancellation takes effect between two elements.
 *
 * <p>Each sink writes its own {@code push} (consume the element, then {@code return more()}),
 * so the call into the user's function is a call site of its own class.
 *
 * @param <T> the element type consumed
 * @param <R> the run's result type
 */
abstract class LoopSink<T, R> extends Sink<T, R> implements Stage.Downstream {

    LoopSink(Ctx ctx, String name, Stage<T> up) {
        super(ctx, name, up);
    }

    /** The run's result once upstream has ended. */
    abstract @Nullable R result();

    /** Counts the element just consumed; true unless the run is stopping. */
    final boolean more() {
        in++;
        return !run.stopping;
    }

    @Override
    public final void pump() {
        if (run.stopping) {
            return;
        }
        if (up.pushTo(this) == END) {
            finish(result());
        }
    }
}
