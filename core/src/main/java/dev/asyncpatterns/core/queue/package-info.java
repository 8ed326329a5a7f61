/**
 * Async queues with backpressure: {@link dev.asyncpatterns.core.queue.AsyncQueue} (asyncio's
 * {@code Queue(maxsize)} and {@code PriorityQueue}, with {@code task_done}/{@code join} and
 * {@code close}). {@code put} returns a future that completes when there is room; {@code take}
 * one that completes with an element; cancelling either removes the waiter and loses nothing.
 */
@NullMarked
package dev.asyncpatterns.core.queue;

import org.jspecify.annotations.NullMarked;
