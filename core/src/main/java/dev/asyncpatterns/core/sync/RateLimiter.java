package dev.asyncpatterns.core.sync;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A token-bucket rate limiter with a future-returning API, whether the bucket lives in this JVM
 * ({@link AsyncRateLimiter}) or is shared by several processes (the {@code async-patterns-redis}
 * module's {@code RedisRateLimiter}). Code that paces itself should depend on this interface, so
 * moving from one instance to many is a change of construction, not of call sites:
 * {@code limiter.acquire().thenCompose(ignored -> callApi())}.
 *
 * <p>Implementations are thread-safe, serve waiters first-in first-out, never block the caller,
 * and withdraw a request whose future is cancelled or times out.
 *
 * @since 0.1.0
 */
public interface RateLimiter extends AutoCloseable {

    /**
     * Takes one token, waiting if necessary. Same as {@code acquire(1)}.
     *
     * @return a future completed with {@code null} once the token is taken
     */
    default CompletableFuture<Void> acquire() {
        return acquire(1);
    }

    /**
     * Takes {@code tokens} tokens, waiting in FIFO order until the bucket holds them. Never blocks
     * the caller. Cancelling the future withdraws the request.
     *
     * @param tokens how many tokens, from 1 to the burst size
     * @return a future completed with {@code null} once the tokens are taken, or failed (closed
     *     limiter; for a shared bucket, its store being unreachable)
     * @throws IllegalArgumentException if {@code tokens < 1} or {@code tokens > burst()}
     */
    CompletableFuture<Void> acquire(int tokens);

    /**
     * Takes {@code tokens} tokens, or fails with a {@link java.util.concurrent.TimeoutException}
     * if they could not be taken within {@code timeout}.
     *
     * @param tokens how many tokens, from 1 to the burst size
     * @param timeout the longest time to wait; zero or negative does not wait for tokens
     * @return a future completed with {@code null} once the tokens are taken, or failed
     * @throws IllegalArgumentException if {@code tokens < 1} or {@code tokens > burst()}
     * @throws NullPointerException if {@code timeout} is null
     */
    CompletableFuture<Void> acquire(int tokens, Duration timeout);

    /**
     * Takes {@code tokens} tokens if the bucket holds them now and nobody here waits; never waits
     * for tokens. An in-process limiter answers at once; a shared one after one round trip to its
     * store.
     *
     * @param tokens how many tokens, from 1 to the burst size
     * @return a future completed with whether the tokens were taken ({@code false} when closed)
     * @throws IllegalArgumentException if {@code tokens < 1} or {@code tokens > burst()}
     */
    CompletableFuture<Boolean> tryAcquireAsync(int tokens);

    /**
     * Takes one token if available now. Same as {@code tryAcquireAsync(1)}.
     *
     * @return a future completed with whether the token was taken
     */
    default CompletableFuture<Boolean> tryAcquireAsync() {
        return tryAcquireAsync(1);
    }

    /**
     * The bucket size: the most tokens one request may ask for.
     *
     * @return the burst size
     */
    int burst();

    /**
     * Closes the limiter: pending acquires fail with {@link dev.asyncpatterns.core.ClosedException},
     * new ones fail at once. Idempotent.
     */
    @Override
    void close();
}
