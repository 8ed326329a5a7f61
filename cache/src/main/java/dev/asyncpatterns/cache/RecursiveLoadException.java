package dev.asyncpatterns.cache;

import java.io.Serial;

/**
 * Fails the future of a memoized call made, synchronously, by the function while it computes the
 * same key: waiting for that future would wait for itself forever (caffeine#89).
 *
 * @since 0.1.0
 */
public final class RecursiveLoadException extends IllegalStateException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param key the key whose load asked for itself
     */
    public RecursiveLoadException(Object key) {
        super("recursive load: the function computing key " + key + " asked for the same key");
    }
}
