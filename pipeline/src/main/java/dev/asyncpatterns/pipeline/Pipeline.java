package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.queue.Overflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collector;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * A Pipeline is only a Spec: a function that builds the running stages for one run. Every
 * method wraps the current Spec in a new one, so descriptions are immutable and can be run many
 * times. Runtime model (see ADR 0001): stages are pull-based; a chain of synchronous stages is a
 * chain of poll() calls driven by the sink's loop, with no future, queue or lock per element.
 * Async stages (mapAsync...) keep a bounded window of futures and signal the region's
 * serialized drain loop when one completes; boundaries (async/buffer) split the chain into
 * regions that run on different threads, joined by a bounded queue.
 */
/**
 * An immutable description of an asynchronous stream: a source, then stages, then (through a
 * sink method such as {@link #fold}, {@link #forEach} or {@link #toList}) a
 * {@link RunnablePipeline} whose {@link RunnablePipeline#run() run()} returns a
 * {@link CompletableFuture} of the result. Nothing runs until then, and every run is
 * independent. The asyncio equivalent is a chain of async generators, with backpressure,
 * bounded buffers, cancellation and error policies built in.
 *
 * {@snippet class=dev.asyncpatterns.pipeline.snippets.PipelineSnippets region=readCleanEnrichBatchStore}
 *
 * <p><b>Flow control.</b> Downstream pulls: an element is produced only when the next stage asks
 * for one, so a slow sink slows the source down and memory stays bounded by the stages' stated
 * buffers (see each method's Backpressure and Buffering paragraphs). Synchronous stages are fused
 * into one loop with no per-element future, queue or lock; only async stages and boundaries pay
 * for futures and queues.
 *
 * <p><b>Errors.</b> Fail fast by default: the run fails with the first error, every stage is
 * closed (upstream cancelled), later errors are attached as suppressed. {@link #map(Function,
 * OnError)} and the {@code mapAsync} methods take an {@link OnError} policy to skip (to a
 * dead-letter callback), recover or retry with a backoff instead. Elements are never
 * {@code null}: a {@code null} from a source or function is a {@link NullPointerException}.
 *
 * <p><b>Cancellation.</b> Cancelling the run's future stops the source promptly (it is not
 * pulled again), cancels calls in flight and timers, cancels subscriptions and closes iterators;
 * {@link #onClose} hooks run exactly once on every outcome.
 *
 * <p>Instances are immutable and thread-safe. Methods throw {@link NullPointerException} or
 * {@link IllegalArgumentException}, naming the parameter, at the call.
 *
 * @param <T> the element type
 * @since 0.1.0
 */
public final class Pipeline<T> {

    /** Capacity of {@link #async()} and prefetch of {@link #fromPublisher(Flow.Publisher)}. */
    public static final int DEFAULT_BUFFER = 256;

    /** How many distinct elements {@link #distinct()} remembers. */
    public static final int DEFAULT_DISTINCT_MEMORY = 10_000;

    /**
     * Upper bound for parallelism, buffer capacities, batch sizes and the memory of
     * {@link #distinct(int)}: larger values are almost certainly a mistake for "unbounded".
     */
    public static final int MAX_CAPACITY = 1 << 24;

    private final Spec<T> spec;

    private Pipeline(Spec<T> spec) {
        this.spec = spec;
    }

    Spec<T> spec() {
        return spec;
    }

    /**
     * One step of {@link #unfold}: the element to emit and the state for the next step.
     *
     * @param <S> the state type
     * @param <T> the element type
     * @param element the element to emit, not null
     * @param next the state passed to the next step
     */
    public record Step<S, T>(T element, S next) {
        /**
         * Validates the step.
         *
         * @throws NullPointerException if {@code element} is null
         */
        public Step {
            Objects.requireNonNull(element, "element");
        }
    }

    // ================================================================ sources

    /**
     * The given elements, in order. The array is copied.
     *
     * @param <T> the element type
     * @param elements the elements, none null
     * @return the pipeline
     * @throws NullPointerException if {@code elements} or one of them is null
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only copied
    public static <T> Pipeline<T> of(T... elements) {
        Objects.requireNonNull(elements, "elements");
        Object[] copy = elements.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == null) {
                throw new NullPointerException("elements[" + i + "] is null");
            }
        }
        return new Pipeline<>(ctx -> new ArraySource<>(ctx, copy));
    }

    /**
     * The elements of {@code iterable}, iterated afresh by each run (the iterator is obtained on
     * the first request and closed with the run if it is {@link AutoCloseable}).
     *
     * <p>Backpressure: one element per downstream request; a blocking iterator blocks the thread
     * driving the run. Buffering: none. Errors: an iterator exception or a {@code null} element
     * fails the run. Cancellation: the iterator is not advanced after the run stops.
     *
     * @param <T> the element type
     * @param iterable the elements
     * @return the pipeline
     * @throws NullPointerException if {@code iterable} is null
     */
    public static <T> Pipeline<T> from(Iterable<? extends T> iterable) {
        Objects.requireNonNull(iterable, "iterable");
        return new Pipeline<>(ctx -> new IteratorSource<T>(ctx, "from(iterable)", iterable::iterator, null));
    }

    /**
     * The remaining elements of {@code iterator}. An iterator can be consumed once: a second run
     * of this pipeline fails with {@link IllegalStateException}. Flow control as for
     * {@link #from(Iterable)}.
     *
     * @param <T> the element type
     * @param iterator the elements
     * @return the pipeline
     * @throws NullPointerException if {@code iterator} is null
     */
    public static <T> Pipeline<T> fromIterator(Iterator<? extends T> iterator) {
        Objects.requireNonNull(iterator, "iterator");
        AtomicBoolean used = new AtomicBoolean();
        return new Pipeline<>(ctx -> new IteratorSource<T>(
                ctx,
                "fromIterator",
                () -> {
                    if (used.getAndSet(true)) {
                        throw new IllegalStateException(
                                "fromIterator: the iterator was already consumed by an earlier run");
                    }
                    return iterator;
                },
                null));
    }

