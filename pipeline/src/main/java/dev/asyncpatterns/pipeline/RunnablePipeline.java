package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.time.TimeSource;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Pipeline} with its sink attached: an immutable, reusable description of a job.
 * Nothing runs until {@link #run()} or {@link #start()}; each call starts an independent run
 * with fresh stage state (sources that can be read only once, like {@link
 * Pipeline#fromIterator}, fail a second run).
 *
 * {@snippet class=dev.asyncpatterns.pipeline.snippets.PipelineSnippets region=rangeMapFilterCount}
 *
 * <p>Threading: a run starts on the {@link #executor(Executor) executor} (default: a new
 * virtual thread), never on the caller's thread, so {@code run()} returns at once. After that,
 * the stages and the sink are driven by whichever thread makes progress possible: the thread
 * completing an async call, a timer, a {@link java.util.concurrent.Flow.Subscription#request
 * request}. Stages of one run never execute concurrently with each other except across an
 * {@link Pipeline#async() async boundary}; user functions of one stage are never called
 * concurrently.
 *
 * <p>Memory effects: actions of a stage on an element happen-before the actions of the next
 * stage on its result; all actions of the run happen-before the completion of its future.
 *
 * @param <R> the result type
 * @since 0.1.0
 */
public final class RunnablePipeline<R> {

    private static final Executor VIRTUAL_THREADS = task -> Thread.ofVirtual()
            .name("pipeline-run")
            .inheritInheritableThreadLocals(false)
            .start(task);

    private final SinkSpec<R> sink;
    private final TimeSource timeSource;
    private final Executor executor;
    private final @Nullable String name;

    RunnablePipeline(SinkSpec<R> sink, TimeSource timeSource, Executor executor, @Nullable String name) {
        this.sink = sink;
        this.timeSource = timeSource;
        this.executor = executor;
        this.name = name;
    }

    /**
     * This job, with its runs named {@code name} in logs, {@code toString} and
     * {@link PipelineRun#stats()} (default {@code pipeline@<hash>}, a new one per run).
     *
     * @param name the name
     * @return a new job description
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank, longer than 200 characters or
     *     holds a control character
     */
    public RunnablePipeline<R> name(String name) {
        return new RunnablePipeline<>(sink, timeSource, executor, Checks.name(name));
    }

    /**
     * This job, using {@code timeSource} for every time-based stage ({@code batch} with
     * {@code maxWait}, {@code window}, {@code throttle}, {@code timeout}, {@code tick}, retry
     * backoff) and for the metrics' busy time. Default {@link TimeSource#system()}; tests pass the
     * testkit's virtual clock.
     *
     * @param timeSource the clock and timer
     * @return a new job description
     * @throws NullPointerException if {@code timeSource} is null
     */
    public RunnablePipeline<R> timeSource(TimeSource timeSource) {
        return new RunnablePipeline<>(sink, Objects.requireNonNull(timeSource, "timeSource"), executor, name);
    }

    /**
     * This job, starting its runs and the upstream sides of {@link Pipeline#async() async
     * boundaries} without their own executor on {@code executor}. Default: a new virtual thread
     * per task. {@code Runnable::run} starts the run on the calling thread (handy in tests).
     *
     * @param executor where runs start; a rejection fails the run
     * @return a new job description
     * @throws NullPointerException if {@code executor} is null
     */
    public RunnablePipeline<R> executor(Executor executor) {
        return new RunnablePipeline<>(sink, timeSource, Objects.requireNonNull(executor, "executor"), name);
    }

    /**
     * Starts a run and returns its result future; see {@link PipelineRun#result()} for what it
     * completes with and what cancelling it does. Never blocks.
     *
     * @return the result future
     */
    public CompletableFuture<R> run() {
        return start().result();
    }

    /**
     * Starts a run and returns a handle on it, for its result and its metrics. Never blocks.
     *
     * @return the running job
     */
    public PipelineRun<R> start() {
        Run<R> run = new Run<>(timeSource, executor);
        PipelineRun<R> handle = new PipelineRun<>(run, name);
        run.start(sink);
        return handle;
    }

    static <R> RunnablePipeline<R> of(SinkSpec<R> sink) {
        return new RunnablePipeline<>(sink, TimeSource.system(), VIRTUAL_THREADS, null);
    }
}
