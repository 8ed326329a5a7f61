package dev.asyncpatterns.core.internal;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;

/*
 * Maintainer's note.
 *
 * The only class that names io.micrometer:context-propagation types. CapturedContext touches it
 * only after its guarded class-loading check found the library, so without the library this class
 * is never loaded (and never fails to link).
 *
 * The factory captures every ThreadLocalAccessor of the global ContextRegistry, read at each
 * capture (accessors registered later are picked up), with clearMissing: restoring a snapshot
 * clears registered thread locals it holds no value for, so a pooled thread never runs one
 * caller's work with another caller's leftovers. Scope.close() puts the previous values back.
 */
/** context-propagation bridge for {@link CapturedContext}; loaded only when the library is present. */
final class MicrometerContext {

    private static final ContextRegistry REGISTRY = ContextRegistry.getInstance();
    private static final ContextSnapshotFactory FACTORY = ContextSnapshotFactory.builder()
            .contextRegistry(REGISTRY).clearMissing(true).build();
    private static final ContextSnapshot NOTHING = FACTORY.captureFrom();
    private static final CapturedContext.Scope NOOP = () -> {};

    private MicrometerContext() {}

    /** A snapshot of the registered thread locals, or null when none is registered. */
    static Object capture() {
        if (REGISTRY.getThreadLocalAccessors().isEmpty()) {
            return null;
        }
        return FACTORY.captureAll();
    }

    static CapturedContext.Scope restore(Object snapshot) {
        ContextSnapshot.Scope scope = ((ContextSnapshot) snapshot).setThreadLocals();
        return scope::close;
    }

    /** For an empty capture: clears the registered thread locals until the scope closes. */
    static CapturedContext.Scope clearIfAny() {
        if (REGISTRY.getThreadLocalAccessors().isEmpty()) {
            return NOOP;
        }
        ContextSnapshot.Scope scope = NOTHING.setThreadLocals();
        return scope::close;
    }
}
