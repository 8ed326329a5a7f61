/**
 * An embeddable live console for the toolkit: {@link dev.asyncpatterns.console.Console} serves a
 * page on loopback that shows {@link dev.asyncpatterns.console.Panel}s (queues, worker pools,
 * circuits, caches, retry queues, or anything that reports figures) updated live through
 * Server-Sent Events, with charts of the last minutes, and the dead letters of each registered
 * {@link dev.asyncpatterns.console.DeadLetterSource}, which an operator holding the configured token
 * can replay or purge.
 *
 * <p>Adapters: {@link dev.asyncpatterns.console.CoreViews} (queues, worker pools, semaphores,
 * rate limiters, object pools, supervisors), {@link dev.asyncpatterns.console.ResilienceViews}
 * (retry queues and their dead letters, circuits; needs async-patterns-resilience),
 * {@link dev.asyncpatterns.console.CacheViews} (memoized functions; needs async-patterns-cache), or
 * {@link dev.asyncpatterns.console.Panel#of} and {@link dev.asyncpatterns.console.Panel#gauges} for
 * anything else.
 *
 * <p>Security model: see {@link dev.asyncpatterns.console.Console}.
 */
@NullMarked
package dev.asyncpatterns.console;

import org.jspecify.annotations.NullMarked;
