package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.time.Cancellable;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * A Node is one stage of one run: created fresh for every run from the immutable Pipeline
 * description, owned by exactly one Region, and touched only by that region's drain loop (which
 * is serialized by the region's work-in-progress counter). So node state needs no locks or
 * volatiles; only hand-offs from other threads (future callbacks, timers, subscriptions, the
 * other side of a boundary) go through atomics or a lock, followed by region.signal().
 *
 * Metrics fields are plain longs written by the owning drain; a snapshot taken from another
 * thread while the run is active may be slightly stale (never torn on 64-bit JVMs), and is exact
 * once the run has completed (the completion of the run's future publishes them).
 *
 * close() is idempotent and closes this node, then its upstreams, collecting failures into the
 * run. Closing a boundary's consumer side only tells the producer region to close its own chain.
 */
abstract class Node {

    /** No element is ready now; the stage will signal its region when that may change. */
    static final Object EMPTY = new Marker("EMPTY");

    /** The stage is exhausted. */
    static final Object END = new Marker("END");

    private record Marker(String name) {
        @Override
        public String toString() {
            return name;
        }
    }

    final Run<?> run;
    final Region region;
    final String name;

    long in;
    long out;
    long failures;
    long busyNanos;

    private boolean closed;

    Node(Ctx ctx, String name) {
        this.run = ctx.run();
        this.region = ctx.region();
        this.name = name;
        if (ctx.tracked()) {
            run.track(this);
        }
    }

    /** Current number of elements held by this node (buffers, in-flight calls). */
    int depth() {
        return 0;
    }

    /** Releases what this node holds (in-flight futures, timers, subscriptions, iterators). */
    void release() {}

    /** Closes the nodes this node pulls from. */
    abstract void closeUpstream();

    final boolean isClosed() {
        return closed;
    }

    /** Closes this node and everything upstream of it, once. Never throws. */
    final void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            release();
        } catch (Throwable failure) {
            run.closeFailed(failure);
        }
        closeUpstream();
    }

    /** Cancels a timer if there is one; returns null to clear the field holding it. */
    static @Nullable Cancellable cancel(@Nullable Cancellable timer) {
        if (timer != null) {
            timer.cancel();
        }
        return null;
    }

    static RuntimeException propagate(Throwable failure) {
        if (failure instanceof RuntimeException runtime) {
            return runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new CompletionException(failure);
    }

    @Override
    public String toString() {
        return name;
    }
}
