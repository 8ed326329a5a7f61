/**
 * Async coordination primitives whose waits are futures, not blocked threads: asyncio's
 * {@code Semaphore}, {@code Lock}, {@code Event}, {@code Barrier}, plus a latch, a read-write lock
 * and a token-bucket rate limiter ({@link dev.asyncpatterns.core.sync.AsyncRateLimiter}, behind the
 * {@link dev.asyncpatterns.core.sync.RateLimiter} interface that the redis module's shared limiter
 * implements too).
 *
 * <p>All of them queue waiters in FIFO order, give a permit to the next waiter when a waiter is
 * cancelled or times out at the same moment as a release (never lost, never counted twice), run
 * no user code under their locks, and offer {@code acquire()} (a future), {@code tryAcquire()}
 * (never waits) and {@code acquire(Duration)} (times out on the injected
 * {@link dev.asyncpatterns.core.time.TimeSource}) families.
 */
package dev.asyncpatterns.core.sync;
