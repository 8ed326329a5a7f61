package dev.asyncpatterns.resilience;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * Where a {@link RetryQueue} keeps its jobs. Each job is in exactly one state:
 *
 * <pre>
 *   add ──▶ PENDING ──claimDue──▶ IN_FLIGHT ──succeeded──▶ (removed)
 *              ▲                     │ │
 *              └────retryLater───────┘ └──deadLetter──▶ DEAD ──purge──▶ (removed)
 *              ▲                                          │
 *              └──────────────────replay──────────────────┘
 *   PENDING ──removePending──▶ (handed back to the caller)     IN_FLIGHT ──recover──▶ PENDING
 * </pre>
 *
 * <p><b>Designed for a transactional implementation.</b> Every method is one state transition of
 * one or more jobs and must be atomic: a durable store implements each as one transaction
 * (for example one SQL {@code UPDATE ... WHERE state = ...}), so a crash between two calls
 * leaves every job in exactly one state. A transition that does not apply (wrong state, unknown
 * id) is a no-op reported by the result, never an exception. Methods return stages so that a
 * store doing I/O never blocks the queue; the in-memory store completes them at once. A job is
 * <em>acknowledged</em> when the stage returned by {@code add} completes normally: from then on
 * the store must not lose it. After a crash, {@code recover} returns jobs that were in flight
 * to PENDING (at-least-once delivery: handlers should be idempotent).
 *
 * <p>Implementations are thread-safe; the queue may call any method from any thread, and calls
 * concerning different jobs concurrently.
 *
 * @param <J> the job type
 */
public interface JobStore<J> {

    /**
     * Adds a new PENDING job, due at once, if fewer than {@code maxLive} jobs are PENDING or
     * IN_FLIGHT.
     *
     * @param job the job
     * @param now the submission time, also its due time
     * @param maxLive the queue's capacity
     * @return the stored record once it is durable (the acknowledgement); failed with
     *     {@link RejectedExecutionException} if the store is at capacity
     */
    CompletionStage<JobRecord<J>> add(J job, Instant now, int maxLive);

    /**
     * Moves up to {@code max} PENDING jobs due at or before {@code now} to IN_FLIGHT, earliest due
     * first, and returns them with the due time of the earliest job left PENDING.
     *
     * @param now the current time
     * @param max how many jobs at most, positive
     * @return the claimed jobs and when the next one falls due
     */
    CompletionStage<Claim<J>> claimDue(Instant now, int max);

    /**
     * Removes an IN_FLIGHT job whose attempt succeeded.
     *
     * @param id the job
     * @return whether the job was IN_FLIGHT
     */
    CompletionStage<Boolean> succeeded(JobId id);

    /**
     * Moves an IN_FLIGHT job back to PENDING, due at {@code dueAt}, appending the failed attempt
     * to its history.
     *
     * @param id the job
     * @param failed the failed attempt
     * @param dueAt when to try again
     * @return whether the job was IN_FLIGHT
     */
    CompletionStage<Boolean> retryLater(JobId id, JobAttempt failed, Instant dueAt);

    /**
     * Moves an IN_FLIGHT job to DEAD, appending the last failed attempt to its history.
     *
     * @param id the job
     * @param failed the last failed attempt
     * @return whether the job was IN_FLIGHT
     */
    CompletionStage<Boolean> deadLetter(JobId id, JobAttempt failed);

    /**
     * The DEAD jobs, oldest first, with their full histories.
     *
     * @return a snapshot of the dead letters
     */
    CompletionStage<List<JobRecord<J>>> deadLetters();

    /**
     * Moves a DEAD job back to PENDING, due at {@code now}, resetting its attempt count (its
     * history is kept) and counting the replay.
     *
     * @param id the job
     * @param now when it is due
     * @return whether the job was DEAD
     */
    CompletionStage<Boolean> replay(JobId id, Instant now);

    /**
     * Removes a DEAD job for good.
     *
     * @param id the job
     * @return whether the job was DEAD
     */
    CompletionStage<Boolean> purge(JobId id);

    /**
     * Removes every PENDING job and returns them (a queue shutting down hands them back).
     *
     * @return the removed jobs, earliest due first
     */
    CompletionStage<List<JobRecord<J>>> removePending();

    /**
     * Moves every IN_FLIGHT job back to PENDING, due at {@code now}. A queue calls this when it
     * starts on a store that a previous process left with jobs in flight.
     *
     * @param now when the recovered jobs are due
     * @return how many jobs were recovered
     */
    CompletionStage<Integer> recover(Instant now);

    /**
     * How many jobs are in each state. Cheap and non-blocking; a durable store may answer from
     * a cache (documented by it).
     *
     * @return the counts
     */
    Counts counts();

    /**
     * The result of {@link #claimDue}.
     *
     * @param <J> the job type
     * @param jobs the jobs moved to IN_FLIGHT
     * @param nextDue when the earliest job still PENDING falls due; empty if none is PENDING
     */
    record Claim<J>(List<JobRecord<J>> jobs, Optional<Instant> nextDue) {

        /**
         * Copies the list.
         *
         * @throws NullPointerException if a component is null
         */
        public Claim {
            jobs = List.copyOf(jobs);
            java.util.Objects.requireNonNull(nextDue, "nextDue");
        }
    }

    /**
     * Job counts by state.
     *
     * @param pending PENDING jobs (due or waiting for their backoff)
     * @param inFlight IN_FLIGHT jobs
     * @param dead DEAD jobs (dead letters)
     */
    record Counts(long pending, long inFlight, long dead) {

        /**
         * Jobs still to be done: pending plus in flight.
         *
         * @return {@code pending + inFlight}
         */
        public long live() {
            return pending + inFlight;
        }
    }
}