    /**
     * The elements of {@code stream}, consumed once (a second run fails with
     * {@link IllegalStateException}) and {@linkplain Stream#close() closed} when the run ends,
     * on every outcome. Flow control as for {@link #from(Iterable)}.
     *
     * @param <T> the element type
     * @param stream the elements
     * @return the pipeline
     * @throws NullPointerException if {@code stream} is null
     */
    public static <T> Pipeline<T> fromStream(Stream<? extends T> stream) {
        Objects.requireNonNull(stream, "stream");
        AtomicBoolean used = new AtomicBoolean();
        return new Pipeline<>(ctx -> new IteratorSource<T>(
                ctx,
                "fromStream",
                () -> {
                    if (used.getAndSet(true)) {
                        throw new IllegalStateException(
                                "fromStream: the stream was already consumed by an earlier run");
                    }
                    return stream.iterator();
                },
                stream));
    }

    /**
     * The numbers {@code startInclusive, startInclusive + 1, ..., endExclusive - 1}; empty if
     * {@code endExclusive <= startInclusive}.
     *
     * @param startInclusive the first number
     * @param endExclusive one past the last number
     * @return the pipeline
     */
    public static Pipeline<Long> range(long startInclusive, long endExclusive) {
        return new Pipeline<>(ctx -> new RangeSource(ctx, startInclusive, endExclusive));
    }

    /**
     * The elements of a {@link Flow.Publisher}, subscribed to once per run, prefetching
     * {@link #DEFAULT_BUFFER}.
     *
     * @param <T> the element type
     * @param publisher the publisher
     * @return the pipeline
     * @throws NullPointerException if {@code publisher} is null
     * @see #fromPublisher(Flow.Publisher, int)
     */
    public static <T> Pipeline<T> fromPublisher(Flow.Publisher<? extends T> publisher) {
        return fromPublisher(publisher, DEFAULT_BUFFER);
    }

    /**
     * The elements of a {@link Flow.Publisher}, subscribed to once per run when the first element
     * is needed, following the Reactive Streams rules.
     *
     * <p>Backpressure: requests {@code prefetch} elements, then three quarters of that again each
     * time as many have been consumed; never more than it can hold. Buffering: at most
     * {@code prefetch} elements. Errors: {@code onError} fails the run after the elements that
     * preceded it. Cancellation: the subscription is cancelled when the run stops.
     *
     * @param <T> the element type
     * @param publisher the publisher
     * @param prefetch how many elements to request ahead, 1 to {@link #MAX_CAPACITY}
     * @return the pipeline
     * @throws NullPointerException if {@code publisher} is null
     * @throws IllegalArgumentException if {@code prefetch} is out of range
     */
    public static <T> Pipeline<T> fromPublisher(Flow.Publisher<? extends T> publisher, int prefetch) {
        Objects.requireNonNull(publisher, "publisher");
        capacity(prefetch, "prefetch");
        return new Pipeline<>(ctx -> new PublisherSource<T>(ctx, publisher, prefetch));
    }

    /**
     * The items of an {@link AsyncQueue}, taken until it is closed and drained, like a consumer
     * loop over asyncio's {@code Queue}. Several runs (or other consumers) taking from the same
     * queue share its items.
     *
     * <p>Backpressure: an item is taken only when downstream asks for one, so the queue's
     * producers wait in {@code put} while the pipeline is busy. Buffering: none (the queue is the
     * buffer). Errors: a queue closed with {@code closeExceptionally} fails the run with the
     * queue's {@link dev.asyncpatterns.core.ClosedException}, carrying the cause; a plain
     * {@code close()} ends the stream after the remaining items. Cancellation: the outstanding
     * {@code take} is cancelled, so no item is consumed for it (an item already handed over at
     * that instant is dropped). Does not call {@code taskDone()}; call it from the sink if you use
     * the queue's {@code join()}.
     *
     * @param <T> the element type
     * @param queue the queue to consume
     * @return the pipeline
     * @throws NullPointerException if {@code queue} is null
     */
    public static <T> Pipeline<T> fromQueue(AsyncQueue<? extends T> queue) {
        Objects.requireNonNull(queue, "queue");
        return new Pipeline<>(ctx -> new QueueSource<T>(ctx, queue));
    }

    /**
     * An async generator, like paging through an API until a page comes back empty: each run
     * calls {@code step} with {@code seed}, emits the returned element and calls {@code step}
     * again with the returned state, until a step completes with {@link Optional#empty()}.
     *
     * {@snippet class=dev.asyncpatterns.pipeline.snippets.PipelineSnippets region=unfoldPages}
     *
     * <p>Backpressure: one step at a time, started only when downstream wants an element.
     * Buffering: one element. Errors: a throwing step, a {@code null} or failed future fails the
     * run. Cancellation: the step in flight is cancelled.
     *
     * @param <S> the state type
     * @param <T> the element type
     * @param seed the first state (may be null)
     * @param step computes the next element and state, or empty at the end
     * @return the pipeline
     * @throws NullPointerException if {@code step} is null
     */
    public static <S, T> Pipeline<T> unfold(
            S seed, Function<? super S, ? extends CompletionStage<Optional<Step<S, T>>>> step) {
        Objects.requireNonNull(step, "step");
        return new Pipeline<>(ctx -> new UnfoldSource<>(ctx, seed, step));
    }

