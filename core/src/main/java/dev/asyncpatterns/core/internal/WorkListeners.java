package dev.asyncpatterns.core.internal;

import dev.asyncpatterns.core.time.Cancellable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;

/**
 * The listeners a job store tells that work may be due ({@code JobStore.onWorkAvailable}), shared
 * by the in-memory and the PostgreSQL store. Thread-safe. Not part of the API.
 */
public final class WorkListeners {

    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /**
     * Registers {@code listener}.
     *
     * @param listener the listener (not null: the caller checked it)
     * @return cancels the registration
     */
    public Cancellable add(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Calls every listener on this thread; what one throws is logged and ignored, as
     * {@link Listeners} does, and the rest still run.
     *
     * @param log the store's logger
     * @param store the store, named in the log line
     */
    public void signal(Logger log, Object store) {
        for (Runnable listener : listeners) {
            Listeners.run(log, String.valueOf(store), "work", listener);
        }
    }
}
