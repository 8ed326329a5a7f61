package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.time.Cancellable;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * Where {@link RetryQueue}s keep their jobs, possibly shared by many queues in many processes.
 * Each job is in exactly one state:
 *
 * <pre>
 *   add ──▶ PENDING ──claim(owner)──▶ IN_FLIGHT(owner, lease) ──succeeded──▶ (removed)
 *              ▲                          │  │  │
 *              ├──────retryLater──────────┘  │  └──deadLetter──▶ DEAD ──purge──▶ (removed)
 *              ├──────lease expired──────────┘                    │
 *              └──────────────────replay──────────────────────────┘
 *   PENDING ──removePending──▶ (handed back to the caller)
 * </pre>
 *
 * <p><b>Leases.</b> A claim is a lease: the claimed jobs are IN_FLIGHT for one <em>owner</em>
 * (a queue's id, unique per process) until the lease's expiry, and the claim returns a
 * {@link Lease} (the owner plus a fencing token unique to that claim). The owner extends the
 * leases of the claims it is still running jobs of with {@link #heartbeat}. A job whose lease expires
 * (its owner crashed, hung or lost the database) is claimable again at once: the store appends
 * an attempt failed with {@link LeaseExpiredException} to its history and treats it as PENDING
 * (delivery is at-least-once, so handlers should be idempotent).
 *
 * <p><b>Fencing.</b> {@link #succeeded}, {@link #retryLater} and {@link #deadLetter} take the
 * lease of the claim that handed out the job and apply only if the job is still IN_FLIGHT under
 * that very lease and the lease has not expired. Otherwise the call is a no-op that returns
 * {@code false}: an owner that lost its lease never overwrites what another owner is doing or
 * has done with the job.
 *
 * <p><b>Time.</b> The store owns the clock that due times and lease expiries are compared
 * against (a shared database uses its own {@code now()}, so processes with skewed clocks agree);
 * callers pass durations, never instants. Timestamps inside {@link JobAttempt}s are the caller's.
 *
 * <p><b>Order.</b> Among the jobs that are due, {@link #claim} hands out the highest priority
 * first, then the earliest due, then the oldest.
 *
 * <p><b>Atomicity.</b> Every method is one state transition of one or more jobs and is atomic:
 * a durable store implements each as one transaction, so a crash between two calls leaves every
 * job in exactly one state. A transition that does not apply (wrong state, unknown id, lost
 * lease) is a no-op reported by the result, never an exception. A job is <em>acknowledged</em>
 * when the stage returned by {@link #add} completes normally: from then on the store must not
 * lose it. A stage that fails means the transition may or may not have happened (for a durable
 * store, the database may have committed before the connection broke); callers treat that as
 * "not acknowledged" for {@code add} and rely on lease expiry for the others.
 *
 * <p><b>Threads.</b> Implementations are thread-safe; any method may be called from any thread.
 * Methods return stages and never block the caller: a store doing I/O runs it elsewhere; the
 * in-memory store completes its stages before returning.
 *
 * @param <J> the job type
 * @since 0.1.0
 */
public interface JobStore<J> {

    /**
     * Adds a new PENDING job, due at once, if fewer than {@code maxLive} jobs are PENDING or
     * IN_FLIGHT (a shared store may overshoot the bound by the number of concurrent adds).
     *
     * @param job the job
     * @param priority higher is claimed first among due jobs
     * @param maxLive the capacity, positive
     * @return the stored record once it is durable (the acknowledgement); failed with
     *     {@link RejectedExecutionException} if the store is at capacity
     */
    CompletionStage<JobRecord<J>> add(J job, int priority, int maxLive);

    /**
     * Leases up to {@code max} claimable jobs to {@code owner} for {@code lease}: PENDING jobs
     * that are due, and IN_FLIGHT jobs whose lease has expired (see the class comment), highest
     * priority first, then earliest due.
     *
     * @param owner the claiming queue's id
     * @param max how many jobs at most, positive
     * @param lease how long the lease lasts unless extended, positive
     * @return the claimed jobs, their lease and when more work is expected
     */
    CompletionStage<Claim<J>> claim(String owner, int max, Duration lease);

    /**
     * Extends, to {@code lease} from now, the leases in {@code held} that are still live: every
     * job IN_FLIGHT under one of these leases (same owner and token) whose lease has not expired.
     * Expired leases are not revived, and jobs of other claims are untouched, so a claim whose
     * answer never reached its owner (a connection lost after the commit) still expires.
     *
     * @param held the leases of the claims whose jobs the caller is still running
     * @param lease the new remaining lease time, positive
     * @return how many jobs' leases were extended
     */
    CompletionStage<Integer> heartbeat(Collection<Lease> held, Duration lease);

    /**
     * Removes a job whose attempt succeeded, if it is IN_FLIGHT under {@code lease} and the
     * lease has not expired.
     *
     * @param id the job
     * @param lease the lease of the claim that handed it out
     * @return whether it applied ({@code false}: fenced or unknown)
     */
    CompletionStage<Boolean> succeeded(JobId id, Lease lease);

    /**
     * Moves a job IN_FLIGHT under {@code lease} back to PENDING, due after {@code delay},
     * appending the failed attempt to its history.
     *
     * @param id the job
     * @param lease the lease of the claim that handed it out
     * @param failed the failed attempt
     * @param delay how long until it is due, not negative
     * @return whether it applied ({@code false}: fenced or unknown)
     */
    CompletionStage<Boolean> retryLater(JobId id, Lease lease, JobAttempt failed, Duration delay);

    /**
     * Moves a job IN_FLIGHT under {@code lease} to DEAD, appending the last failed attempt to
     * its history.
     *
     * @param id the job
     * @param lease the lease of the claim that handed it out
     * @param failed the last failed attempt
     * @return whether it applied ({@code false}: fenced or unknown)
     */
    CompletionStage<Boolean> deadLetter(JobId id, Lease lease, JobAttempt failed);

    /**
     * The DEAD jobs, oldest first, with their full histories.
     *
     * @return a snapshot of the dead letters
     */
    CompletionStage<List<JobRecord<J>>> deadLetters();

    /**
     * Moves a DEAD job back to PENDING, due at once, resetting its attempt count (its history is
     * kept) and counting the replay.
     *
     * @param id the job
     * @return whether the job was DEAD
     */
    CompletionStage<Boolean> replay(JobId id);

    /**
     * Removes a DEAD job for good.
     *
     * @param id the job
     * @return whether the job was DEAD
     */
    CompletionStage<Boolean> purge(JobId id);

    /**
     * Removes every PENDING job and returns them (a queue shutting down hands them back). A
     * shared store removes the pending jobs of every queue that shares it.
     *
     * @return the removed jobs, in claim order
     */
    CompletionStage<List<JobRecord<J>>> removePending();

    /**
     * How many jobs are in each state. Cheap and non-blocking; a durable store may answer from
     * a cache (documented by it).
     *
     * @return the counts
     */
    Counts counts();

    /**
     * Registers a listener called when work may have become claimable without this caller
     * knowing: a job added or retried by another queue or process, a lease expired. A queue
     * registers one to wake up from idle; stores without such signals keep the default (never
     * called) and queues rely on {@link Claim#nextDueIn()}. Called on a store thread; must be
     * quick and must not throw.
     *
     * @param listener the listener
     * @return cancels the registration
     */
    default Cancellable onWorkAvailable(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        return () -> false;
    }

    /**
     * One claim's lease on the jobs it handed out.
     *
     * @param owner the owner that claimed
     * @param token unique to the claim: a completion under an older token is fenced
     */
    record Lease(String owner, long token) {

        /**
         * Validates the owner.
         *
         * @throws NullPointerException if {@code owner} is null
         */
        public Lease {
            Objects.requireNonNull(owner, "owner");
        }
    }

    /**
     * The result of {@link #claim}.
     *
     * @param <J> the job type
     * @param jobs the jobs moved to IN_FLIGHT
     * @param lease their lease (meaningless if {@code jobs} is empty)
     * @param nextDueIn when the store expects the next job to become claimable (the earliest
     *     PENDING due time or IN_FLIGHT lease expiry), from now; empty if no job is live
     */
    record Claim<J>(List<JobRecord<J>> jobs, Lease lease, Optional<Duration> nextDueIn) {

        /**
         * Copies the list.
         *
         * @throws NullPointerException if a component is null
         */
        public Claim {
            jobs = List.copyOf(jobs);
            Objects.requireNonNull(lease, "lease");
            Objects.requireNonNull(nextDueIn, "nextDueIn");
        }
    }

    /**
     * Job counts by state.
     *
     * @param pending PENDING jobs (due or waiting for their backoff)
     * @param inFlight IN_FLIGHT jobs (including any whose lease has expired and is not yet claimed)
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
