package dev.asyncpatterns.resilience;

import io.github.resilience4j.retry.MaxRetriesExceededException;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The user's resilience4j {@link Retry}, around the hedged attempt: after each attempt its
 * context decides (max attempts, {@code IntervalFunction}, exception and result predicates)
 * whether and after how long the whole chain below runs again. {@link Error}s are never retried.
 * Its events and metrics are updated as with resilience4j's own decorators.
 */
final class RetryPolicy {

    /** {@link #afterValue}/{@link #afterFailure}: the attempt's outcome is the call's. */
    static final long FINAL = -1;
    /** {@link #afterValue}: the value is still one to retry but no attempt is left ({@link #exhausted()}). */
    static final long EXHAUSTED = -2;

    final Retry retry;

    RetryPolicy(Retry retry) {
        this.retry = retry;
    }

    /** The state of one call's retries. */
    <T> Retry.AsyncContext<T> start() {
        return retry.asyncContext();
    }

    /**
     * Attempt {@code attempt} produced {@code value}.
     *
     * @return the backoff in milliseconds before the next attempt, {@link #FINAL} or {@link #EXHAUSTED}
     */
    <T> long afterValue(Retry.AsyncContext<T> context, int attempt, @Nullable T value) {
        long delay = context.onResult(value);
        if (delay >= 0) {
            return delay;
        }
        if (exhaustedOnResult(attempt, value)) {
            return EXHAUSTED;
        }
        context.onComplete();
        return FINAL;
    }

    /**
     * Attempt failed with {@code failure}.
     *
     * @return the backoff in milliseconds before the next attempt, or {@link #FINAL}
     */
    long afterFailure(Retry.AsyncContext<?> context, Throwable failure) {
        if (failure instanceof Exception) {
            long delay = context.onError(failure);
            if (delay >= 0) {
                return delay;
            }
        }
        return FINAL;
    }

    /** The failure of a call whose every attempt returned a value the config retries on. */
    Throwable exhausted() {
        return MaxRetriesExceededException.createMaxRetriesExceededException(retry);
    }

    /** A backoff in milliseconds as nanoseconds, saturated. */
    static long toNanos(long delayMillis) {
        return delayMillis >= Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(delayMillis);
    }

    static Duration delay(long delayNanos) {
        return Duration.ofNanos(delayNanos);
    }

    private <T> boolean exhaustedOnResult(int attempt, @Nullable T value) {
        RetryConfig config = retry.getRetryConfig();
        if (!config.isFailAfterMaxAttempts() || attempt < config.getMaxAttempts()) {
            return false;
        }
        Predicate<T> retryOnResult = config.getResultPredicate();
        return retryOnResult != null && retryOnResult.test(value);
    }

    @Override
    public String toString() {
        return "retry=" + retry.getName();
    }
}
