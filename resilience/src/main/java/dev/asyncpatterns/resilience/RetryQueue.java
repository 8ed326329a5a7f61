package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.Failures;
import dev.asyncpatterns.core.internal.Listeners;
import dev.asyncpatterns.core.internal.Stages;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * The store is the single source of truth for where a job is (see JobStore); the queue only
 * keeps counters and a few scheduling fields, all guarded by `lock`:
 *
 *   running      RUNNING | DRAINING | HANDING_BACK | TERMINATED
 *   slots        attempts in flight plus slots reserved by a claim in progress (<= concurrency)
 *   submitting   store.add calls not yet answered (termination waits for them)
 *   pumping      a claim is in progress (at most one at a time); `again` asks for another pass
 *   wake/wakeAt  the one timer that pumps when the earliest backoff ends
 *
 * pump(): reserve every free slot, claim that many due jobs from the store, give back the
 * slots not used, start the claimed jobs (outside the lock), arm the wake timer for the next due
 * job. Each attempt's outcome is written to the store (succeeded / retryLater / deadLetter)
 * BEFORE its slot is freed, so "in flight" in the store and our slot count agree at quiescence
 * and a shutdown that waits for slots == 0 sees every outcome recorded.
 *
 * A store that throws instead of returning a failed stage, even an Error (issue 21), is treated
 * like one that returned a failed stage: the counters (submitting, slots, pumping) are always
 * settled, so a faulty store fails operations but never wedges shutdown.
 *
 * No job is lost: submit acknowledges only after store.add completed; from then on the job is
 * PENDING, IN_FLIGHT or DEAD in the store until a succeeded() or purge() removes it, or a
 * HAND_BACK shutdown removes the PENDING ones and returns them to the caller. If the handler
 * throws, returns null, or its stage fails, that is a failed attempt like any other.
 *
 * Leases (see JobStore): every claim is made as `owner` for `lease`; `held` counts the running
 * attempts per claim's Lease. While any slot is taken and an attempt is running asynchronously,
 * the `heartbeat` timer extends the leases in `held` (only those: a claim whose answer we never
 * got is left to expire) every lease/3.
 * Outcomes are recorded under the claim's Lease; a `false` answer means the store fenced us
 * (the lease expired and the job belongs to whoever claims it next): nothing is counted, and a
 * tracked outcome fails with LeaseExpiredException. If the store fails to record an outcome
 * (connection lost), the write is retried with STORE_RETRY backoff while the slot stays taken;
 * after the last retry the job is left to lease expiry. A failed claim re-arms the wake timer
 * with the same backoff, so a database outage costs retries, never jobs.
 *
 * Waking: our own submits and releases pump; the store's onWorkAvailable listener pumps for
 * work from other queues/processes; the wake timer pumps at the store's nextDueIn. `storeIdle`
 * records that the last claim saw no live job at all: a DRAIN terminates on that (not on
 * counts(), which a shared store may answer from a cache).
 *
 * Tracking: submitTracked registers the outcome future under the job's id once the add is
 * acknowledged. An outcome recorded before that registration (another pump claimed the fresh
 * job at once) is parked in `early` while tracked adds are in progress.
 *
 * Futures are completed and user code (handler, listeners) runs outside the lock.
 */
/**
 * A queue of jobs that are attempted by an asynchronous handler, retried with backoff and jitter
 * when they fail, and moved to dead letters, with their full attempt history, when they run out
 * of attempts. Dead letters can be listed, replayed and purged. At most {@code concurrency}
 * attempts run at once, and at most {@code capacity} jobs are live (pending or in flight).
 *
 * {@snippet class=dev.asyncpatterns.resilience.snippets.ResilienceSnippets region=retryQueueOrders}
 *
 * <p><b>Guarantee.</b> A job acknowledged by {@link #submit} (its future completed normally) is
 * never silently lost: it ends up succeeded, in the dead letters, or handed back by
 * {@link #shutdown()} or {@link #shutdownNow()}. Delivery is at-least-once (a handler may see a job again after
 * a crash with a durable store), so handlers should be idempotent.
 *
 * <p><b>Many queues, many processes.</b> Queues in different processes may share a durable
 * {@link JobStore}: each claims jobs under a lease as its own {@linkplain Builder#owner owner}
 * and extends the leases of the attempts it is running with heartbeats. If a process dies, its
 * jobs become claimable by the others when their leases expire; if an attempt outlives its lease
 * (the process stalled), its late result is fenced: the store ignores it.
 *
 * <p>Thread-safe. The handler is called on the thread that submits a job, completes a previous
 * attempt or a store operation, runs the time source's timer, or delivers the store's work
 * signal; it must not block (return a stage instead). Shutdown never interrupts running attempts.
 *
 * @param <J> the job type
 * @since 0.1.0
 */
public final class RetryQueue<J> {

