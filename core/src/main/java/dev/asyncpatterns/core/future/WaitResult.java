package dev.asyncpatterns.core.future;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link Futures#waitFor} saw when it stopped waiting: the inputs that were done and those
 * still pending, each in input order. The pending ones were not cancelled.
 *
 * @param <T> the value type of the inputs
 * @param done the inputs that were done
 * @param pending the inputs that were not done
 * @since 0.1.0
 */
public record WaitResult<T>(List<CompletableFuture<T>> done, List<CompletableFuture<T>> pending) {

    /**
     * Creates the result; the lists are copied.
     *
     * @param done the inputs that were done
     * @param pending the inputs that were not done
     * @throws NullPointerException if a list or an element is null
     */
    public WaitResult {
        done = List.copyOf(Objects.requireNonNull(done, "done"));
        pending = List.copyOf(Objects.requireNonNull(pending, "pending"));
    }
}
