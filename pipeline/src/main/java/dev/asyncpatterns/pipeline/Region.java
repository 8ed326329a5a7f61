package dev.asyncpatterns.pipeline;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * A region is a chain of stages driven by one serialized drain loop (the classic
 * work-in-progress counter): signal() increments the counter and, if it was zero, runs the loop,
 * which repeats until it has consumed every signal that arrived meanwhile. So the stages of a
 * region never run concurrently with each other, need no locks, and a signal that arrives while
 * the loop runs (a future completing synchronously, a subscriber requesting from onNext) only
 * bumps the counter: no re-entrance, no deep stacks.
 *
 * signal() runs the loop on the signalling thread (a completing future's thread, a timer task);
 * wake() hands it to the region's executor, which is how one region tells another across an
 * async boundary (otherwise both sides would end up on one thread). Inline regions (none of
 * ours today except by choice of a direct executor) behave the same.
 *
 * Stopping: once run.stopping is set or the body reports done, the next pass closes the body's
 * chain (on this region's drain, the only thread allowed to touch those stages) and tells the
 * run that this region is closed. The loop catches everything: an exception escaping would leave
 * the counter non-zero and the region dead.
 */
final class Region {

    /** What a region's drain loop drives. */
    interface Body {
        /** Makes as much progress as possible without waiting. May throw: the run fails. */
        void pump();

        /** True when this region's work is over even though the run goes on. */
        boolean done();

        /** Closes every stage this region owns. Never throws. */
        void closeAll();

        /** Adds the time one drain pass spent in {@link #pump()} to this body's metrics. */
        default void busy(long nanos) {}
    }

    private final Run<?> run;
    private final Executor executor;
    private final AtomicInteger wip = new AtomicInteger();
    private volatile @Nullable Body body;
    private boolean closed;
    private final Runnable passOnce = this::passOnce;

    Region(Run<?> run, Executor executor) {
        this.run = run;
        this.executor = executor;
    }

    /** Installs what the drain loop drives; a region of a run that is already stopping closes it. */
    void body(Body body) {
        this.body = body;
        if (run.stopping) {
            wake();
        }
    }

    /** Runs the drain loop now on this thread, unless it is already running somewhere. */
    void signal() {
        if (wip.getAndIncrement() == 0) {
            drainLoop();
        }
    }

    /** Runs the drain loop on the region's executor, unless it is already running somewhere. */
    void wake() {
        if (wip.getAndIncrement() == 0) {
            try {
                executor.execute(this::drainLoop);
            } catch (RejectedExecutionException rejected) {
                run.fail(rejected);
                drainLoop(); // closes the region on this thread, since the run is stopping
            }
        }
    }

    private void drainLoop() {
        int missed = 1;
        for (; ; ) {
            run.context.run(passOnce); // stages see the run starter's context on any draining thread
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void passOnce() {
        Body body = this.body;
        if (closed || body == null) {
            return;
        }
        if (!run.stopping && !body.done()) {
            long start = run.time.nanoTime(); // two clock reads per pass, never per element
            try {
                body.pump();
            } catch (Throwable failure) {
                run.fail(failure);
            } finally {
                body.busy(run.time.nanoTime() - start);
            }
        }
        if (run.stopping || body.done()) {
            closed = true;
            try {
                body.closeAll();
            } catch (Throwable failure) {
                run.closeFailed(failure);
            }
            run.regionClosed(this);
        }
    }
}
