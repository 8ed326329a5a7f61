package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
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
 * throws, returns null, or its stage fails, that is a failed attempt like any other. If the
 * store itself fails to record an outcome, the job stays IN_FLIGHT in the store (logged;
 * store.recover() returns it to PENDING at the next start) and the slot is freed.
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
 * {@link #shutdown(ShutdownMode)}. Delivery is at-least-once (a handler may see a job again after
 * a crash with a durable store), so handlers should be idempotent.
 *
 * <p>Thread-safe. The handler is called on the thread that submits a job, completes a previous
 * attempt, or runs the time source's timer; it must not block (return a stage instead).
 * Shutdown never interrupts running attempts.
 *
 * @param <J> the job type
 */
public final class RetryQueue<J> {

    private static final Logger LOG = LoggerFactory.getLogger(RetryQueue.class);

    /** How a {@link #shutdown(ShutdownMode)} treats the jobs not finished yet. */
    public enum ShutdownMode {
        /**
         * Keep attempting until every live job succeeded or became a dead letter (waiting for
         * backoffs); then complete with an empty list.
         */
        DRAIN,
        /**
         * Start no new attempt; wait for the running attempts to settle (their outcomes are
         * recorded as usual); then remove every pending job from the store and return them.
         */
        HAND_BACK
    }

    /** The default backoff: exponential from 100 ms, full jitter, capped at 1 minute, 5 attempts. */
    public static final Backoff DEFAULT_BACKOFF = Backoff.exponential(Duration.ofMillis(100))
            .jitter(Backoff.Jitter.FULL).cap(Duration.ofMinutes(1)).maxAttempts(5);

    /** The default number of attempts running at once. */
    public static final int DEFAULT_CONCURRENCY = 16;

