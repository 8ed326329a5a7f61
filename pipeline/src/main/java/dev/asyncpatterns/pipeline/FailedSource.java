package dev.asyncpatterns.pipeline;

import java.util.function.Supplier;

/**
 * Source that fails on the first request: {@link Pipeline#failed(Supplier)}.
 *
 * <p>Backpressure, Buffering, Cancellation: nothing to say. Errors: the first poll throws the
 * supplied exception.
 */
final class FailedSource<T> extends Stage<T> {

    private final Supplier<? extends Throwable> error;

    FailedSource(Ctx ctx, Supplier<? extends Throwable> error) {
        super(ctx, "failed");
        this.error = error;
    }

    @Override
    Object poll() {
        Throwable failure = error.get();
        throw propagate(failure == null ? new NullPointerException("failed(): supplier returned null") : failure);
    }

    @Override
    void closeUpstream() {}
}
