package dev.asyncpatterns.pipeline;

/**
 * {@link Pipeline#onClose(Runnable)}: runs a hook once when the stage is closed.
 *
 * <p>Backpressure, Buffering: pass-through. Errors: a throwing hook fails a run that succeeded,
 * and is attached as suppressed to one that failed. Cancellation: the hook runs exactly once on
 * every outcome (completion, failure, cancellation), on the thread that closes the stage, before
 * the run's future completes (except after a caller's cancel, which completes it at once).
 */
final class OnCloseStage<T> extends Stage<T> {

    private final Stage<T> up;
    private final Runnable hook;

    OnCloseStage(Ctx ctx, Stage<T> up, Runnable hook) {
        super(ctx, "onClose");
        this.up = up;
        this.hook = hook;
    }

    @Override
    Object poll() {
        return up.poll();
    }

    @Override
    void closeUpstream() {
        up.close(); // upstream first: the hook sees its sources closed
        try {
            hook.run();
        } catch (Throwable failure) {
            run.closeFailed(failure);
        }
    }
}
