package dev.asyncpatterns.resilience;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * Copy-on-write list of listeners for RetryQueue's dead-letter listeners: registration is rare,
 * emission is hot. hasAny() is one volatile read, so callers build an event object only when
 * someone listens. Each listener is called through core's Listeners (ADR core-0002): one that
 * throws is logged at WARN and the remaining listeners still run; VirtualMachineErrors are
 * rethrown. AsyncResilience fixes its listeners on the builder and calls core's helper itself
 * (see Events).
 */
/** A list of event listeners that isolates the emitter from listener failures. */
final class Listeners<E> {

    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final String owner;
    private final List<Consumer<? super E>> listeners = new CopyOnWriteArrayList<>();

    Listeners(String owner) {
        this.owner = owner;
    }

    boolean hasAny() {
        return !listeners.isEmpty();
    }

    void add(Consumer<? super E> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void emit(E event) {
        for (Consumer<? super E> listener : listeners) {
            dev.asyncpatterns.core.internal.Listeners.notify(LOG, owner, "event", listener, event);
        }
    }
}
