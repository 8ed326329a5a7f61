package dev.asyncpatterns.core.internal;

import java.util.concurrent.CompletableFuture;

/*
 * Maintainer's note.
 *
 * The shared part of the futures Futures builds over a fixed array of inputs (GatherFuture for
 * all/allSettled, FirstOfFuture for any/race): the inputs, and the rule that cancelling the result
 * cancels every input. Subclasses call cancelInputs() themselves when they settle early.
 */
/** A future combining a fixed array of inputs; cancelling it cancels them all. */
public abstract class CombiningFuture<R> extends CompletableFuture<R> {

    /** The inputs, in input order; never modified. */
    final CompletableFuture<?>[] inputs;

    public CombiningFuture(CompletableFuture<?>[] inputs) {
        this.inputs = inputs;
    }

    /** Cancels every input (a no-op for the ones already done), interrupting running tasks. */
    public final void cancelInputs() {
        for (CompletableFuture<?> input : inputs) {
            input.cancel(true);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            cancelInputs();
        }
        return cancelled;
    }
}