    /** The default bound on live (pending plus in-flight) jobs. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private enum State { RUNNING, DRAINING, HANDING_BACK, TERMINATED }

    private final String name;
    private final Function<? super J, ? extends CompletionStage<?>> handler;
    private final Backoff backoff;
    private final Predicate<? super Throwable> retryOn;
    private final int concurrency;
    private final int capacity;
    private final Duration attemptTimeout;
    private final JobStore<J> store;
    private final TimeSource time;
    private final Listeners<JobRecord<J>> deadLetterListeners;

    private final ReentrantLock lock = new ReentrantLock();
    private State state = State.RUNNING;
    private int slots;
    private boolean pumping;
    private int submitting;
    private boolean again;
    private Cancellable wake;
    private Instant wakeAt;
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
        this.retryOn = builder.retryOn;
        this.concurrency = builder.concurrency;
        this.capacity = builder.capacity;
        this.attemptTimeout = builder.attemptTimeout;
        this.store = builder.store != null ? builder.store : new InMemoryJobStore<>();
        this.time = builder.time != null ? builder.time : TimeSource.system();
        this.deadLetterListeners = new Listeners<>(this.toString());
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
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <J> Builder<J> builder(String name, Function<? super J, ? extends CompletionStage<?>> handler) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(handler, "handler");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, was \"" + name + "\"");
        }
        return new Builder<>(name, handler);
    }

    /**
     * Adds a job. The returned future completes with the job's id once the store has
     * acknowledged it; from then on the job is never lost (see the class guarantee). The first
     * attempt starts as soon as a slot is free, possibly on this thread before this method returns.
     *
     * @param job the job
     * @return its id once acknowledged; failed with {@link ClosedException} after
     *     {@link #shutdown}, or {@link RejectedExecutionException} when {@code capacity} jobs are
     *     live (nothing was stored in either case)
     * @throws NullPointerException if {@code job} is null
     */
    public CompletableFuture<JobId> submit(J job) {
        Objects.requireNonNull(job, "job");
        lock.lock();
        try {
            if (state != State.RUNNING) {
                return CompletableFuture.failedFuture(closed("submit refused"));
            }
            submitting++; // termination waits for this add, so no job is stored after hand-back
        } finally {
            lock.unlock();
        }
        CompletableFuture<JobId> acknowledged = new CompletableFuture<>();
        CompletionStage<JobRecord<J>> added;
        try {
            added = store.add(job, time.instant(), capacity);
        } catch (RuntimeException | Error failure) {
            added = CompletableFuture.failedFuture(failure);
        }
        added.whenComplete((record, failure) -> {
            lock.lock();
            try {
                submitting--;
            } finally {
                lock.unlock();
            }
            if (failure != null) {
                acknowledged.completeExceptionally(Execution.unwrap(failure));
                checkTerminated();
                return;
            }
            submitted.increment();
            acknowledged.complete(record.id());
            pump();
        });
        return acknowledged;
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
        return store.replay(id, time.instant()).toCompletableFuture().thenApply(done -> {
            if (done) {
                replayed.increment();
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
     * Registers a listener called with each job that becomes a dead letter, after the store
     * recorded it, on the thread that completed its last attempt. Exceptions are caught and logged.
     *
     * @param listener the listener
     * @return this queue
     * @throws NullPointerException if {@code listener} is null
     */
    public RetryQueue<J> onDeadLetter(Consumer<? super JobRecord<J>> listener) {
        deadLetterListeners.add(listener);
        return this;
    }

    /**
     * A snapshot of the queue's counters and the store's job counts. Never blocks for long.
     *
     * @return the stats
     */
    public RetryQueueStats stats() {
        JobStore.Counts counts = store.counts();
        return new RetryQueueStats(submitted.sum(), counts.pending(), counts.inFlight(), counts.dead(), attempts.sum(),
                succeeded.sum(), retried.sum(), deadLettered.sum(), replayed.sum(), purged.sum(), storeFailures.sum());
    }

    /**
     * Stops accepting jobs and finishes as {@code mode} says. Idempotent: later calls return the
     * same future and their mode is ignored.
     *
     * @param mode drain everything, or hand back the pending jobs
     * @return completes when the queue is terminated: with an empty list after
     *     {@link ShutdownMode#DRAIN}, with the pending jobs (removed from the store, histories
     *     included) after {@link ShutdownMode#HAND_BACK}
     * @throws NullPointerException if {@code mode} is null
     */
    public CompletableFuture<List<JobRecord<J>>> shutdown(ShutdownMode mode) {
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
                claim = Stages.toFuture(store.claimDue(time.instant(), reserved));
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
            JobStore.Claim<J> claimed = null;
            Throwable failure = null;
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
    private boolean afterClaim(int reserved, JobStore.Claim<J> claimed, Throwable failure) {
        List<JobRecord<J>> jobs = List.of();
        Optional<Instant> nextDue = Optional.empty();
        if (failure != null) {
            storeFailures.increment();
            LOG.warn("{}: claiming due jobs failed; will retry on the next event", this, Execution.unwrap(failure));
        } else {
            jobs = claimed.jobs();
            nextDue = claimed.nextDue();
        }
        Cancellable replaced = null;
        Instant armAt = null;
        lock.lock();
        try {
            slots -= reserved - jobs.size();
            if (nextDue.isPresent() && state != State.HANDING_BACK && state != State.TERMINATED
                    && (wakeAt == null || nextDue.get().isBefore(wakeAt))) {
                replaced = wake;
                wakeAt = nextDue.get();
                armAt = wakeAt;
                wake = null;
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
        for (JobRecord<J> job : jobs) {
            attempt(job);
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

    private void attempt(JobRecord<J> job) {
        attempts.increment();
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
        if (attemptTimeout != null) {
            CompletableFuture<?> running = Stages.toFuture(stage);
            if (!running.isDone()) {
                // core's cancelling timeout: a hung handler cannot hold a slot for ever
                stage = Futures.withTimeout(running, attemptTimeout, time);
            }
        }
        stage.whenComplete((ignored, failure) -> settle(job, startedAt, failure));
    }

    private void settle(JobRecord<J> job, Instant startedAt, Throwable failure) {
        Instant now = time.instant();
        CompletionStage<Boolean> recorded;
        Runnable onRecorded;
        try {
            if (failure == null) {
                recorded = store.succeeded(job.id());
                onRecorded = succeeded::increment;
            } else {
                Throwable cause = Execution.unwrap(failure);
                int number = job.attemptsSinceReplay() + 1;
                JobAttempt failed = new JobAttempt(number, startedAt, now, cause);
                Optional<Duration> delay = retryOn.test(cause) ? backoff.delay(number) : Optional.empty();
                if (delay.isPresent()) {
                    recorded = store.retryLater(job.id(), failed, now.plus(delay.get()));
                    onRecorded = retried::increment;
                } else {
                    recorded = store.deadLetter(job.id(), failed);
                    onRecorded = () -> {
                        deadLettered.increment();
                        if (deadLetterListeners.hasAny()) {
                            List<JobAttempt> history = new ArrayList<>(job.history());
                            history.add(failed);
                            deadLetterListeners.emit(new JobRecord<>(job.id(), job.job(), job.submittedAt(), history,
                                    number, job.replays()));
                        }
                    };
                }
            }
        } catch (RuntimeException | Error storeFailure) {
            recorded = CompletableFuture.failedFuture(storeFailure);
            onRecorded = () -> { };
        }
        Runnable then = onRecorded;
        recorded.whenComplete((applied, storeFailure) -> {
            if (storeFailure != null) {
                storeFailures.increment();
                LOG.error("{}: recording the outcome of {} failed; it stays in flight in the store until recover()",
                        this, job.id(), storeFailure);
            } else if (Boolean.TRUE.equals(applied)) {
                then.run();
            }
            release();
        });
    }

    private void release() {
        lock.lock();
        try {
            slots--;
        } finally {
            lock.unlock();
        }
        pump();
        checkTerminated();
    }

    private void checkTerminated() {
        boolean handBack;
        lock.lock();
        try {
            if (state == State.RUNNING || state == State.TERMINATED || slots > 0 || pumping || submitting > 0) {
                return;
            }
            if (state == State.DRAINING && store.counts().live() > 0) {
                return;
            }
            handBack = state == State.HANDING_BACK;
            state = State.TERMINATED;
            if (wake != null) {
                wake.cancel();
                wake = null;
                wakeAt = null;
            }
        } finally {
            lock.unlock();
        }
        if (!handBack) {
            terminated.complete(List.of());
            return;
        }
        store.removePending().whenComplete((pending, failure) -> {
            if (failure != null) {
                storeFailures.increment();
                terminated.completeExceptionally(Execution.unwrap(failure));
            } else {
                terminated.complete(pending);
            }
        });
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
        private Predicate<? super Throwable> retryOn;
        private int concurrency = DEFAULT_CONCURRENCY;
        private boolean concurrencySet;
        private int capacity = DEFAULT_CAPACITY;
        private boolean capacitySet;
        private Duration attemptTimeout;
        private JobStore<J> store;
        private TimeSource time;

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
         * Where jobs are kept (default: a new {@link InMemoryJobStore}). Jobs a previous process
         * left in flight in this store are returned to pending when the queue is built.
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
         * Builds and starts the queue: recovers jobs left in flight in the store and starts
         * attempting the pending ones.
         *
         * @return the running queue
         */
        public RetryQueue<J> build() {
            if (retryOn == null) {
                retryOn = failure -> failure instanceof Exception;
            }
            RetryQueue<J> queue = new RetryQueue<>(this);
            queue.store.recover(queue.time.instant()).whenComplete((recovered, failure) -> {
                if (failure != null) {
                    queue.storeFailures.increment();
                    LOG.warn("{}: recovering in-flight jobs failed", queue, failure);
                } else if (recovered > 0) {
                    LOG.info("{}: {} job(s) left in flight by a previous run returned to pending", queue, recovered);
                }
                queue.pump();
            });
            return queue;
        }
    }
}
