package dev.asyncpatterns.redis;

import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/*
 * Maintainer's note.
 *
 * Every Redis command a component sends goes through call(): the breaker admits it or the call
 * fails at once with RedisUnavailableException (rejected); an admitted command gets a timer on the
 * injected TimeSource (never orTimeout) that fails the result with a TimeoutException and cancels
 * Lettuce's future; whichever of the reply and the timer comes first completes the result, and
 * exactly that one reports the outcome to the breaker (the CompletableFuture's complete/
 * completeExceptionally race decides). Replies are completed on Lettuce's I/O thread.
 */
/** Breaker + timeout around Redis commands. Not part of the API. */
final class Guard {

    private final String component;
    private final Breaker breaker;
    private final Duration timeout;
    private final TimeSource time;
    final LongAdder errors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder rejected = new LongAdder();

    Guard(String component, Breaker breaker, Duration timeout, TimeSource time) {
        this.component = component;
        this.breaker = breaker;
        this.timeout = timeout;
        this.time = time;
    }

    CircuitState state() {
        return breaker.state();
    }

    <T> CompletableFuture<T> call(String what, Supplier<? extends CompletionStage<T>> command) {
        if (!breaker.tryAcquire()) {
            rejected.increment();
            return CompletableFuture.failedFuture(
                    new RedisUnavailableException(component + ": circuit open, " + what + " not sent to Redis"));
        }
        CompletionStage<T> sent;
        try {
            sent = command.get();
        } catch (RuntimeException failure) {
            errors.increment();
            breaker.onFailure();
            return CompletableFuture.failedFuture(failure);
        }
        var result = new CompletableFuture<T>();
        Cancellable timer = time.schedule(timeout, () -> {
            if (result.completeExceptionally(
                    new TimeoutException(component + ": Redis did not answer " + what + " within " + timeout))) {
                timeouts.increment();
                errors.increment();
                breaker.onFailure();
                if (sent instanceof Future<?> pending) {
                    pending.cancel(false);
                }
            }
        });
        sent.whenComplete((value, failure) -> {
            timer.cancel();
            if (failure == null) {
                if (result.complete(value)) {
                    breaker.onSuccess();
                }
            } else if (result.completeExceptionally(failure)) {
                errors.increment();
                breaker.onFailure();
            }
        });
        return result;
    }
}
