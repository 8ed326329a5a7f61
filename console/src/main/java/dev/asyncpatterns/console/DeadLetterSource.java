package dev.asyncpatterns.console;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Dead letters the console lists and lets an operator replay or purge; see
 * {@link ResilienceViews#deadLetters} for a {@code RetryQueue}.
 *
 * <p>Called on the console's request threads (virtual threads), never under its locks.
 *
 * @since 0.1.0
 */
public interface DeadLetterSource {

    /**
     * The name shown above the list; unique within a console.
     *
     * @return the name
     */
    String name();

    /**
     * The dead letters now.
     *
     * @return a stage of the list
     */
    CompletionStage<List<DeadLetter>> list();

    /**
     * Sends one back to be attempted again.
     *
     * @param id the letter's {@link DeadLetter#id()}
     * @return a stage of whether it was found and replayed
     */
    CompletionStage<Boolean> replay(String id);

    /**
     * Deletes one.
     *
     * @param id the letter's {@link DeadLetter#id()}
     * @return a stage of whether it was found and purged
     */
    CompletionStage<Boolean> purge(String id);

    /**
     * A dead letter as the page shows it. Payloads and error messages are untrusted text: the page
     * never interprets them as markup.
     *
     * @param id its identifier
     * @param payload the job, described as text
     * @param attempts its attempt history, oldest first
     */
    record DeadLetter(String id, String payload, List<Attempt> attempts) {

        /**
         * Checks and copies the arguments.
         *
         * @throws NullPointerException if an argument is null
         */
        public DeadLetter {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(payload, "payload");
            attempts = List.copyOf(attempts);
        }
    }

    /**
     * One failed attempt.
     *
     * @param number 1 for the first attempt
     * @param startedAt when it started
     * @param finishedAt when it failed
     * @param errorType the exception's class name
     * @param errorMessage the exception's message (empty if none)
     */
    record Attempt(int number, Instant startedAt, Instant finishedAt, String errorType, String errorMessage) {

        /**
         * Checks the arguments.
         *
         * @throws NullPointerException if an argument is null
         */
        public Attempt {
            Objects.requireNonNull(startedAt, "startedAt");
            Objects.requireNonNull(finishedAt, "finishedAt");
            Objects.requireNonNull(errorType, "errorType");
            Objects.requireNonNull(errorMessage, "errorMessage");
        }
    }
}
