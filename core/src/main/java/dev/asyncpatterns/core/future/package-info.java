/**
 * Futures combinators and task starters: the asyncio {@code gather}, {@code wait},
 * {@code as_completed}, {@code wait_for}, {@code shield}, {@code create_task} and
 * {@code to_thread} patterns on {@link java.util.concurrent.CompletableFuture}.
 *
 * <ul>
 *   <li>{@link dev.asyncpatterns.core.future.Futures}: {@code all}, {@code allSettled}, {@code any},
 *       {@code race}, {@code waitFor}, {@code asCompleted}, {@code withTimeout}, {@code shield},
 *       {@code sleep}, {@code delay};
 *   <li>{@link dev.asyncpatterns.core.future.Tasks} and {@link dev.asyncpatterns.core.future.Blocking}:
 *       start work on virtual threads (or a bounded CPU pool) as a future whose {@code cancel(true)}
 *       interrupts it;
 *   <li>{@link dev.asyncpatterns.core.future.Parallel}: bounded parallelism over a collection
 *       (sliding window, results in input order).
 * </ul>
 *
 * <p>Every combinator accepts {@link java.util.concurrent.CompletionStage}s, cancels the inputs it
 * no longer needs, and attaches the other failures as suppressed exceptions to the first.
 */
package dev.asyncpatterns.core.future;
