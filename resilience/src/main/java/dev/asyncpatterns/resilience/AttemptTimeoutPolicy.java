package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The per-attempt timeout, innermost: core's cancelling timeout around each call that did not
 * complete at once. A timed-out call is cancelled and its attempt fails with a
 * {@code TimeoutException}, which the policies outside record like any failure.
 */
final class AttemptTimeoutPolicy extends AttemptPolicy {

    final Duration timeout;
    private final TimeSource time;

    AttemptTimeoutPolicy(Duration timeout, TimeSource time) {
        this.timeout = timeout;
        this.time = time;
    }

    @Override
    <V> CompletableFuture<V> around(CompletableFuture<V> call) {
        return Futures.withTimeout(call, timeout, time);
    }

    @Override
    public String toString() {
        return "attemptTimeout=" + timeout;
    }
}
