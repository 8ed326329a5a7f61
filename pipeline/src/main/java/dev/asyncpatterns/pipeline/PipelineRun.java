package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.internal.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One execution of a {@link RunnablePipeline}, from {@link RunnablePipeline#start()}: its result
 * and its per-stage metrics.
 *
 * <p>Thread-safe.
 *
 * @param <R> the result type
 * @since 0.1.0
 */
public final class PipelineRun<R> {

    /**
     * A snapshot of a run (ADR core-0003): totals over its stages, and the stages themselves.
     * Approximate while the run goes (each stage's counters are read on their own), exact once it
     * has completed.
     *
     * @param name the run's name ({@link RunnablePipeline#name})
     * @param elementsIn elements the source emitted
     * @param elementsOut elements the sink consumed
     * @param failures element failures and drops over all stages
     * @param depth elements held in stages' buffers and calls in flight now
     * @param stages every stage, source first, sink last
     * @param done whether the run has completed (in any way)
     */
    public record Stats(
            String name,
            long elementsIn,
            long elementsOut,
            long failures,
            int depth,
            List<StageMetrics> stages,
            boolean done) {

        /**
         * Copies the list so the snapshot is immutable.
         *
         * @throws NullPointerException if {@code name} or {@code stages} is null
         */
        public Stats {
            java.util.Objects.requireNonNull(name, "name");
            stages = List.copyOf(stages);
        }
    }

    private final Run<R> run;
    private final String name;

    PipelineRun(Run<R> run, @Nullable String name) {
        this.run = run;
        this.name = name == null ? Checks.defaultName("pipeline", this) : name;
    }

    /**
     * The run's name, for logs and metrics.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * A snapshot of the run: totals and per-stage metrics. Allocates the record and the stage
     * list; takes no lock.
     *
     * @return the stats
     */
    public Stats stats() {
        boolean done = run.result.isDone();
        List<StageMetrics> stages = metrics();
        long failures = 0;
        int depth = 0;
        for (StageMetrics stage : stages) {
            failures += stage.failures();
            depth += stage.bufferDepth();
        }
        long in = stages.isEmpty() ? 0 : stages.getFirst().elementsOut();
        long out = stages.isEmpty() ? 0 : stages.getLast().elementsIn();
        return new Stats(name, in, out, failures, depth, stages, done);
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
            result.add(new StageMetrics(
                    index++ + ":" + node.name,
                    node.in,
                    node.out,
                    node.failures,
                    java.time.Duration.ofNanos(node.busyNanos),
                    node.depth()));
        }
        return List.copyOf(result);
    }

    @Override
    public String toString() {
        return "PipelineRun[" + name + ", " + (run.result.isDone() ? "done" : "running") + ", " + metrics() + "]";
    }
}
