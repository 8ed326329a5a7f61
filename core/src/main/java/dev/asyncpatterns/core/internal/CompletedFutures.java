package dev.asyncpatterns.core.internal;

import java.util.concurrent.CompletableFuture;

/** Factories for futures that are already complete, shared by the futures and scope packages. */
public final class CompletedFutures {

    private CompletedFutures() {}

    /** A new future that is already cancelled (for work that was never started). */
    public static <T> CompletableFuture<T> cancelled() {
        var future = new CompletableFuture<T>();
        future.cancel(false);
        return future;
    }
}
