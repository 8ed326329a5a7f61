package dev.asyncpatterns.core.internal;

import java.util.function.Consumer;
import org.slf4j.Logger;

/*
 * Maintainer's note.
 *
 * The one rule for user listeners (ADR core-0002, section 2). A listener is user code called for
 * its side effect; what it throws is a bug in that code, not a failure of the operation that
 * emitted the event, so it is logged once at WARN (with the component's name, so the operator
 * knows where) and the emitter carries on. Callers emit after releasing their locks and after
 * settling their own state, so nothing here can leave a component half-updated.
 *
 * VirtualMachineErrors (OutOfMemoryError, StackOverflowError, InternalError, UnknownError) are
 * logged and then rethrown: after one of those the JVM itself may be inconsistent (a frame that
 * overflowed may not have run its finally blocks, an allocation failed half-way), and swallowing an
 * OutOfMemoryError hides the one signal an operator needs most. Every other Error a listener
 * throws (AssertionError, LinkageError, ExceptionInInitializerError) is the listener's own bug and
 * is treated like an exception.
 */
/** Calls user listeners so that their failures never reach our state. Not part of the API. */
public final class Listeners {

    private Listeners() {}

    /**
     * Calls {@code listener} with {@code event}; logs and ignores what it throws (a
     * {@link VirtualMachineError} is logged and rethrown).
     *
     * @param <E> the event type
     * @param log the component's logger
     * @param component the component's name, for the log line
     * @param what what the listener listens to (e.g. {@code "drop"}), for the log line
     * @param listener the user's listener
     * @param event the event
     */
    public static <E> void notify(Logger log, String component, String what, Consumer<? super E> listener, E event) {
        try {
            listener.accept(event);
        } catch (Throwable failure) {
            failed(log, component, what, event, failure);
        }
    }

    /**
     * Runs {@code listener}; logs and ignores what it throws (a {@link VirtualMachineError} is
     * logged and rethrown).
     *
     * @param log the component's logger
     * @param component the component's name, for the log line
     * @param what what the listener listens to (e.g. {@code "work"}), for the log line
     * @param listener the user's listener
     */
    public static void run(Logger log, String component, String what, Runnable listener) {
        try {
            listener.run();
        } catch (Throwable failure) {
            failed(log, component, what, listener, failure);
        }
    }

    private static void failed(Logger log, String component, String what, Object event, Throwable failure) {
        log.warn("{}: {} listener threw on {}; ignored", component, what, event, failure);
        if (failure instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }
}
