package dev.asyncpatterns.core;

import dev.asyncpatterns.core.future.Futures;
import java.util.concurrent.CompletionStage;

/**
 * Starts a piece of asynchronous work and returns its stage, such as
 * {@code () -> httpClient.sendAsync(request, handler)}. Passing the supplier instead of a running
 * future lets the toolkit decide when to start the work (for example {@link Futures#withTimeout}
 * starts it under the timeout, {@code TaskScope.forkAsync} only while the scope is open).
 *
 * <p>If {@link #get()} throws, the work counts as failed with that exception.
 *
 * @param <T> the type of the result
 * @since 0.1.0
 */
@FunctionalInterface
public interface AsyncSupplier<T> {

    /**
     * Starts the work. Should not block.
     *
     * @return the stage that completes with the work's result; must not be null
     * @throws Exception if the work cannot be started
     */
    CompletionStage<T> get() throws Exception;
}
