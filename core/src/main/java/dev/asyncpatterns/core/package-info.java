/**
 * The toolkit's shared vocabulary, used by every package and module.
 *
 * <ul>
 *   <li>{@link dev.asyncpatterns.core.AsyncSupplier}: the throwing, future-returning supplier that
 *       every component accepts where it calls user code;
 *   <li>{@link dev.asyncpatterns.core.Outcome}: a settled result ({@code Success}, {@code Failure},
 *       {@code Cancelled}), as returned by "settle all" operations;
 *   <li>{@link dev.asyncpatterns.core.ClosedException}: what a closed or shut-down component
 *       rejects new work with.
 * </ul>
 *
 * <p>The components live in sub-packages by concern: {@code future} (combinators, tasks, blocking
 * bridges, bounded parallelism), {@code scope} (structured concurrency), {@code sync} (semaphore,
 * locks, event, latch, barrier, rate limiter), {@code queue} (async queues), {@code pool} (object
 * pool, worker pool), {@code supervision} (supervisor, backoff, lifecycle) and {@code time}
 * (time source, timers, lag probe). {@code internal} holds helpers shared with the toolkit's own
 * modules; it is not exported to applications.
 */
package dev.asyncpatterns.core;
