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
 * Copy-on-write list of listeners: registration is rare, emission is hot. hasAny() is one
 * volatile read, so callers build an event object only when someone listens. A listener that
 * throws is logged at WARN (it is a bug in user code) and the remaining listeners still run;
 * VirtualMachineErrors are rethrown since nothing sensible can continue after them.
 */
/** A list of event listeners that isolates the emitter from listener failures. */
final class Listeners<E> {

    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final String owner;
    private final List<Consumer<? super E>> listeners = new CopyOnWriteArrayList<>();

    Listeners(String owner) {
        this.owner = owner;
    }

    /** Listeners fixed from the start, e.g. registered on a builder. */
    Listeners(String owner, List<? extends Consumer<? super E>> initial) {
        this.owner = owner;
        this.listeners.addAll(initial);
    }

    boolean hasAny() {
        return !listeners.isEmpty();
    }

    void add(Consumer<? super E> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void emit(E event) {
        for (Consumer<? super E> listener : listeners) {
            try {
                listener.accept(event);
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable failure) {
                LOG.warn("{}: event listener {} threw on {}; ignored", owner, listener, event, failure);
            }
        }
    }
}
