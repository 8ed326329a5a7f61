package dev.asyncpatterns.core.internal;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/*
 * Maintainer's note.
 *
 * The one hand-off point for request context. Where work enters the toolkit on the caller's
 * thread (fork, Blocking.call/cpu, Tasks.start, Parallel.map, TimeSource.schedule, WorkerPool
 * submit, Supervisor.start, resilience calls, cache loads, pipeline runs) the component calls
 * capture(); where the toolkit later runs the user's callback on another thread it opens
 * restore() around exactly that callback and closes it right after.
 *
 * What is captured:
 *  - the SLF4J MDC map (MDC.getCopyOfContextMap(), slf4j-api is core's one dependency);
 *  - when io.micrometer:context-propagation is present, a snapshot of every ThreadLocalAccessor
 *    registered in its global ContextRegistry (MicrometerContext; OpenTelemetry, Micrometer
 *    Observation, user ThreadLocals). Presence is decided once, by loading
 *    io.micrometer.context.ContextSnapshotFactory with our own class loader inside a try/catch
 *    (a guarded class-loading check, cached in a static final boolean); the Micrometer types are
 *    referenced only from MicrometerContext, which is never loaded when the library is absent.
 *    On the module path, core `requires static context.propagation`: the library is read only if
 *    the application resolves it (it requires it, or --add-modules).
 *
 * Restore semantics: the callback runs with exactly the captured context (an empty capture
 * clears what the running thread had), and closing the scope puts back what the thread had
 * before, so nothing leaks into the next task of a pooled thread and a callback that runs on the
 * caller's own thread (a direct executor) leaves the caller's context as it was.
 *
 * Cost with nothing to propagate: capture() reads the MDC once (null with no MDC set) and, with
 * Micrometer present, checks whether any ThreadLocalAccessor is registered; both empty -> the
 * shared EMPTY instance, no allocation. restore() on EMPTY reads the MDC once and returns the
 * shared NOOP scope when the thread has none.
 */
/** The caller's request context (MDC, and context-propagation thread locals when present). */
public final class CapturedContext {

    /** An open restore; closing it (once) puts back the thread's previous context. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final Scope NOOP = () -> {};

    /** Whether io.micrometer:context-propagation can be loaded; decided once. */
    static final boolean MICROMETER_PRESENT = micrometerPresent();

    private static final CapturedContext EMPTY = new CapturedContext(null, null);

    private final @Nullable Map<String, String> mdc; // null: no MDC
    private final @Nullable Object snapshot; // io.micrometer.context.ContextSnapshot, or null

    private CapturedContext(@Nullable Map<String, String> mdc, @Nullable Object snapshot) {
        this.mdc = mdc;
        this.snapshot = snapshot;
    }

    private static boolean micrometerPresent() {
        try {
            Class.forName(
                    "io.micrometer.context.ContextSnapshotFactory", false, CapturedContext.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError absent) {
            return false;
        }
    }

    /**
     * Captures the current thread's context. Call on the thread that hands work to the toolkit.
     *
     * @return the captured context; a shared empty instance when there is nothing to propagate
     */
    public static CapturedContext capture() {
        @Nullable Map<String, String> mdc = MDC.getCopyOfContextMap();
        if (mdc != null && mdc.isEmpty()) {
            mdc = null;
        }
        Object snapshot = MICROMETER_PRESENT ? MicrometerContext.capture() : null;
        if (mdc == null && snapshot == null) {
            return EMPTY;
        }
        return new CapturedContext(mdc, snapshot);
    }

    /** The shared instance that propagates nothing (and clears a pooled thread's context). */
    public static CapturedContext empty() {
        return EMPTY;
    }

    /**
     * Installs this context on the current thread until the returned scope is closed.
     *
     * @return the scope to close (in a finally block) right after the callback
     */
    public Scope restore() {
        Map<String, String> previousMdc = MDC.getCopyOfContextMap();
        if (previousMdc != null && previousMdc.isEmpty()) {
            previousMdc = null;
        }
        Scope micrometer = snapshot != null
                ? MicrometerContext.restore(snapshot)
                : MICROMETER_PRESENT ? MicrometerContext.clearIfAny() : NOOP;
        if (mdc == null && previousMdc == null) {
            return micrometer;
        }
        if (mdc != null) {
            MDC.setContextMap(mdc);
        } else {
            MDC.clear();
        }
        Map<String, String> previous = previousMdc;
        return () -> {
            try {
                micrometer.close();
            } finally {
                if (previous != null) {
                    MDC.setContextMap(previous);
                } else {
                    MDC.clear();
                }
            }
        };
    }

    /** Whether this instance carries nothing. */
    public boolean isEmpty() {
        return this == EMPTY;
    }

    /** {@code task} that runs with this context restored. */
    public Runnable wrap(Runnable task) {
        return () -> run(task);
    }

    /** Runs {@code task} now, on this thread, with this context restored. */
    public void run(Runnable task) {
        Scope restored = restore();
        try {
            task.run();
        } finally {
            restored.close();
        }
    }

    /** Calls {@code task} now, on this thread, with this context restored. */
    public <T> T call(Callable<? extends T> task) throws Exception {
        Scope restored = restore();
        try {
            return task.call();
        } finally {
            restored.close();
        }
    }

    /** Calls {@code supplier} now, on this thread, with this context restored. */
    public <T> T get(Supplier<? extends T> supplier) {
        Scope restored = restore();
        try {
            return supplier.get();
        } finally {
            restored.close();
        }
    }

    /** Applies {@code fn} now, on this thread, with this context restored. */
    public <A, R> R apply(Function<? super A, ? extends R> fn, A argument) {
        Scope restored = restore();
        try {
            return fn.apply(argument);
        } finally {
            restored.close();
        }
    }

    @Override
    public String toString() {
        return "CapturedContext[mdc=" + (mdc == null ? "{}" : mdc.keySet()) + ", micrometer=" + (snapshot != null)
                + "]";
    }
}
