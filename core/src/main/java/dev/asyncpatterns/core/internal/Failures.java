package dev.asyncpatterns.core.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The one way to look through the wrappers futures put around a failure. Not part of the API. */
public final class Failures {

    private Failures() {}

    /**
     * Strips {@link CompletionException} and {@link ExecutionException} layers that have a cause,
     * repeatedly, and returns the first other throwable (or a wrapper without a cause as it is).
     *
     * @param failure the failure, possibly wrapped
     * @return the underlying failure
     */
    public static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
