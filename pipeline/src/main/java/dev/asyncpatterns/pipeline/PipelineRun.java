package dev.asyncpatterns.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One execution of a {@link RunnablePipeline}, from {@link RunnablePipeline#start()}: its result
 * and its per-stage metrics.
 *
 * <p>Thread-safe.
 *
 * @param <R> the result type
 */
public final class PipelineRun<R> {

    private final Run<R> run;

    PipelineRun(Run<R> run) {
        this.run = run;
    }

    /**
     * The run's result: completes when the sink has its result and every stage has been closed,
     * or exceptionally with the first failure (later ones suppressed). Cancelling it stops the
     * run: the source is not pulled again, calls in flight are cancelled, timers and
     * subscriptions released, {@code onClose} hooks run. Cancelling a dependent future (from
     * {@code thenApply}, {@code orTimeout}...) does not propagate, as always with
     * {@link CompletableFuture}.
     *
     * @return the result future (the same instance on every call)
     */
    public CompletableFuture<R> result() {
        return run.result;
    }

    /**
     * Stops the run; same as {@code result().cancel(true)}.
     *
     * @return {@code true} if this call cancelled the run, {@code false} if it had completed
     */
    public boolean cancel() {
        return run.result.cancel(true);
    }

    /**
     * A snapshot of every stage, source first, sink last. Stages of pipelines created per
     * element ({@link Pipeline#concatMap}) are accounted for by the stage that created them.
     *
     * @return the metrics, one entry per stage
     */
    public List<StageMetrics> metrics() {
        List<Node> nodes = run.tracked();
        List<StageMetrics> result = new ArrayList<>(nodes.size());
        int index = 0;
        for (Node node : nodes) {
            result.add(new StageMetrics(index++ + ":" + node.name, node.in, node.out, node.failures,
                    java.time.Duration.ofNanos(node.busyNanos), node.depth()));
        }
        return List.copyOf(result);
    }

    @Override
    public String toString() {
        return "PipelineRun[" + (run.result.isDone() ? "done" : "running") + ", " + metrics() + "]";
    }
}
