package dev.asyncpatterns.resilience;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A job submitted with {@link RetryQueue#submitTracked(Object, int)}: its acknowledgement and
 * its final outcome.
 *
 * @param <J> the job type
 * @param acknowledged completes with the job's id once the store acknowledged it, or fails as
 *     {@link RetryQueue#submit(Object)} does
 * @param outcome completes when this queue records the job's final outcome; fails with the
 *     submission's failure if it was not acknowledged, with {@link LeaseExpiredException} if this
 *     queue lost the job's lease (another owner finishes it), or with
 *     {@link dev.asyncpatterns.core.ClosedException} if the queue terminated without seeing the
 *     end (another process that shares the store ran it). Cancelling it only stops the tracking.
 * @since 0.1.0
 */
public record JobHandle<J>(CompletableFuture<JobId> acknowledged, CompletableFuture<JobOutcome<J>> outcome) {

    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     */
    public JobHandle {
        Objects.requireNonNull(acknowledged, "acknowledged");
        Objects.requireNonNull(outcome, "outcome");
    }
}
