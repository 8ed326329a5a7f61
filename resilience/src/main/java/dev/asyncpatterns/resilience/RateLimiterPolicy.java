package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.sync.AsyncRateLimiter;
import java.util.concurrent.CompletableFuture;

/**
 * The toolkit's rate limiter, per attempt: one token each, waited for asynchronously (the wait
 * is the future {@link #enter()} returns; cancelling it withdraws the request). Tokens cannot be
 * given back, so {@code release} does nothing. A failed acquire (a closed limiter) refuses the
 * attempt as {@link FailureKind#RATE_LIMITED}.
 */
final class RateLimiterPolicy extends AttemptPolicy {

    final AsyncRateLimiter limiter;

    RateLimiterPolicy(AsyncRateLimiter limiter) {
        super(FailureKind.RATE_LIMITED);
        this.limiter = limiter;
    }

    @Override
    CompletableFuture<Void> enter() {
        try {
            // a free token and nobody waiting: no future on the happy path; else wait in line
            return limiter.tryAcquire() ? PASS : limiter.acquire();
        } catch (RuntimeException failure) {
            return CompletableFuture.failedFuture(failure);
        }
    }

    @Override
    public String toString() {
        return "rateLimiter=" + limiter;
    }
}