    /**
     * Ticks {@code 0, 1, 2, ...} every {@code period} on the run's time source, the first after
     * one period; endless (end it with {@link #take} or {@link #takeWhile}, or cancel the run).
     *
     * <p>Backpressure: time cannot wait: ticks that fall due while downstream is busy are dropped
     * (counted in the metrics), and the next element is the newest tick's number, so numbers
     * may jump. Buffering: one tick. Errors: none. Cancellation: the timer is cancelled.
     *
     * @param period the time between ticks, positive
     * @return the pipeline
     * @throws NullPointerException if {@code period} is null
     * @throws IllegalArgumentException if {@code period} is zero or negative
     */
    public static Pipeline<Long> tick(Duration period) {
        Durations.requirePositive(period, "period");
        return new Pipeline<>(ctx -> new TickSource(ctx, period));
    }

    /**
     * The elements of each pipeline in turn: the next starts when the previous has ended.
     *
     * <p>Backpressure: one part at a time. Buffering: none of its own. Errors: the first failing
     * part fails the run. Cancellation: every part is closed.
     *
     * @param <T> the element type
     * @param pipelines the parts
     * @return the pipeline
     * @throws NullPointerException if {@code pipelines} or one of them is null
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read
    public static <T> Pipeline<T> concat(Pipeline<? extends T>... pipelines) {
        List<Spec<? extends T>> parts = specs(pipelines, "pipelines");
        return new Pipeline<>(ctx -> new ConcatSource<T>(ctx, build(parts, ctx)));
    }

    /**
     * The elements of all pipelines as they become available. Parts containing async stages
     * progress concurrently; synchronous parts are interleaved round-robin.
     *
     * <p>Backpressure: each part is asked for one element at a time, round-robin, so none runs
     * ahead. Buffering: none of its own. Errors: the first failing part fails the run.
     * Cancellation: every part is closed.
     *
     * @param <T> the element type
     * @param pipelines the parts
     * @return the pipeline
     * @throws NullPointerException if {@code pipelines} or one of them is null
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read
    public static <T> Pipeline<T> merge(Pipeline<? extends T>... pipelines) {
        List<Spec<? extends T>> parts = specs(pipelines, "pipelines");
        return new Pipeline<>(ctx -> new MergeSource<T>(ctx, build(parts, ctx)));
    }

    /**
     * No elements.
     *
     * @param <T> the element type
     * @return the empty pipeline
     */
    public static <T> Pipeline<T> empty() {
        return new Pipeline<>(ctx -> new ArraySource<>(ctx, new Object[0]));
    }

    /**
     * A pipeline that fails every run, when its first element is requested, with a new error
     * from {@code error}.
     *
     * @param <T> the element type
     * @param error supplies the failure
     * @return the pipeline
     * @throws NullPointerException if {@code error} is null
     */
    public static <T> Pipeline<T> failed(Supplier<? extends Throwable> error) {
        Objects.requireNonNull(error, "error");
        return new Pipeline<>(ctx -> new FailedSource<>(ctx, error));
    }

    // ================================================================ element stages

    /**
     * Transforms each element; fused into the run's loop (no per-element future).
     *
     * <p>Backpressure: one for one. Buffering: none. Errors: a throwing function or a
     * {@code null} result fails the run. Cancellation: nothing is held.
     *
     * @param <R> the result type
     * @param fn the transformation
     * @return the pipeline
     * @throws NullPointerException if {@code fn} is null
     */
    public <R> Pipeline<R> map(Function<? super T, ? extends R> fn) {
        return map(fn, OnError.failFast());
    }