    /**
     * A snapshot of a {@link RetryQueue}: its counters since it was built and the store's current
     * job counts (ADR core-0003). Read without a global lock: exact at quiescence, approximate while
     * jobs run.
     *
     * @param name the queue's name
     * @param submitted jobs acknowledged by {@code submit}
     * @param pending jobs waiting in the store (due now or after their backoff)
     * @param inFlight jobs being attempted
     * @param dead dead letters currently in the store
     * @param attempts attempts started
     * @param succeeded jobs that succeeded
     * @param retried failed attempts that were scheduled again
     * @param deadLettered jobs moved to the dead letters (replayed ones counted each time they died)
     * @param replayed dead letters replayed
     * @param purged dead letters purged
     * @param storeFailures store operations that failed (each one logged)
     */
    public record Stats(
            String name,
            long submitted,
            long pending,
            long inFlight,
            long dead,
            long attempts,
            long succeeded,
            long retried,
            long deadLettered,
            long replayed,
            long purged,
            long storeFailures) {}

    private static final Logger LOG = LoggerFactory.getLogger(RetryQueue.class);

    /** How a shutdown treats the jobs not finished yet. */
    private enum ShutdownMode {
        /** {@link #shutdown()}: keep attempting until every live job succeeded or is a dead letter. */
        DRAIN,
        /** {@link #shutdownNow()}: start no new attempt, let the running ones settle, hand back the rest. */
        HAND_BACK
    }

    /** The default backoff: exponential from 100 ms, full jitter, capped at 1 minute, 5 attempts. */
    public static final Backoff DEFAULT_BACKOFF = Backoff.exponential(Duration.ofMillis(100))
            .jitter(Backoff.Jitter.FULL)
            .cap(Duration.ofMinutes(1))
            .maxAttempts(5);

    /** The default number of attempts running at once. */
    public static final int DEFAULT_CONCURRENCY = 16;

    /** The default bound on live (pending plus in-flight) jobs. */
    public static final int DEFAULT_CAPACITY = 10_000;

    /** The default lease on a claimed job; heartbeats extend it every third of it. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

    /** Delays between retries of a store operation that failed (claim, recording an outcome). */
    static final Backoff STORE_RETRY = Backoff.exponential(Duration.ofMillis(50))
            .cap(Duration.ofSeconds(2))
            .maxAttempts(10);

    private enum State {
        RUNNING,
        DRAINING,
        HANDING_BACK,
        TERMINATED
    }

    private final String name;
    private final Function<? super J, ? extends CompletionStage<?>> handler;
    private final Backoff backoff;
    private final Predicate<? super Throwable> retryOn;
    private final int concurrency;
    private final int capacity;
    private final @Nullable Duration attemptTimeout;
    private final JobStore<J> store;
    private final TimeSource time;
    private final String owner;
    private final Duration lease;
    private final @Nullable Consumer<? super JobRecord<J>> onDeadLetter; // null: none (set once on the builder)
    private final @Nullable Consumer<? super JobRecord<J>> onSuccess;

    private final ReentrantLock lock = new ReentrantLock();
    private State state = State.RUNNING;
    private int slots;
    private boolean pumping;
    private int submitting;
    private boolean again;
    private @Nullable Cancellable wake;
    private @Nullable Instant wakeAt;
    private @Nullable Cancellable heartbeat;
    private final Map<JobStore.Lease, Integer> held = new HashMap<>();
    private @Nullable Cancellable workSignal;
    private int claimFailures;
    private boolean storeIdle;
    private int trackedAdds;
    private final Map<JobId, CompletableFuture<JobOutcome<J>>> waiters = new HashMap<>();
    private final Map<JobId, Object> early = new HashMap<>();
    private final CompletableFuture<List<JobRecord<J>>> terminated = new CompletableFuture<>();

    private final LongAdder submitted = new LongAdder();
    private final LongAdder attempts = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder replayed = new LongAdder();
    private final LongAdder purged = new LongAdder();
    private final LongAdder storeFailures = new LongAdder();

    private RetryQueue(Builder<J> builder) {
        this.name = builder.name;
        this.handler = builder.handler;
        this.backoff = builder.backoff;
        this.retryOn = builder.retryOn != null ? builder.retryOn : failure -> failure instanceof Exception;
        this.concurrency = builder.concurrency;
        this.capacity = builder.capacity;
        this.attemptTimeout = builder.attemptTimeout;
        this.time = builder.time != null ? builder.time : TimeSource.system();
        this.store = builder.store != null ? builder.store : new InMemoryJobStore<>(this.time);
        this.owner = builder.owner != null ? builder.owner : defaultOwner(builder.name);
        this.lease = builder.lease != null ? builder.lease : DEFAULT_LEASE;
        this.onDeadLetter = builder.onDeadLetter;
        this.onSuccess = builder.onSuccess;
    }

    /**
     * Starts building a queue.
     *
     * @param <J> the job type
     * @param name a name for logs and exception messages
     * @param handler attempts one job; its stage completing normally means success. Called once
     *     per attempt; must not block
     * @return a new builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank, longer than 200 characters or
     *     holds a control character
     */
    public static <J> Builder<J> builder(String name, Function<? super J, ? extends CompletionStage<?>> handler) {
        Checks.name(name);
        Objects.requireNonNull(handler, "handler");
        return new Builder<>(name, handler);
    }

