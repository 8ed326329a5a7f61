package dev.asyncpatterns.resilience;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A job as its {@link JobStore} holds it: a pending job, a job being attempted, or a dead letter.
 *
 * @param <J> the job type
 * @param id the store's identifier
 * @param job the job itself
 * @param submittedAt when it was first acknowledged
 * @param history every failed attempt, oldest first, across replays (never truncated)
 * @param attemptsSinceReplay failed attempts since submission or the last replay; the retry
 *     backoff and attempt limit count these
 * @param replays how many times the job was replayed from the dead letters
 * @since 0.1.0
 */
public record JobRecord<J>(
        JobId id, J job, Instant submittedAt, List<JobAttempt> history, int attemptsSinceReplay, int replays) {

    /**
     * Validates and copies the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if a count is negative
     */
    public JobRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(submittedAt, "submittedAt");
        history = List.copyOf(Objects.requireNonNull(history, "history"));
        if (attemptsSinceReplay < 0 || replays < 0) {
            throw new IllegalArgumentException("counts must not be negative, were attemptsSinceReplay="
                    + attemptsSinceReplay + ", replays=" + replays);
        }
    }

    /**
     * The most recent failed attempt.
     *
     * @return the last entry of {@link #history()}, or {@code null} if it never failed
     */
    public @Nullable JobAttempt lastAttempt() {
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }
}