    /**
     * Transforms each element, handling failures of {@code fn} per {@code onError}.
     *
     * <p>Backpressure: one for one. Buffering: none; with a retry policy, the element waiting
     * for its retry (the stage then runs as {@code mapAsync(1, ...)}, so later elements wait).
     * Errors: per {@code onError}. Cancellation: a pending retry timer is cancelled.
     *
     * @param <R> the result type
     * @param fn the transformation
     * @param onError what to do when {@code fn} fails for an element
     * @return the pipeline
     * @throws NullPointerException if an argument is null
     */
    public <R> Pipeline<R> map(Function<? super T, ? extends R> fn, OnError<? super T, R> onError) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(onError, "onError");
        if (onError.retries()) {
            Function<? super T, CompletionStage<R>> async = element -> {
                R value = fn.apply(element);
                return CompletableFuture.completedFuture(value);
            };
            return then(up -> ctx -> new MapAsyncStage<>(ctx, "map", up.build(ctx), 1, async, onError));
        }
        return then(up -> ctx -> new MapStage<>(ctx, up.build(ctx), fn, onError));
    }

    /**
     * Keeps the elements matching {@code predicate}; fused into the run's loop.
     *
     * <p>Backpressure: pulls until an element passes. Buffering: none. Errors: a throwing
     * predicate fails the run. Cancellation: nothing is held.
     *
     * @param predicate the condition to keep an element
     * @return the pipeline
     * @throws NullPointerException if {@code predicate} is null
     */
    public Pipeline<T> filter(Predicate<? super T> predicate) {
        Objects.requireNonNull(predicate, "predicate");
        return then(up -> ctx -> new FilterStage<>(ctx, up.build(ctx), predicate));
    }

    /**
     * Replaces each element with the elements of an {@link Iterable}, in order.
     *
     * <p>Backpressure: the inner iterator advances one element per downstream request.
     * Buffering: one inner iterator. Errors: a throwing function or iterator, a {@code null}
     * iterable or element, fails the run. Cancellation: the inner iterator is dropped (closed if
     * {@link AutoCloseable}).
     *
     * @param <R> the result element type
     * @param fn maps an element to its replacements
     * @return the pipeline
     * @throws NullPointerException if {@code fn} is null
     */
    public <R> Pipeline<R> flatMap(Function<? super T, ? extends Iterable<? extends R>> fn) {
        Objects.requireNonNull(fn, "fn");
        return then(up -> ctx -> new FlatMapStage<>(ctx, up.build(ctx), fn));
    }

    /**
     * Replaces each element with the elements of a pipeline, run one after another (the next
     * inner pipeline starts when the previous ended).
     *
     * <p>Backpressure: the inner pipeline is pulled one element per downstream request.
     * Buffering: what the inner pipeline's stages hold. Errors: a throwing function, a
     * {@code null} or failing inner pipeline fails the run. Cancellation: the inner pipeline is
     * closed, its onClose hooks run, when it ends or the run stops.
     *
     * @param <R> the result element type
     * @param fn maps an element to a pipeline
     * @return the pipeline
     * @throws NullPointerException if {@code fn} is null
     */
    public <R> Pipeline<R> concatMap(Function<? super T, ? extends Pipeline<? extends R>> fn) {
        Objects.requireNonNull(fn, "fn");
        return then(up -> ctx -> new ConcatMapStage<>(ctx, up.build(ctx), fn));
    }

    /**
     * Calls an async function on up to {@code parallelism} elements at once and emits the
     * results in input order, like asyncio's bounded {@code gather} over a stream.
     *
     * <p>To bound each call, wrap it with {@code Futures.withTimeout}, which cancels the call on
     * timeout; combined with {@link OnError#retry} a slow call is retried:
     *
     * {@snippet class=dev.asyncpatterns.pipeline.snippets.PipelineSnippets region=mapAsyncTimeoutRetry}
     *
     * <p>Backpressure: a new element is pulled only when fewer than {@code parallelism} are held.
     * Buffering: at most {@code parallelism} elements, in flight or finished and waiting for an
     * earlier one (a slow element holds back later finished ones). Errors: a throwing function, a
     * {@code null} or failed future, a {@code null} result fails the run, in input order.
     * Cancellation: calls in flight are cancelled ({@code cancel(true)} on their futures).
     *
     * @param <R> the result type
     * @param parallelism the most elements held at once, 1 to {@link #MAX_CAPACITY}
     * @param fn starts the async call for an element
     * @return the pipeline
     * @throws NullPointerException if {@code fn} is null
     * @throws IllegalArgumentException if {@code parallelism} is out of range
     */
    public <R> Pipeline<R> mapAsync(int parallelism, Function<? super T, ? extends CompletionStage<? extends R>> fn) {
        return mapAsync(parallelism, fn, OnError.failFast());
    }

    /**
     * Like {@link #mapAsync(int, Function)}, handling failed calls per {@code onError}. A retried
     * element keeps its place in the output order and its slot while it waits.
     *
     * <p>Backpressure, Buffering: as {@link #mapAsync(int, Function)}. Errors: per
     * {@code onError}. Cancellation: calls in flight and retry timers are cancelled.
     *
     * @param <R> the result type
     * @param parallelism the most elements held at once, 1 to {@link #MAX_CAPACITY}
     * @param fn starts the async call for an element
     * @param onError what to do when a call fails
     * @return the pipeline
     * @throws NullPointerException if {@code fn} or {@code onError} is null
     * @throws IllegalArgumentException if {@code parallelism} is out of range
     */
    public <R> Pipeline<R> mapAsync(
            int parallelism,
            Function<? super T, ? extends CompletionStage<? extends R>> fn,
            OnError<? super T, R> onError) {
        capacity(parallelism, "parallelism");
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(onError, "onError");
        return then(up -> ctx ->
                new MapAsyncStage<>(ctx, "mapAsync(" + parallelism + ")", up.build(ctx), parallelism, fn, onError));
    }

    /**
     * Calls an async function on up to {@code parallelism} elements at once and emits results as
     * they complete.
     *
     * <p>Backpressure: a new element is pulled only when fewer than {@code parallelism} are held.
     * Buffering: at most {@code parallelism} elements. Errors: as {@link #mapAsync(int,
     * Function)}, in completion order. Cancellation: calls in flight are cancelled.
     *
     * @param <R> the result type
     * @param parallelism the most elements held at once, 1 to {@link #MAX_CAPACITY}
     * @param fn starts the async call for an element
     * @return the pipeline
     * @throws NullPointerException if {@code fn} is null
     * @throws IllegalArgumentException if {@code parallelism} is out of range
     */
    public <R> Pipeline<R> mapAsyncUnordered(
            int parallelism, Function<? super T, ? extends CompletionStage<? extends R>> fn) {
        return mapAsyncUnordered(parallelism, fn, OnError.failFast());
    }

    /**
     * Like {@link #mapAsyncUnordered(int, Function)}, handling failed calls per {@code onError}.
     *
     * <p>Backpressure, Buffering: as {@link #mapAsyncUnordered(int, Function)}. Errors: per
     * {@code onError}. Cancellation: calls in flight and retry timers are cancelled.
     *
     * @param <R> the result type
     * @param parallelism the most elements held at once, 1 to {@link #MAX_CAPACITY}
     * @param fn starts the async call for an element
     * @param onError what to do when a call fails
     * @return the pipeline
     * @throws NullPointerException if {@code fn} or {@code onError} is null
     * @throws IllegalArgumentException if {@code parallelism} is out of range
     */
    public <R> Pipeline<R> mapAsyncUnordered(
            int parallelism,
            Function<? super T, ? extends CompletionStage<? extends R>> fn,
            OnError<? super T, R> onError) {
        capacity(parallelism, "parallelism");
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(onError, "onError");
        return then(up -> ctx -> new MapAsyncUnorderedStage<>(ctx, up.build(ctx), parallelism, fn, onError));
    }

    /**
     * The first {@code n} elements (like {@code Stream.limit}); then the source is closed at
     * once.
     *
     * <p>Backpressure: never pulls more than {@code n}. Buffering: none. Errors: pass through.
     * Cancellation: upstream is closed as soon as the {@code n}th element passed.
     *
     * @param n how many elements to keep, zero or more
     * @return the pipeline
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public Pipeline<T> take(long n) {
        Checks.nonNegative(n, "n");
        return then(up -> ctx -> new TakeStage<>(ctx, up.build(ctx), n));
    }

    /**
     * The elements before the first one that fails {@code predicate}; then the source is closed.
     *
     * <p>Backpressure: one for one. Buffering: none. Errors: a throwing predicate fails the run.
     * Cancellation: upstream is closed when the predicate first fails.
     *
     * @param predicate the condition to keep going
     * @return the pipeline
     * @throws NullPointerException if {@code predicate} is null
     */
    public Pipeline<T> takeWhile(Predicate<? super T> predicate) {
        Objects.requireNonNull(predicate, "predicate");
        return then(up -> ctx -> new TakeWhileStage<>(ctx, up.build(ctx), predicate));
    }

    /**
     * Drops the first {@code n} elements.
     *
     * <p>Backpressure: pulls and discards them as fast as upstream provides. Buffering: none.
     * Errors: pass through. Cancellation: nothing is held.
     *
     * @param n how many elements to drop, zero or more
     * @return the pipeline
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public Pipeline<T> skip(long n) {
        Checks.nonNegative(n, "n");
        return then(up -> ctx -> new SkipStage<>(ctx, up.build(ctx), n));
    }

    /**
     * Drops elements equal to one of the last {@link #DEFAULT_DISTINCT_MEMORY} distinct
     * elements seen; see {@link #distinct(int)}.
     *
     * @return the pipeline
     */
    public Pipeline<T> distinct() {
        return distinct(DEFAULT_DISTINCT_MEMORY);
    }

    /**
     * Drops elements equal ({@code equals}/{@code hashCode}) to one seen recently. Bounded: it
     * remembers at most {@code maxRemembered} distinct elements, evicting the least recently
     * seen, so a duplicate further back than that passes again; an exact answer over an endless
     * stream would need unbounded memory.
     *
     * <p>Backpressure: keeps pulling past duplicates. Buffering: the memory of up to
     * {@code maxRemembered} elements. Errors: pass through. Cancellation: the memory is dropped.
     *
     * @param maxRemembered how many distinct elements to remember, 1 to {@link #MAX_CAPACITY}
     * @return the pipeline
     * @throws IllegalArgumentException if {@code maxRemembered} is out of range
     */
    public Pipeline<T> distinct(int maxRemembered) {
        capacity(maxRemembered, "maxRemembered");
        return then(up -> ctx -> new DistinctStage<>(ctx, up.build(ctx), maxRemembered));
    }

    /**
     * Emits the running accumulation after each element ({@code fn(seed, e1)},
     * {@code fn(fn(seed, e1), e2)}, ...); the seed itself is not emitted.
     *
     * <p>Backpressure: one for one. Buffering: the accumulator. Errors: a throwing function or
     * {@code null} result fails the run. Cancellation: nothing else is held.
     *
     * @param <A> the accumulation type
     * @param seed the initial accumulation, not null
     * @param fn combines the accumulation with the next element
     * @return the pipeline
     * @throws NullPointerException if an argument is null
     */
    public <A> Pipeline<A> scan(A seed, BiFunction<? super A, ? super T, ? extends A> fn) {
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(fn, "fn");
        return then(up -> ctx -> new ScanStage<>(ctx, up.build(ctx), seed, fn));
    }

    /**
     * Runs {@code action} on each element as it passes.
     *
     * <p>Backpressure: one for one. Buffering: none. Errors: a throwing action fails the run.
     * Cancellation: nothing is held.
     *
     * @param action the side effect
     * @return the pipeline
     * @throws NullPointerException if {@code action} is null
     */
    public Pipeline<T> peek(Consumer<? super T> action) {
        Objects.requireNonNull(action, "action");
        return then(up -> ctx -> new PeekStage<>(ctx, up.build(ctx), action));
    }

    /**
     * Groups elements into unmodifiable lists of {@code size}; the last may be shorter.
     *
     * <p>Backpressure: pulls until the batch is full, then waits for downstream to take it.
     * Buffering: one batch. Errors: pass through (the partial batch is dropped). Cancellation:
     * the partial batch is dropped.
     *
     * @param size elements per batch, 1 to {@link #MAX_CAPACITY}
     * @return the pipeline
     * @throws IllegalArgumentException if {@code size} is out of range
     */
    public Pipeline<List<T>> batch(int size) {
        capacity(size, "size");
        return then(up -> ctx -> new BatchStage<>(ctx, up.build(ctx), size, null));
    }

    /**
     * Groups elements into lists of {@code size}, also emitting a partial batch once its oldest
     * element has waited {@code maxWait} (on the run's time source).
     *
     * <p>Backpressure: pulls until the batch is full or due, then waits for downstream to take
     * it. Buffering: one batch. Errors: pass through. Cancellation: the partial batch and its
     * timer are dropped.
     *
     * @param size elements per batch, 1 to {@link #MAX_CAPACITY}
     * @param maxWait the longest an element waits in a partial batch, positive
     * @return the pipeline
     * @throws NullPointerException if {@code maxWait} is null
     * @throws IllegalArgumentException if {@code size} or {@code maxWait} is out of range
     */
    public Pipeline<List<T>> batch(int size, Duration maxWait) {
        capacity(size, "size");
        Durations.requirePositive(maxWait, "maxWait");
        return then(up -> ctx -> new BatchStage<>(ctx, up.build(ctx), size, maxWait));
    }

    /**
     * Tumbling time windows: the elements arriving in each consecutive {@code length} (on the
     * run's time source, starting when the stage first asks for an element) are reduced with
     * {@code collector} and its result emitted when the window closes. Windows without elements
     * emit nothing; the end of the input emits the last, partial window.
     *
     * {@snippet class=dev.asyncpatterns.pipeline.snippets.PipelineSnippets region=windowCountPerSecond}
     *
     * <p>Backpressure: pulls freely while a window is open; a closed window waits for downstream
     * and nothing is pulled meanwhile. Buffering: one accumulation container. Errors: a failing
     * collector function fails the run. Cancellation: the open window and its timer are dropped.
     *
     * @param <R> the window result type
     * @param length the window length, positive
     * @param collector reduces one window's elements
     * @return the pipeline
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code length} is zero or negative
     */
    public <R> Pipeline<R> window(Duration length, Collector<? super T, ?, R> collector) {
        Durations.requirePositive(length, "length");
        Objects.requireNonNull(collector, "collector");
        return then(up -> ctx -> windowStage(ctx, up.build(ctx), length, collector));
    }

    private static <T, A, R> WindowStage<T, A, R> windowStage(
            Ctx ctx, Stage<T> up, Duration length, Collector<? super T, A, R> collector) {
        return new WindowStage<>(ctx, up, length, collector);
    }

    /**
     * At most {@code elements} per {@code period} (on the run's time source), evenly spaced, with
     * bursts of up to {@code elements} after a quiet time.
     *
     * <p>Backpressure: nothing is pulled until the rate allows, so the source is slowed, not
     * buffered. Buffering: none. Errors: pass through. Cancellation: the wake-up timer is
     * cancelled.
     *
     * @param elements how many elements per period, positive
     * @param period the period, positive
     * @return the pipeline
     * @throws NullPointerException if {@code period} is null
     * @throws IllegalArgumentException if {@code elements} or {@code period} is out of range
     */
    public Pipeline<T> throttle(int elements, Duration period) {
        Checks.positive(elements, "elements");
        Durations.requirePositive(period, "period");
        if (Durations.toNanosSaturated(period) == Long.MAX_VALUE) {
            throw new IllegalArgumentException("period must be shorter than 292 years, was " + period);
        }
        return then(up -> ctx -> new ThrottleStage<>(ctx, up.build(ctx), elements, period));
    }

    /**
     * An async boundary with a bounded buffer and an explicit overflow policy: the stages before
     * it run on their own (virtual) thread, concurrently with the stages after it.
     *
     * <p>Backpressure: with {@link Overflow#BACKPRESSURE} upstream pauses while the buffer is
     * full; with the other policies upstream never waits. Buffering: at most {@code capacity}
     * elements. Errors: an upstream failure reaches downstream after the elements queued before
     * it; {@link Overflow#FAIL} fails the run on overflow; dropped elements count as failures in
     * the metrics. Cancellation: upstream stops and is closed on its own thread; queued elements
     * are discarded.
     *
     * @param capacity the buffer size, 1 to {@link #MAX_CAPACITY}
     * @param overflow what happens when upstream produces into a full buffer
     * @return the pipeline
     * @throws NullPointerException if {@code overflow} is null
     * @throws IllegalArgumentException if {@code capacity} is out of range
     */
    public Pipeline<T> buffer(int capacity, Overflow overflow) {
        capacity(capacity, "capacity");
        Objects.requireNonNull(overflow, "overflow");
        return boundary("buffer(" + capacity + ", " + overflow + ")", capacity, overflow, null);
    }

    /**
     * An async boundary: the stages before it run on their own virtual thread, concurrently with
     * the stages after it, with a buffer of {@link #DEFAULT_BUFFER} elements and backpressure.
     *
     * @return the pipeline
     * @see #async(int, Executor)
     */
    public Pipeline<T> async() {
        return boundary("async(" + DEFAULT_BUFFER + ")", DEFAULT_BUFFER, Overflow.BACKPRESSURE, null);
    }

    /**
     * An async boundary whose upstream stages run on {@code executor}, concurrently with the
     * stages after it.
     *
     * <p>Backpressure: upstream pauses while {@code capacity} elements wait, and resumes when
     * half have been taken. Buffering: at most {@code capacity} elements. Errors: an upstream
     * failure reaches downstream after the elements queued before it; a rejection by
     * {@code executor} fails the run. Cancellation: upstream stops and is closed on
     * {@code executor}; queued elements are discarded.
     *
     * @param capacity the buffer size, 1 to {@link #MAX_CAPACITY}
     * @param executor runs the upstream stages (short tasks that never block unless a stage does)
     * @return the pipeline
     * @throws NullPointerException if {@code executor} is null
     * @throws IllegalArgumentException if {@code capacity} is out of range
     */
    public Pipeline<T> async(int capacity, Executor executor) {
        capacity(capacity, "capacity");
        Objects.requireNonNull(executor, "executor");
        return boundary("async(" + capacity + ")", capacity, Overflow.BACKPRESSURE, executor);
    }

    private Pipeline<T> boundary(String name, int capacity, Overflow overflow, @Nullable Executor executor) {
        Spec<T> upstream = spec;
        return new Pipeline<>(ctx -> BoundaryStage.build(ctx, name, upstream, capacity, overflow, executor));
    }

    /**
     * Fails the run with a {@link java.util.concurrent.TimeoutException} when upstream takes
     * longer than {@code limit} (on the run's time source) to deliver an element once one has been
     * asked for. Time while downstream is busy does not count. (To bound each call of an async
     * stage instead, see {@link #mapAsync(int, Function)}.)
     *
     * <p>Backpressure: pass-through. Buffering: none. Errors: the timeout fails the run; upstream
     * is cancelled. Cancellation: the timer is cancelled.
     *
     * @param limit the longest wait per element, positive
     * @return the pipeline
     * @throws NullPointerException if {@code limit} is null
     * @throws IllegalArgumentException if {@code limit} is zero or negative
     */
    public Pipeline<T> timeout(Duration limit) {
        Durations.requirePositive(limit, "limit");
        return then(up -> ctx -> new TimeoutStage<>(ctx, up.build(ctx), limit));
    }

    /**
     * Pairs the i-th element of this pipeline with the i-th of {@code other}; ends when either
     * ends.
     *
     * <p>Backpressure: at most one element ahead from each side; both sides are asked at once.
     * Buffering: one element per side. Errors: either side failing, or the combiner throwing or
     * returning {@code null}, fails the run. Cancellation: both sides are closed.
     *
     * @param <U> the other element type
     * @param <R> the combined type
     * @param other the other pipeline
     * @param combiner combines a pair
     * @return the pipeline
     * @throws NullPointerException if an argument is null
     */
    public <U, R> Pipeline<R> zip(Pipeline<? extends U> other, BiFunction<? super T, ? super U, ? extends R> combiner) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(combiner, "combiner");
        Spec<T> left = spec;
        Spec<? extends U> right = other.spec;
        return new Pipeline<>(ctx -> zipStage(ctx, left.build(ctx), right.build(ctx), combiner));
    }

    private static <A, B, R> ZipStage<A, B, R> zipStage(
            Ctx ctx, Stage<A> left, Stage<B> right, BiFunction<? super A, ? super B, ? extends R> combiner) {
        return new ZipStage<>(ctx, left, right, combiner);
    }

    /**
     * Runs {@code hook} exactly once per run when this part of the pipeline is closed: after its
     * upstream stages were closed, on every outcome (end, failure, cancellation, an early end
     * by {@link #take}), and before the run's future completes (a caller's cancel completes it
     * at once; the hook follows promptly). Inside {@link #concatMap} it runs when the inner
     * pipeline ends.
     *
     * <p>Errors: a throwing hook fails a run that otherwise succeeded and is attached as
     * suppressed to one that failed.
     *
     * @param hook the action
     * @return the pipeline
     * @throws NullPointerException if {@code hook} is null
     */
    public Pipeline<T> onClose(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        return then(up -> ctx -> new OnCloseStage<>(ctx, up.build(ctx), hook));
    }

    // ================================================================ sinks

    /**
     * Runs {@code action} on every element; the result is {@code null} when all were consumed.
     *
     * <p>Backpressure: the next element is pulled when the action returns. Errors: a throwing
     * action fails the run. Cancellation: the run's stop flag is read before each element.
     *
     * @param action the action
     * @return the job
     * @throws NullPointerException if {@code action} is null
     */
    public RunnablePipeline<Void> forEach(Consumer<? super T> action) {
        Objects.requireNonNull(action, "action");
        Spec<T> upstream = spec;
        return RunnablePipeline.of(ctx -> new ForEachSink<>(ctx, upstream.build(ctx), action));
    }

    /**
     * Runs an async action on every element, one at a time: the next element is pulled when the
     * previous action's future completes.
     *
     * <p>Backpressure: one element in the action at a time. Errors: a throwing action, a
     * {@code null} or failed future fails the run. Cancellation: the action's future in flight
     * is cancelled.
     *
     * @param action starts the action for an element
     * @return the job
     * @throws NullPointerException if {@code action} is null
     */
    public RunnablePipeline<Void> forEachAsync(Function<? super T, ? extends CompletionStage<?>> action) {
        Objects.requireNonNull(action, "action");
        Spec<T> upstream = spec;
        return RunnablePipeline.of(ctx -> new ForEachAsyncSink<>(ctx, "forEachAsync", upstream.build(ctx), action));
    }

    /**
     * Groups elements into lists of {@code size} (the last possibly shorter) and runs an async
     * action on each batch, one batch at a time, like {@code batch(size).forEachAsync(action)}.
     *
     * @param size elements per batch, 1 to {@link #MAX_CAPACITY}
     * @param action starts the action for a batch
     * @return the job
     * @throws NullPointerException if {@code action} is null
     * @throws IllegalArgumentException if {@code size} is out of range
     */
    public RunnablePipeline<Void> forEachBatch(
            int size, Function<? super List<T>, ? extends CompletionStage<?>> action) {
        capacity(size, "size");
        Objects.requireNonNull(action, "action");
        Spec<T> upstream = spec;
        return RunnablePipeline.of(ctx -> new ForEachAsyncSink<>(
                ctx, "forEachBatch(" + size + ")", new BatchStage<>(ctx, upstream.build(ctx), size, null), action));
    }

    /**
     * Collects the elements into an unmodifiable list, failing instead of growing past
     * {@code limit}: a pipeline producing more fails with an {@link IllegalStateException}
     * naming the limit, and its upstream is cancelled rather than drained.
     *
     * @param limit the most elements expected, 0 to {@code Integer.MAX_VALUE - 8}
     * @return the job
     * @throws IllegalArgumentException if {@code limit} is out of range
     */
    public RunnablePipeline<List<T>> toList(int limit) {
        Checks.nonNegative(limit, "limit");
        if (limit > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("limit must be at most " + (Integer.MAX_VALUE - 8) + ", was " + limit);
        }
        Spec<T> upstream = spec;
        return RunnablePipeline.of(ctx -> new ToListSink<>(ctx, upstream.build(ctx), limit));
    }

    /**
     * Folds the elements into one value: {@code fn(...fn(fn(seed, e1), e2)..., en)}; fused with
     * the synchronous stages before it into one loop.
     *
     * @param <R> the result type
     * @param seed the initial value, not null
     * @param fn combines the accumulation with the next element; must not return null
     * @return the job
     * @throws NullPointerException if an argument is null
     */
    public <R> RunnablePipeline<R> fold(R seed, BiFunction<R, ? super T, R> fn) {
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(fn, "fn");
        Spec<T> upstream = spec;
        return RunnablePipeline.of(ctx -> new FoldSink<>(ctx, upstream.build(ctx), seed, fn));
    }

    /**
     * Combines the elements with {@code op}; empty if there were none.
     *
     * @param op combines two elements; must not return null
     * @return the job
     * @throws NullPointerException if {@code op} is null
     */
    public RunnablePipeline<Optional<T>> reduce(BinaryOperator<T> op) {
        Objects.requireNonNull(op, "op");
        Spec<T> upstream = spec;
        return RunnablePipeline.of(ctx -> new ReduceSink<>(ctx, upstream.build(ctx), op));
    }

    /**
     * Counts the elements.
     *
     * @return the job
     */
    public RunnablePipeline<Long> count() {
        Spec<T> upstream = spec;
        return RunnablePipeline.of(ctx -> new CountSink<>(ctx, upstream.build(ctx)));
    }

    /**
     * Puts every element into {@code queue}, waiting while it is full: the queue's capacity
     * backpressures the pipeline. The queue is not closed at the end; to let its consumers finish,
     * close it when the run completes:
     *
     * {@snippet class=dev.asyncpatterns.pipeline.snippets.PipelineSnippets region=intoQueueThenClose}
     *
     * <p>Backpressure: one {@code put} at a time; the next element is pulled when it completed.
     * Errors: a closed queue fails the run with its {@link dev.asyncpatterns.core.ClosedException}.
     * Cancellation: a waiting {@code put} is cancelled, so its element is not enqueued.
     *
     * @param queue the destination
     * @return the job
     * @throws NullPointerException if {@code queue} is null
     */
    public RunnablePipeline<Void> intoQueue(AsyncQueue<? super T> queue) {
        Objects.requireNonNull(queue, "queue");
        Spec<T> upstream = spec;
        return RunnablePipeline.of(ctx -> new ForEachAsyncSink<T>(ctx, "intoQueue", upstream.build(ctx), queue::put));
    }

    /**
     * Sends the elements to a {@link Flow.Subscriber}, following the Reactive Streams rules: it
     * gets {@code onSubscribe} when the run starts, exactly the elements it requests, then
     * {@code onComplete} or {@code onError}. The run's result is {@code null} once the subscriber
     * completed or cancelled; it fails like the stream does.
     *
     * <p>Backpressure: pulls exactly what the subscriber requested. Errors: a failing stage is
     * signalled with {@code onError}; a subscriber method that throws is treated as a cancel and
     * fails the run. Cancellation: the subscriber's {@code cancel} stops the run; cancelling the
     * run signals {@code onError} with a {@link java.util.concurrent.CancellationException}.
     *
     * @param subscriber the subscriber
     * @return the job
     * @throws NullPointerException if {@code subscriber} is null
     */
    public RunnablePipeline<Void> toSubscriber(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        Spec<T> upstream = spec;
        return RunnablePipeline.of(ctx -> new SubscriberSink<>(ctx, upstream.build(ctx), subscriber));
    }

    /**
     * This pipeline as a cold {@link Flow.Publisher}: each subscription starts an independent
     * run (on a new virtual thread, with the system time source) delivering to that subscriber
     * as {@link #toSubscriber} does. Passes the Reactive Streams TCK.
     *
     * @return the publisher
     */
    public Flow.Publisher<T> toPublisher() {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber"); // rule 1.9
            toSubscriber(subscriber).start();
        };
    }

    // ================================================================ helpers

    private <R> Pipeline<R> then(Function<Spec<T>, Spec<R>> stage) {
        return new Pipeline<>(stage.apply(spec));
    }

    private static int capacity(int value, String name) {
        Checks.positive(value, name);
        if (value > MAX_CAPACITY) {
            throw new IllegalArgumentException(name + " must be at most " + MAX_CAPACITY + ", was " + value);
        }
        return value;
    }

    private static <T> List<Spec<? extends T>> specs(Pipeline<? extends T>[] pipelines, String name) {
        Objects.requireNonNull(pipelines, name);
        List<Spec<? extends T>> result = new ArrayList<>(pipelines.length);
        for (int i = 0; i < pipelines.length; i++) {
            if (pipelines[i] == null) {
                throw new NullPointerException(name + "[" + i + "] is null");
            }
            result.add(pipelines[i].spec);
        }
        return List.copyOf(result);
    }

    private static <T> List<Stage<? extends T>> build(List<Spec<? extends T>> parts, Ctx ctx) {
        List<Stage<? extends T>> stages = new ArrayList<>(parts.size());
        for (Spec<? extends T> part : parts) {
            stages.add(part.build(ctx));
        }
        return stages;
    }
}