    /**
     * Adds a job with priority 0. The returned future completes with the job's id once the store
     * has acknowledged it; from then on the job is never lost (see the class guarantee). The
     * first attempt starts as soon as a slot is free, possibly on this thread before this method
     * returns.
     *
     * @param job the job
     * @return its id once acknowledged; failed with {@link ClosedException} after
     *     {@link #shutdown}, {@link RejectedExecutionException} when {@code capacity} jobs are
     *     live, or the store's exception (for example {@link JobStoreException} when a database
     *     is unreachable); nothing was acknowledged in these cases
     * @throws NullPointerException if {@code job} is null
     */
    public CompletableFuture<JobId> submit(J job) {
        return submit(job, 0);
    }

    /**
     * Adds a job with a priority: among due jobs, higher priorities are claimed first (by every
     * queue sharing the store). Otherwise as {@link #submit(Object)}.
     *
     * @param job the job
     * @param priority higher runs first
     * @return its id once acknowledged, or failed as {@link #submit(Object)} says
     * @throws NullPointerException if {@code job} is null
     */
    public CompletableFuture<JobId> submit(J job, int priority) {
        Objects.requireNonNull(job, "job");
        return add(job, priority, null);
    }

    /**
     * Adds a job and tracks it to its final outcome: succeeded, or dead-lettered with its
     * history. The outcome is the one this queue records; when another queue sharing the store
     * runs the job, see {@link JobHandle#outcome()} for what is reported.
     *
     * @param job the job
     * @param priority higher runs first
     * @return the acknowledgement and the outcome
     * @throws NullPointerException if {@code job} is null
     */
    public JobHandle<J> submitTracked(J job, int priority) {
        Objects.requireNonNull(job, "job");
        CompletableFuture<JobOutcome<J>> outcome = new CompletableFuture<>();
        CompletableFuture<JobId> acknowledged = add(job, priority, outcome);
        return new JobHandle<>(acknowledged, outcome);
    }

    private CompletableFuture<JobId> add(J job, int priority, @Nullable CompletableFuture<JobOutcome<J>> outcome) {
        lock.lock();
        try {
            if (state != State.RUNNING) {
                ClosedException closed = closed("submit refused");
                if (outcome != null) {
                    outcome.completeExceptionally(closed);
                }
                return CompletableFuture.failedFuture(closed);
            }
            submitting++; // termination waits for this add, so no job is stored after hand-back
            if (outcome != null) {
                trackedAdds++;
            }
        } finally {
            lock.unlock();
        }
        CompletableFuture<JobId> acknowledged = new CompletableFuture<>();
        CompletionStage<JobRecord<J>> added;
        try {
            added = store.add(job, priority, capacity);
        } catch (RuntimeException | Error failure) {
            added = CompletableFuture.failedFuture(failure);
        }
        added.whenComplete((record, failure) -> {
            Object parked = null;
            lock.lock();
            try {
                submitting--;
                if (failure == null) {
                    storeIdle = false;
                }
                if (outcome != null) {
                    trackedAdds--;
                    if (failure == null) {
                        parked = early.remove(record.id());
                        if (parked == null) {
                            waiters.put(record.id(), outcome);
                        }
                    }
                    if (trackedAdds == 0) {
                        early.clear();
                    }
                }
            } finally {
                lock.unlock();
            }
            if (failure != null) {
                Throwable cause = Failures.unwrap(failure);
                acknowledged.completeExceptionally(cause);
                if (outcome != null) {
                    outcome.completeExceptionally(cause);
                }
                checkTerminated();
                return;
            }
            if (outcome != null) {
                if (parked != null) {
                    complete(outcome, parked);
                } else {
                    outcome.whenComplete((ignored, error) -> {
                        if (outcome.isCancelled()) {
                            untrack(record.id(), outcome);
                        }
                    });
                }
            }
            submitted.increment();
            acknowledged.complete(record.id());
            pump();
        });
        return acknowledged;
    }

    private void untrack(JobId id, CompletableFuture<JobOutcome<J>> outcome) {
        lock.lock();
        try {
            waiters.remove(id, outcome);
        } finally {
            lock.unlock();
        }
    }

    @SuppressWarnings("unchecked")
    private void complete(CompletableFuture<JobOutcome<J>> outcome, Object result) {
        if (result instanceof Throwable failure) {
            outcome.completeExceptionally(failure);
        } else {
            outcome.complete((JobOutcome<J>) result);
        }
    }

    /** Hands a job's final outcome (or why it is unknown here) to its tracker, if any. */
    private void deliver(JobId id, Object result) {
        CompletableFuture<JobOutcome<J>> outcome;
        lock.lock();
        try {
            outcome = waiters.remove(id);
            if (outcome == null && trackedAdds > 0) {
                early.put(id, result);
            }
        } finally {
            lock.unlock();
        }
        if (outcome != null) {
            complete(outcome, result);
        }
    }

    /**
     * The dead letters, oldest first, each with its full attempt history.
     *
     * @return a snapshot of the dead letters
     */
    public CompletableFuture<List<JobRecord<J>>> deadLetters() {
        return store.deadLetters().toCompletableFuture();
    }

