package dev.asyncpatterns.resilience;

import java.time.Instant;
import java.util.Objects;

/**
 * One failed attempt at a job, kept in its history (see {@link JobRecord#history()}).
 *
 * @param number the attempt number since the job was submitted or last replayed, from 1
 * @param startedAt when the handler was called
 * @param finishedAt when its result stage failed
 * @param failure why it failed
 * @since 0.1.0
 */
public record JobAttempt(int number, Instant startedAt, Instant finishedAt, Throwable failure) {

    /**
     * Validates the components.
     *
     * @throws NullPointerException if an instant or the failure is null
     * @throws IllegalArgumentException if {@code number} is below 1
     */
    public JobAttempt {
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(failure, "failure");
        if (number < 1) {
            throw new IllegalArgumentException("number must be positive, was " + number);
        }
    }
}
