package dev.asyncpatterns.core.internal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * The "with..." helpers of the coordination primitives (withPermit, withLock, withReadLock,
 * withWriteLock, withResource): wait for a resource, run an asynchronous body while holding it,
 * give it back exactly once when the body's stage completes, whatever the outcome.
 *
 * Cancelling the result while waiting cancels the acquire future (the primitive withdraws the
 * request; if the grant won that race, start() sees the cancelled result and gives the resource
 * straight back). Cancelling while the body runs cancels the body's stage; the resource is given
 * back when that stage completes, so a body that ignores cancellation still holds it (the bound
 * stays true). A body that throws (even an Error) or returns null gives the resource back at once.
 *
 * A body that had to wait runs on the thread that released the resource: it runs with the
 * caller's request context (captured on the slow path only), never the releaser's.
 */
/** Runs an asynchronous body while holding a resource; gives the resource back exactly once. */
public final class GuardedCall<G, T> implements BiConsumer<G, Throwable> {

    /** The body: may throw, must return a stage. */
    @FunctionalInterface
    public interface Body<G, T> {
        CompletionStage<? extends T> apply(G held) throws Exception;
    }

    private final Consumer<? super G> giveBack;
    private final Body<? super G, ? extends T> body;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private volatile @Nullable CompletableFuture<? extends G> acquired;
    private volatile @Nullable CompletableFuture<?> running;
    /** The caller's context when the body has to wait (it then runs on the releasing thread); else null. */
    private @Nullable CapturedContext context;

    private GuardedCall(Consumer<? super G> giveBack, Body<? super G, ? extends T> body) {
        this.giveBack = giveBack;
        this.body = body;
    }

    /**
     * Runs {@code body} once {@code acquired} completes, giving the held value back through
     * {@code giveBack} when the body's stage completes.
     */
    public static <G, T> CompletableFuture<T> run(
            CompletableFuture<? extends G> acquired, Consumer<? super G> giveBack, Body<? super G, ? extends T> body) {
        var call = new GuardedCall<G, T>(giveBack, body);
        call.result.whenComplete((value, failure) -> {
            if (call.result.isCancelled()) {
                call.cancelUpstream();
            }
        });
        if (acquired.state() == java.util.concurrent.Future.State.SUCCESS) {
            call.start(acquired.resultNow());
        } else {
            call.acquired = acquired;
            call.context = CapturedContext.capture(); // published to the granting thread by whenComplete
            acquired.whenComplete(call);
        }
        return call.result;
    }

    @Override
    public void accept(G held, @Nullable Throwable failure) {
        if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            start(held);
        }
    }

    private void start(G held) {
        if (result.isDone()) { // cancelled just as the resource arrived
            giveBack.accept(held);
            return;
        }
        CompletionStage<? extends T> stage;
        try {
            CapturedContext caller = context;
            stage = Objects.requireNonNull(
                    caller == null ? body.apply(held) : caller.call(() -> body.apply(held)), "action returned null");
        } catch (Throwable failure) {
            giveBack.accept(held);
            result.completeExceptionally(failure);
            return;
        }
        stage.whenComplete((value, failure) -> {
            giveBack.accept(held);
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(value);
            }
        });
        try {
            running = stage.toCompletableFuture();
        } catch (UnsupportedOperationException notCancellable) {
            return; // still given back when the stage completes
        }
        if (result.isCancelled()) {
            cancelUpstream();
        }
    }

    private void cancelUpstream() {
        CompletableFuture<? extends G> waiting = acquired;
        if (waiting != null) {
            waiting.cancel(false);
        }
        CompletableFuture<?> work = running;
        if (work != null) {
            work.cancel(true);
        }
    }
}
