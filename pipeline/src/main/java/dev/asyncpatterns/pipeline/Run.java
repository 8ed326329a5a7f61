package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.internal.CapturedContext;
import dev.asyncpatterns.core.internal.Failures;
import dev.asyncpatterns.core.time.TimeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * One Run per execution of a RunnablePipeline. Lifecycle:
 *
 *   RUNNING --(sink reached END: succeed / any stage threw: fail / result completed by the
 *              caller, e.g. cancel)--> STOPPING --(every region closed its stages)--> DONE
 *
 * "decided" picks the outcome exactly once (first failure wins; later failures other than
 * cancellations are attached as suppressed). stopping is the volatile flag every drain loop reads
 * per element; setting it signals every region so each closes its own stages on its own drain
 * (stages are region-confined). openRegions counts regions not yet closed; the region that
 * brings it to zero completes the result, so a run that succeeds or fails completes its future
 * only after every stage was closed and every onClose hook ran. A caller's cancel completes the
 * future at once (that is CompletableFuture's contract); closing then follows promptly.
 *
 * Failures of close hooks fail a successful run, are suppressed into a failed one, and are
 * logged when the caller already completed the future.
 */
final class Run<R> {

    private static final Logger LOG = LoggerFactory.getLogger(Run.class);

    final TimeSource time;
    final Executor executor;
    /** The request context of the thread that started the run, restored around every drain pass. */
    final CapturedContext context = CapturedContext.capture();

    final CompletableFuture<R> result = new CompletableFuture<>();
    volatile boolean stopping;

    private final AtomicBoolean decided = new AtomicBoolean();
    private final AtomicInteger openRegions = new AtomicInteger();
    private final List<Region> regions = new CopyOnWriteArrayList<>();
    private final List<Node> tracked = new CopyOnWriteArrayList<>();
    private final List<Throwable> closeFailures = new CopyOnWriteArrayList<>();
    private volatile boolean completing;
    private @Nullable Object value;
    private volatile @Nullable Throwable failure;

    Run(TimeSource time, Executor executor) {
        this.time = time;
        this.executor = executor;
        result.whenComplete((ignoredValue, ignoredFailure) -> {
            if (!completing) {
                fail(new CancellationException("the run's future was completed by the caller"));
            }
        });
    }

    /** Builds the sink chain in the main region and starts its first drain on the executor. */
    void start(SinkSpec<R> sinkSpec) {
        Region main = newRegion(executor);
        Ctx ctx = new Ctx(this, main, true);
        Region.Body built;
        try {
            built = sinkSpec.build(ctx);
        } catch (Throwable failure) {
            fail(failure);
            built = new Region.Body() {
                @Override
                public void pump() {}

                @Override
                public boolean done() {
                    return true;
                }

                @Override
                public void closeAll() {}
            };
        }
        main.body(built);
        main.wake();
    }

    /** A new region; its creator must install a body with {@link Region#body}. */
    Region newRegion(Executor regionExecutor) {
        Region region = new Region(this, regionExecutor);
        openRegions.incrementAndGet();
        regions.add(region);
        return region;
    }

    void track(Node node) {
        tracked.add(node);
    }

    List<Node> tracked() {
        return tracked;
    }

    void succeed(@Nullable Object result) {
        if (decided.compareAndSet(false, true)) {
            value = result;
        }
        stop();
    }

    void fail(Throwable cause) {
        Throwable error = Failures.unwrap(cause);
        if (decided.compareAndSet(false, true)) {
            failure = error;
        } else {
            Throwable first = failure;
            if (first != null && first != error && !(error instanceof CancellationException)) {
                first.addSuppressed(error);
            }
        }
        stop();
    }

    /** The failure that decided the run, if one did. */
    @Nullable
    Throwable failureOrNull() {
        return failure;
    }

    void closeFailed(Throwable cause) {
        closeFailures.add(Failures.unwrap(cause));
    }

    private void stop() {
        if (!stopping) {
            stopping = true;
            for (Region region : regions) {
                region.wake();
            }
        }
    }

    void regionClosed(Region region) {
        regions.remove(region); // regions of concatMap's inner pipelines come and go
        if (openRegions.decrementAndGet() == 0) {
            complete();
        }
    }

    @SuppressWarnings("unchecked")
    private void complete() {
        completing = true;
        Throwable error = failure;
        List<Throwable> closing = new ArrayList<>(closeFailures);
        if (error == null && !closing.isEmpty()) {
            error = closing.remove(0);
        }
        if (error != null) {
            for (Throwable other : closing) {
                if (other != error) {
                    error.addSuppressed(other);
                }
            }
            if (!result.completeExceptionally(error) && !(error instanceof CancellationException)) {
                LOG.debug("pipeline failure after the caller completed the run", error);
            }
        } else {
            result.complete((R) value);
        }
    }
}
