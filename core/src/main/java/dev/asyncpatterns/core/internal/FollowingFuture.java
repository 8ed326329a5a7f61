package dev.asyncpatterns.core.internal;

import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.scope.TaskScope;
import dev.asyncpatterns.core.time.Cancellable;

import java.util.concurrent.CompletableFuture;

/*
 * Maintainer's note.
 *
 * A future that stands for work started later (Futures.delay: after a timer; TaskScope.forkAsync:
 * after registration). follow() links it to the started work; cancelling it cancels the timer
 * (if any) and the work (with interruption). If it was cancelled before or while follow() ran,
 * follow() cancels the work itself, so the work is never left running.
 */
/** A cancellable stand-in for work that starts later. */
public final class FollowingFuture<T> extends CompletableFuture<T> {

    public volatile Cancellable timer;
    private volatile CompletableFuture<? extends T> source;

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
        // Cancel the work before completing this future: whoever wakes up on this future's
        // cancellation (a TaskScope join counting its forks out) must find the work cancelled too.
        CompletableFuture<? extends T> known = source;
        if (known != null && !isDone()) {
            known.cancel(true);
        }
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            Cancellable t = timer;
            if (t != null) {
                t.cancel();
            }
            // re-read after completing: a follow() racing with us either sees isCancelled() or
            // has published its source by now
            CompletableFuture<? extends T> started = source;
            if (started != null) {
                started.cancel(true);
            }
        }
        return cancelled || isCancelled();
    }
}
