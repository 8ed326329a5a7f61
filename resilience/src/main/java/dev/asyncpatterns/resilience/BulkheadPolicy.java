package dev.asyncpatterns.resilience;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The user's resilience4j semaphore bulkhead, per attempt: a permit is taken just before the call
 * (never waited for: the builder rejects a {@code maxWaitDuration} above zero) and given back when
 * the call ends, whatever the outcome.
 */
final class BulkheadPolicy extends AttemptPolicy {

    final Bulkhead bulkhead;

    BulkheadPolicy(Bulkhead bulkhead) {
        super(FailureKind.BULKHEAD_FULL);
        this.bulkhead = bulkhead;
    }

    @Override
    CompletableFuture<Void> enter() {
        return bulkhead.tryAcquirePermission()
                ? PASS
                : CompletableFuture.failedFuture(BulkheadFullException.createBulkheadFullException(bulkhead));
    }

    @Override
    void record(long latencyNanos, @Nullable Object value, @Nullable Throwable failure) {
        bulkhead.onComplete();
    }

    @Override
    void release() {
        bulkhead.onComplete();
    }

    @Override
    public String toString() {
        return "bulkhead=" + bulkhead.getName();
    }
}
