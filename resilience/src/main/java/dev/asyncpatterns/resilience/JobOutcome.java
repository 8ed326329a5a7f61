package dev.asyncpatterns.resilience;

import java.util.Objects;

/**
 * The final outcome of one job of a {@link RetryQueue}: it succeeded, or it became a dead letter
 * (with its full history). See {@link RetryQueue#submitTracked(Object, int)}.
 *
 * @param <J> the job type
 * @since 0.1.0
 */
public sealed interface JobOutcome<J> {

    /**
     * The job as the store held it when it ended (for a dead letter, including the last failed
     * attempt).
     *
     * @return the record
     */
    JobRecord<J> record();

    /**
     * The job succeeded and was removed from the store.
     *
     * @param <J> the job type
     * @param record the job, with the failed attempts that preceded the success
     */
    record Succeeded<J>(JobRecord<J> record) implements JobOutcome<J> {

        /**
         * Validates the record.
         *
         * @throws NullPointerException if {@code record} is null
         */
        public Succeeded {
            Objects.requireNonNull(record, "record");
        }
    }

    /**
     * The job ran out of attempts (or failed with a failure not worth retrying) and is now a
     * dead letter.
     *
     * @param <J> the job type
     * @param record the dead letter with its full history
     */
    record DeadLettered<J>(JobRecord<J> record) implements JobOutcome<J> {

        /**
         * Validates the record.
         *
         * @throws NullPointerException if {@code record} is null
         */
        public DeadLettered {
            Objects.requireNonNull(record, "record");
        }
    }
}
