package dev.asyncpatterns.core.internal;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import org.jspecify.annotations.Nullable;

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
            .contextRegistry(REGISTRY)
            .clearMissing(true)
            .build();
    private static final ContextSnapshot NOTHING = FACTORY.captureFrom();
    private static final CapturedContext.Scope NOOP = () -> {};
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CapturedContext.class);

    private MicrometerContext() {}

    /** A snapshot of the registered thread locals, or null when none is registered. */
    static @Nullable Object capture() {
        if (REGISTRY.getThreadLocalAccessors().isEmpty()) {
            return null;
        }
        try {
            return FACTORY.captureAll();
        } catch (RuntimeException failure) { // an accessor's getValue threw: see guarded()
            LOG.warn("context-propagation: capturing thread locals failed; the work runs without them", failure);
            return null;
        }
    }

    static CapturedContext.Scope restore(Object snapshot) {
        return guarded(((ContextSnapshot) snapshot)::setThreadLocals);
    }

    /** For an empty capture: clears the registered thread locals until the scope closes. */
    static CapturedContext.Scope clearIfAny() {
        if (REGISTRY.getThreadLocalAccessors().isEmpty()) {
            return NOOP;
        }
        return guarded(NOTHING::setThreadLocals);
    }

    /*
     * A ThreadLocalAccessor is user code: one that throws must not break the toolkit's state
     * machines (a TaskFuture stuck in RUNNING, a drain loop that never ends). Its failure is
     * logged and the callback runs without that restore.
     */
    private static CapturedContext.Scope guarded(java.util.function.Supplier<ContextSnapshot.Scope> open) {
        ContextSnapshot.Scope scope;
        try {
            scope = open.get();
        } catch (RuntimeException failure) {
            LOG.warn("context-propagation: restoring a snapshot failed; the callback runs without it", failure);
            return NOOP;
        }
        return () -> {
            try {
                scope.close();
            } catch (RuntimeException failure) {
                LOG.warn("context-propagation: putting thread locals back failed", failure);
            }
        };
    }
}