    /**
     * Moves a dead letter back to the queue, due at once, with a fresh attempt budget (its
     * history is kept).
     *
     * @param id the dead letter's id
     * @return whether it was a dead letter; failed with {@link ClosedException} after shutdown
     * @throws NullPointerException if {@code id} is null
     */
    public CompletableFuture<Boolean> replay(JobId id) {
        Objects.requireNonNull(id, "id");
        if (!isRunning()) {
            return CompletableFuture.failedFuture(closed("replay refused"));
        }
        return store.replay(id).toCompletableFuture().thenApply(done -> {
            if (done) {
                replayed.increment();
                lock.lock();
                try {
                    storeIdle = false;
                } finally {
                    lock.unlock();
                }
                pump();
            }
            return done;
        });
    }

    /**
     * Removes a dead letter for good.
     *
     * @param id the dead letter's id
     * @return whether it was a dead letter
     * @throws NullPointerException if {@code id} is null
     */
    public CompletableFuture<Boolean> purge(JobId id) {
        Objects.requireNonNull(id, "id");
        return store.purge(id).toCompletableFuture().thenApply(done -> {
            if (done) {
                purged.increment();
            }
            return done;
        });
    }

    /**
     * The id this queue claims jobs under (see {@link Builder#owner(String)}).
     *
     * @return the owner id
     */
    public String owner() {
        return owner;
    }

    /**
     * A snapshot of the queue's counters and the store's job counts. Never blocks for long.
     *
     * @return the stats
     */
    public Stats stats() {
        JobStore.Counts counts = store.counts();
        return new Stats(
                name,
                submitted.sum(),
                counts.pending(),
                counts.inFlight(),
                counts.dead(),
                attempts.sum(),
                succeeded.sum(),
                retried.sum(),
                deadLettered.sum(),
                replayed.sum(),
                purged.sum(),
                storeFailures.sum());
    }

    /**
     * Graceful shutdown: stops accepting jobs and keeps attempting until every live job succeeded
     * or became a dead letter (waiting for backoffs). Idempotent; never blocks.
     *
     * @return completes when the queue is terminated
     */
    public CompletableFuture<Void> shutdown() {
        return shutdown(ShutdownMode.DRAIN).thenApply(ignored -> (Void) null);
    }

    /**
     * Prompt shutdown: stops accepting jobs, starts no new attempt, waits for the running attempts
     * to settle (their outcomes are recorded as usual), then removes every pending job from the
     * store and hands them back. If {@link #shutdown()} was called first, its drain goes on and
     * this completes with an empty list when it ends. Never blocks.
     *
     * @return completes when the queue is terminated, with the pending jobs (histories included)
     */
    public CompletableFuture<List<JobRecord<J>>> shutdownNow() {
        return shutdown(ShutdownMode.HAND_BACK);
    }

