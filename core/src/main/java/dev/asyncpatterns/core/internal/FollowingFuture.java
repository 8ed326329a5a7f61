package dev.asyncpatterns.core.internal;

import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.time.Cancellable;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * A future that stands for work started later (Futures.delay: after a timer; TaskScope.forkAsync:
 * after registration). follow() links it to the started work; cancelling it cancels the timer
 * (if any) and the work (with interruption) first, and completes itself after, so its dependents
 * see the work stopped. If it was cancelled before or while follow() ran, follow() cancels the
 * work itself, so the work is never left running.
 */
/** A cancellable stand-in for work that starts later. */
public final class FollowingFuture<T> extends CompletableFuture<T> {

    public volatile @Nullable Cancellable timer;
    private volatile @Nullable CompletableFuture<? extends T> source;

    public void follow(CompletableFuture<? extends T> started) {
        source = started;
        started.whenComplete((value, failure) -> {
            if (failure == null) {
                complete(value);
            } else {
                completeExceptionally(Outcome.failure(failure).exceptionOrNull());
            }
        });
        if (isCancelled()) {
            started.cancel(true);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        // Stop the work before completing this future: whoever waits for this future (a scope's
        // joinBlocking, through the dependent that counts the fork out) must find the work
        // already cancelled when it wakes. Cancelling the work completes this future through
        // follow()'s callback; super.cancel then reports it cancelled, as CompletableFuture does.
        if (!isDone()) {
            stopWork();
        }
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            stopWork(); // cancelled before follow(): nothing to stop yet (follow() does it), or a repeat
        }
        return cancelled;
    }

    private void stopWork() {
        StopWork.cancel(timer, source);
    }
}
