/**
 * Backpressured async stream pipelines: the async-generator pipelines of the asyncio tutorials
 * (read, clean, enrich N at a time, batch, store) as an immutable {@link
 * dev.asyncpatterns.pipeline.Pipeline} description that runs into a {@link
 * java.util.concurrent.CompletableFuture}.
 *
 * <ul>
 *   <li>{@link dev.asyncpatterns.pipeline.Pipeline}: sources (iterables, streams, ranges,
 *       {@link dev.asyncpatterns.core.queue.AsyncQueue}, {@link java.util.concurrent.Flow.Publisher},
 *       {@code unfold}, {@code tick}, {@code concat}, {@code merge}) and stages;
 *   <li>{@link dev.asyncpatterns.pipeline.RunnablePipeline}: a pipeline with its sink, run any
 *       number of times; {@link dev.asyncpatterns.pipeline.PipelineRun}: one run, with its
 *       {@link dev.asyncpatterns.pipeline.StageMetrics};
 *   <li>{@link dev.asyncpatterns.pipeline.OnError}: per-stage error policies (fail fast, skip to
 *       a dead-letter callback, recover, retry with a {@link dev.asyncpatterns.core.supervision.Backoff});
 *   <li>{@link dev.asyncpatterns.core.queue.Overflow}: what a full buffer does (the toolkit's one
 *       overflow policy, shared with {@link dev.asyncpatterns.core.queue.AsyncQueue}).
 * </ul>
 *
 * <p>Every stage documents its flow control in the same four paragraphs: Backpressure,
 * Buffering, Errors, Cancellation. Synchronous stages fuse into one loop without per-element
 * futures (see {@code docs/adr/pipeline-0001-fused-pull-stages.md}).
 *
 * <table class="striped">
 *   <caption>Coming from asyncio</caption>
 *   <thead><tr><th>asyncio</th><th>pipeline</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code async for x in gen(): ...}</td><td>{@code Pipeline.from(...).forEach(...)}</td></tr>
 *     <tr><td>async generator paging an API</td><td>{@code Pipeline.unfold(seed, step)}</td></tr>
 *     <tr><td>{@code gather} over a stream with a semaphore</td><td>{@code mapAsync(n, fn)} (ordered), {@code mapAsyncUnordered}</td></tr>
 *     <tr><td>consumer loop over {@code Queue}</td><td>{@code Pipeline.fromQueue(queue)}, {@code intoQueue(queue)}</td></tr>
 *     <tr><td>{@code asyncio.timeout} per item</td><td>{@code timeout(d)}, or {@code Futures.withTimeout} inside {@code mapAsync}</td></tr>
 *     <tr><td>{@code task.cancel()}</td><td>{@code run.cancel(true)}: the source stops, hooks run once</td></tr>
 *   </tbody>
 * </table>
 */
@NullMarked
package dev.asyncpatterns.pipeline;

import org.jspecify.annotations.NullMarked;