    private CompletableFuture<List<JobRecord<J>>> shutdown(ShutdownMode mode) {
        Objects.requireNonNull(mode, "mode");
        Cancellable timer = null;
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = mode == ShutdownMode.DRAIN ? State.DRAINING : State.HANDING_BACK;
                if (mode == ShutdownMode.HAND_BACK) {
                    timer = wake;
                    wake = null;
                    wakeAt = null;
                }
            }
        } finally {
            lock.unlock();
        }
        if (timer != null) {
            timer.cancel();
        }
        checkTerminated();
        return terminated.copy();
    }

    /**
     * Whether {@link #shutdown} was called.
     *
     * @return {@code true} once shutting down or terminated
     */
    public boolean isShutdown() {
        return !isRunning();
    }

    /**
     * The queue's name.
     *
     * @return the name given to the builder
     */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "RetryQueue[" + name + "]";
    }

    // ---------------------------------------------------------------- internals

    private boolean isRunning() {
        lock.lock();
        try {
            return state == State.RUNNING;
        } finally {
            lock.unlock();
        }
    }

    private ClosedException closed(String what) {
        return new ClosedException(this + " is shut down: " + what);
    }

    /** Asks for due jobs to be started; the caller that gets the pumping token runs the loop. */
    private void pump() {
        lock.lock();
        try {
            if (pumping) {
                again = true;
                return;
            }
            pumping = true;
        } finally {
            lock.unlock();
        }
        runPump();
    }

    /*
     * Runs while holding the pumping token. A loop, not recursion: attempts that complete
     * synchronously call pump(), which only sets `again`, so thousands of synchronous jobs never
     * deepen the stack. Only an asynchronous claim leaves the loop and resumes it in the
     * claim's completion.
     */
    private void runPump() {
        while (true) {
            int reserved = 0;
            lock.lock();
            try {
                again = false;
                if (state != State.HANDING_BACK && state != State.TERMINATED) {
                    reserved = Math.max(0, concurrency - slots);
                    slots += reserved;
                }
                if (reserved == 0) {
                    pumping = false;
                }
            } finally {
                lock.unlock();
            }
            if (reserved == 0) {
                checkTerminated();
                return;
            }
            CompletableFuture<JobStore.Claim<J>> claim;
            try {
                claim = Stages.toFuture(store.claim(owner, reserved, lease));
            } catch (RuntimeException | Error failure) {
                claim = CompletableFuture.failedFuture(failure);
            }
            if (!claim.isDone()) {
                int waitingFor = reserved;
                claim.whenComplete((claimed, failure) -> {
                    if (afterClaim(waitingFor, claimed, failure)) {
                        runPump();
                    }
                });
                return;
            }
            JobStore.@Nullable Claim<J> claimed = null;
            @Nullable Throwable failure = null;
            try {
                claimed = claim.join();
            } catch (RuntimeException e) {
                failure = e;
            }
            if (!afterClaim(reserved, claimed, failure)) {
                return;
            }
        }
    }

    /** Starts the claimed jobs; returns whether the pump loop should go on (else it let go of the token). */
    private boolean afterClaim(int reserved, JobStore.@Nullable Claim<J> claimed, @Nullable Throwable claimFailure) {
        List<JobRecord<J>> jobs = List.of();
        Optional<Duration> nextDueIn = Optional.empty();
        Duration retryIn = null;
        Throwable failure = claimFailure;
        if (failure == null && claimed == null) { // a broken store: counted and retried like a failed claim
            failure = new NullPointerException("JobStore.claim completed with a null claim");
        }
        if (failure != null) {
            storeFailures.increment();
            LOG.warn("{}: claiming due jobs failed; retrying with backoff", this, Failures.unwrap(failure));
        } else if (claimed != null) {
            jobs = claimed.jobs();
            nextDueIn = claimed.nextDueIn();
        }
        Cancellable replaced = null;
        Instant armAt = null;
        Instant now = time.instant();
        lock.lock();
        try {
            slots -= reserved - jobs.size();
            if (failure != null) {
                claimFailures++;
                retryIn = STORE_RETRY
                        .delay(Math.min(claimFailures, STORE_RETRY.maxAttempts() - 1))
                        .orElseThrow();
                nextDueIn = Optional.of(retryIn);
            } else {
                claimFailures = 0;
                storeIdle = jobs.isEmpty() && nextDueIn.isEmpty();
            }
            boolean live = state != State.HANDING_BACK && state != State.TERMINATED;
            if (nextDueIn.isEmpty() && jobs.isEmpty()) {
                // nothing live in the store: no timer needed until a submit or a work signal
                replaced = wake;
                wake = null;
                wakeAt = null;
            } else if (nextDueIn.isPresent() && live) {
                Instant at = now.plus(nextDueIn.get());
                if (wakeAt == null || at.isBefore(wakeAt)) {
                    replaced = wake;
                    wakeAt = at;
                    armAt = at;
                    wake = null;
                }
            }
        } finally {
            lock.unlock();
        }
        if (replaced != null) {
            replaced.cancel();
        }
        if (armAt != null) {
            arm(armAt);
        }
        if (claimed != null) {
            for (JobRecord<J> job : jobs) {
                attempt(job, claimed.lease());
            }
        }
        boolean goOn;
        lock.lock();
        try {
            // more may be due (we claimed a full batch) or slots were freed meanwhile (again)
            goOn = failure == null && (jobs.size() == reserved || again);
            if (!goOn) {
                pumping = false;
            }
        } finally {
            lock.unlock();
        }
        if (!goOn) {
            checkTerminated();
        }
        return goOn;
    }

    private void arm(Instant at) {
        Duration delay = Duration.between(time.instant(), at);
        Cancellable[] self = new Cancellable[1];
        Cancellable timer = time.schedule(delay.isNegative() ? Duration.ZERO : delay, () -> {
            lock.lock();
            try {
                if (wake == self[0] || wake == null) {
                    wake = null;
                    wakeAt = null;
                }
            } finally {
                lock.unlock();
            }
            pump();
        });
        self[0] = timer;
        boolean stale;
        lock.lock();
        try {
            stale = !at.equals(wakeAt) || wake != null || state == State.HANDING_BACK || state == State.TERMINATED;
            if (!stale) {
                wake = timer;
            }
        } finally {
            lock.unlock();
        }
        if (stale) {
            timer.cancel();
        }
    }

    private void attempt(JobRecord<J> job, JobStore.Lease held) {
        attempts.increment();
        lock.lock();
        try {
            this.held.merge(held, 1, Integer::sum);
        } finally {
            lock.unlock();
        }
        Instant startedAt = time.instant();
        CompletionStage<?> stage;
        try {
            stage = handler.apply(job.job());
            if (stage == null) {
                stage = CompletableFuture.failedFuture(
                        new NullPointerException(this + ": the handler returned a null stage for " + job.id()));
            }
        } catch (Throwable failure) {
            stage = CompletableFuture.failedFuture(failure);
        }
        CompletableFuture<?> running = Stages.toFuture(stage);
        if (!running.isDone()) {
            armHeartbeat();
            if (attemptTimeout != null) {
                // core's cancelling timeout: a hung handler cannot hold a slot for ever
                running = Futures.withTimeout(running, attemptTimeout, time);
            }
        }
        running.whenComplete((ignored, failure) -> settle(job, held, startedAt, failure));
    }

    /** Keeps our leases alive while attempts run: one timer, re-armed while any slot is taken. */
    private void armHeartbeat() {
        Duration every = lease.dividedBy(3);
        lock.lock();
        try {
            if (heartbeat != null || state == State.TERMINATED || slots == 0) {
                return;
            }
            heartbeat = time.schedule(every, this::beat);
        } finally {
            lock.unlock();
        }
    }

    private void beat() {
        List<JobStore.Lease> leases;
        lock.lock();
        try {
            heartbeat = null;
            if (slots == 0 || state == State.TERMINATED) {
                return;
            }
            leases = List.copyOf(held.keySet());
        } finally {
            lock.unlock();
        }
        try {
            (leases.isEmpty() ? CompletableFuture.completedFuture(0) : store.heartbeat(leases, lease))
                    .whenComplete((extended, failure) -> {
                        if (failure != null) {
                            storeFailures.increment();
                            LOG.warn("{}: extending leases failed; will try again", this, Failures.unwrap(failure));
                        }
                    });
        } catch (RuntimeException | Error failure) {
            storeFailures.increment();
            LOG.warn("{}: extending leases failed; will try again", this, failure);
        }
        armHeartbeat();
    }

    private void settle(JobRecord<J> job, JobStore.Lease held, Instant startedAt, Throwable failure) {
        Instant now = time.instant();
        Supplier<CompletionStage<Boolean>> write;
        Runnable onRecorded;
        if (failure == null) {
            write = () -> store.succeeded(job.id(), held);
            onRecorded = () -> {
                succeeded.increment();
                if (onSuccess != null) {
                    Listeners.notify(LOG, toString(), "success", onSuccess, job);
                }
                deliver(job.id(), new JobOutcome.Succeeded<>(job));
            };
        } else {
            Throwable cause = Failures.unwrap(failure);
            int number = job.attemptsSinceReplay() + 1;
            JobAttempt failed = new JobAttempt(number, startedAt, now, cause);
            Optional<Duration> delay = retryOn.test(cause) ? backoff.delay(number) : Optional.empty();
            if (delay.isPresent()) {
                write = () -> store.retryLater(job.id(), held, failed, delay.get());
                onRecorded = retried::increment;
            } else {
                write = () -> store.deadLetter(job.id(), held, failed);
                onRecorded = () -> {
                    deadLettered.increment();
                    List<JobAttempt> history = new ArrayList<>(job.history());
                    history.add(failed);
                    JobRecord<J> letter =
                            new JobRecord<>(job.id(), job.job(), job.submittedAt(), history, number, job.replays());
                    if (onDeadLetter != null) {
                        Listeners.notify(LOG, toString(), "dead letter", onDeadLetter, letter);
                    }
                    deliver(job.id(), new JobOutcome.DeadLettered<>(letter));
                };
            }
        }
        record(job, held, write, onRecorded, 1);
    }

    /** Writes an outcome; retries with STORE_RETRY while the store fails, then leaves the job to lease expiry. */
    private void record(
            JobRecord<J> job,
            JobStore.Lease held,
            Supplier<CompletionStage<Boolean>> write,
            Runnable onRecorded,
            int tries) {
        CompletionStage<Boolean> recorded;
        try {
            recorded = write.get();
        } catch (RuntimeException | Error storeFailure) {
            recorded = CompletableFuture.failedFuture(storeFailure);
        }
        recorded.whenComplete((applied, storeFailure) -> {
            if (storeFailure != null) {
                storeFailures.increment();
                Optional<Duration> again = STORE_RETRY.delay(tries);
                boolean stopping;
                lock.lock();
                try {
                    stopping = state == State.TERMINATED;
                } finally {
                    lock.unlock();
                }
                if (again.isPresent() && !stopping) {
                    LOG.warn(
                            "{}: recording the outcome of {} failed (try {}); retrying in {}",
                            this,
                            job.id(),
                            tries,
                            again.get(),
                            Failures.unwrap(storeFailure));
                    time.schedule(again.get(), () -> record(job, held, write, onRecorded, tries + 1));
                    return;
                }
                LOG.error(
                        "{}: recording the outcome of {} failed {} times; it stays in flight in the store until "
                                + "its lease expires",
                        this,
                        job.id(),
                        tries,
                        Failures.unwrap(storeFailure));
            } else if (Boolean.TRUE.equals(applied)) {
                onRecorded.run();
            } else {
                LOG.info("{}: the late result of {} was fenced: its lease {} was lost", this, job.id(), held);
                deliver(
                        job.id(),
                        new LeaseExpiredException(this + ": lost the lease on " + job.id()
                                + " before recording its outcome; whichever queue claims it next runs it again"));
            }
            release(held);
        });
    }

    private void release(JobStore.Lease lease) {
        Cancellable beat = null;
        lock.lock();
        try {
            held.computeIfPresent(lease, (k, n) -> n == 1 ? null : n - 1);
            slots--;
            if (slots == 0) {
                beat = heartbeat;
                heartbeat = null;
            }
        } finally {
            lock.unlock();
        }
        if (beat != null) {
            beat.cancel();
        }
        pump();
        checkTerminated();
    }

    private void checkTerminated() {
        boolean handBack;
        List<Cancellable> timers = new ArrayList<>();
        List<CompletableFuture<JobOutcome<J>>> untracked;
        lock.lock();
        try {
            if (state == State.RUNNING || state == State.TERMINATED || slots > 0 || pumping || submitting > 0) {
                return;
            }
            if (state == State.DRAINING && !storeIdle) {
                return;
            }
            handBack = state == State.HANDING_BACK;
            state = State.TERMINATED;
            for (Cancellable timer : new Cancellable[] {wake, heartbeat, workSignal}) {
                if (timer != null) {
                    timers.add(timer);
                }
            }
            wake = null;
            wakeAt = null;
            heartbeat = null;
            workSignal = null;
            untracked = new ArrayList<>(waiters.values());
            waiters.clear();
            early.clear();
        } finally {
            lock.unlock();
        }
        timers.forEach(Cancellable::cancel);
        for (CompletableFuture<JobOutcome<J>> outcome : untracked) {
            outcome.completeExceptionally(new ClosedException(this + " terminated before it saw the job's outcome "
                    + "(another queue sharing the store may have run it)"));
        }
        if (!handBack) {
            terminated.complete(List.of());
            return;
        }
        store.removePending().whenComplete((pending, failure) -> {
            if (failure != null) {
                storeFailures.increment();
                terminated.completeExceptionally(Failures.unwrap(failure));
            } else {
                terminated.complete(pending);
            }
        });
    }

    private static String defaultOwner(String name) {
        return name + "@" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    }

    /**
     * Builds a {@link RetryQueue}.
     *
     * @param <J> the job type
     */
    public static final class Builder<J> {

        private final String name;
        private final Function<? super J, ? extends CompletionStage<?>> handler;
        private Backoff backoff = DEFAULT_BACKOFF;
        private boolean backoffSet;
        private @Nullable Predicate<? super Throwable> retryOn;
        private int concurrency = DEFAULT_CONCURRENCY;
        private boolean concurrencySet;
        private int capacity = DEFAULT_CAPACITY;
        private boolean capacitySet;
        private @Nullable Duration attemptTimeout;
        private @Nullable JobStore<J> store;
        private @Nullable TimeSource time;
        private @Nullable String owner;
        private @Nullable Duration lease;
        private @Nullable Consumer<? super JobRecord<J>> onDeadLetter;
        private @Nullable Consumer<? super JobRecord<J>> onSuccess;

        private Builder(String name, Function<? super J, ? extends CompletionStage<?>> handler) {
            this.name = name;
            this.handler = handler;
        }

        /**
         * The delays between attempts and the attempt limit (default {@link #DEFAULT_BACKOFF}).
         * The backoff must limit attempts, or a poison job would never reach the dead letters.
         * A seeded backoff gives every job the same delays: seed only in tests.
         *
         * @param backoff the backoff
         * @return this builder
         * @throws NullPointerException if {@code backoff} is null
         * @throws IllegalArgumentException if it allows unlimited attempts
         * @throws IllegalStateException if already set
         */
        public Builder<J> backoff(Backoff backoff) {
            Objects.requireNonNull(backoff, "backoff");
            Checks.once(backoffSet, "backoff");
            if (backoff.maxAttempts() == Integer.MAX_VALUE) {
                throw new IllegalArgumentException("backoff " + backoff
                        + " allows unlimited attempts; set maxAttempts so failing jobs reach the dead letters");
            }
            this.backoff = backoff;
            this.backoffSet = true;
            return this;
        }

        /**
         * Which failures are worth retrying; others go to the dead letters at once. Default: every
         * {@link Exception} ({@link Error}s are not retried).
         *
         * @param retryOn the predicate, given the failure unwrapped from {@code CompletionException}
         * @return this builder
         * @throws NullPointerException if {@code retryOn} is null
         * @throws IllegalStateException if already set
         */
        public Builder<J> retryOn(Predicate<? super Throwable> retryOn) {
            Objects.requireNonNull(retryOn, "retryOn");
            Checks.once(this.retryOn != null, "retryOn");
            this.retryOn = retryOn;
            return this;
        }

        /**
         * How many attempts may run at once (default {@value #DEFAULT_CONCURRENCY}).
         *
         * @param concurrency positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if already set
         */
        public Builder<J> concurrency(int concurrency) {
            Checks.positive(concurrency, "concurrency");
            Checks.once(concurrencySet, "concurrency");
            this.concurrency = concurrency;
            this.concurrencySet = true;
            return this;
        }

        /**
         * How many jobs may be live (pending or in flight) at once (default
         * {@value #DEFAULT_CAPACITY}); {@link #submit} beyond it is refused. Dead letters do not
         * count: they stay until purged.
         *
         * @param capacity positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if already set
         */
        public Builder<J> capacity(int capacity) {
            Checks.positive(capacity, "capacity");
            Checks.once(capacitySet, "capacity");
            this.capacity = capacity;
            this.capacitySet = true;
            return this;
        }

        /**
         * The most time one attempt may take (default: no limit). When it passes, the handler's
         * future is cancelled and the attempt fails with a {@code TimeoutException}, retried like
         * any failure. Without it, a handler that never completes holds its slot for ever and a
         * shutdown waits for it.
         *
         * @param timeout positive
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if it is zero or negative
         * @throws IllegalStateException if already set
         */
        public Builder<J> attemptTimeout(Duration timeout) {
            Durations.requirePositive(timeout, "timeout");
            Checks.once(attemptTimeout != null, "attemptTimeout");
            this.attemptTimeout = timeout;
            return this;
        }

        /**
         * Where jobs are kept (default: a new {@link InMemoryJobStore} on this queue's time
         * source). The store may be shared with other queues, in this process or others (a
         * durable store): each claims under its own {@link #owner(String) owner}, and jobs a dead
         * process left in flight return when their leases expire.
         *
         * @param store the store
         * @return this builder
         * @throws NullPointerException if {@code store} is null
         * @throws IllegalStateException if already set
         */
        public Builder<J> store(JobStore<J> store) {
            Objects.requireNonNull(store, "store");
            Checks.once(this.store != null, "store");
            this.store = store;
            return this;
        }

        /**
         * The time source for backoff waits and attempt timestamps (default
         * {@link TimeSource#system()}).
         *
         * @param time the time source
         * @return this builder
         * @throws NullPointerException if {@code time} is null
         * @throws IllegalStateException if already set
         */
        public Builder<J> timeSource(TimeSource time) {
            Objects.requireNonNull(time, "time");
            Checks.once(this.time != null, "timeSource");
            this.time = time;
            return this;
        }

        /**
         * The id this queue claims jobs under; must be unique among the queues sharing a store
         * (default: the name, the process id and a random suffix).
         *
         * @param owner a non-blank id
         * @return this builder
         * @throws NullPointerException if {@code owner} is null
         * @throws IllegalArgumentException if it is blank
         * @throws IllegalStateException if already set
         */
        public Builder<J> owner(String owner) {
            Objects.requireNonNull(owner, "owner");
            if (owner.isBlank()) {
                throw new IllegalArgumentException("owner must not be blank, was \"" + owner + "\"");
            }
            Checks.unset(this.owner, "owner");
            this.owner = owner;
            return this;
        }

        /**
         * How long a claimed job stays this queue's without a heartbeat (default
         * {@link #DEFAULT_LEASE}). Heartbeats extend the leases of running attempts every third
         * of it; when a process dies, its jobs are claimable by the others this long after its
         * last heartbeat. Shorter leases recover faster but need a responsive store.
         *
         * @param lease positive
         * @return this builder
         * @throws NullPointerException if {@code lease} is null
         * @throws IllegalArgumentException if it is zero or negative
         * @throws IllegalStateException if already set
         */
        public Builder<J> lease(Duration lease) {
            Durations.requirePositive(lease, "lease");
            Checks.unset(this.lease, "lease");
            this.lease = lease;
            return this;
        }

        /**
         * The listener called with each job that becomes a dead letter, after the store recorded
         * it, on the thread that completed its last attempt. Its exceptions are logged once and
         * never reach the queue (ADR core-0002). Set once; combine several with
         * {@link Consumer#andThen}.
         *
         * @param listener the listener
         * @return this builder
         * @throws NullPointerException if {@code listener} is null
         * @throws IllegalStateException if already set
         */
        public Builder<J> onDeadLetter(Consumer<? super JobRecord<J>> listener) {
            Objects.requireNonNull(listener, "listener");
            Checks.unset(this.onDeadLetter, "onDeadLetter");
            this.onDeadLetter = listener;
            return this;
        }

        /**
         * The listener called with each job that succeeded, after the store recorded it (never for
         * a result the store fenced), on the thread that completed the attempt or the store write.
         * Its exceptions are logged once and never reach the queue (ADR core-0002). Set once;
         * combine several with {@link Consumer#andThen}.
         *
         * @param listener the listener, given the job as it was claimed (earlier failed attempts included)
         * @return this builder
         * @throws NullPointerException if {@code listener} is null
         * @throws IllegalStateException if already set
         */
        public Builder<J> onSuccess(Consumer<? super JobRecord<J>> listener) {
            Objects.requireNonNull(listener, "listener");
            Checks.unset(this.onSuccess, "onSuccess");
            this.onSuccess = listener;
            return this;
        }

        /**
         * Builds and starts the queue: it listens for the store's work signal and starts
         * claiming due jobs (including jobs whose leases expired).
         *
         * @return the running queue
         */
        public RetryQueue<J> build() {
            RetryQueue<J> queue = new RetryQueue<>(this);
            Cancellable signal = queue.store.onWorkAvailable(queue::pump);
            boolean late;
            queue.lock.lock();
            try {
                late = queue.state == State.TERMINATED;
                if (!late) {
                    queue.workSignal = signal;
                }
            } finally {
                queue.lock.unlock();
            }
            if (late) {
                signal.cancel();
            }
            queue.pump();
            return queue;
        }
    }
}
