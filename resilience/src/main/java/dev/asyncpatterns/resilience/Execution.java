package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.internal.CapturedContext;
import dev.asyncpatterns.core.internal.Failures;
import dev.asyncpatterns.core.time.Cancellable;
import io.github.resilience4j.retry.Retry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * One Execution per call. It runs the call-level policies in composition order, outermost first:
 * FallbackPolicy (in finish), DeadlinePolicy (a timer from start, and a check before each
 * backoff), RetryPolicy (onAttemptDone decides), HedgingPolicy (runAttempt races a slow primary
 * in a HedgedRound); each attempt then passes the per-attempt policies (see Attempt). It owns
 * the returned future. Counters and events go through Events.
 *
 * Sequencing: attempts run strictly one after another (attempt k+1 is started only from the
 * completion of attempt k, via a backoff timer), so `attempt`, `lastFailure` and the retry
 * context are only touched by that chain; each hand-off is a CompletableFuture completion or a
 * TimeSource.schedule, both of which give happens-before. Only three things race with the chain:
 * the caller cancelling the result, the deadline timer and (for hedged attempts) other hedges.
 *
 * `finished` (0 -> 1 by CAS) elects the single thread that ends the call: normal completion,
 * deadline, or the caller's cancellation/completion of `result`. The winner cancels `current`
 * (whatever is running: an Attempt, a HedgedRound or a backoff timer) and the deadline timer.
 * Anything that publishes a new `current` re-checks `finished` afterwards and cancels what it
 * published if the call ended meanwhile; cancel() is idempotent, so double cancellation is fine.
 *
 * Hedging: the primary attempt reports straight to the Execution unless a HedgedRound has been
 * attached to it (Attempt.attach, a CAS that loses if the attempt already reported). A
 * synchronously completed primary therefore never allocates a round or a timer: the happy path
 * costs one Execution, one Attempt and the result future.
 */
/** The state of one decorated call. */
final class Execution<T> {

    private static final VarHandle FINISHED;

    static {
        try {
            FINISHED = MethodHandles.lookup().findVarHandle(Execution.class, "finished", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final AsyncResilience<T> policies;
    final AsyncSupplier<? extends T> operation;
    final ResultFuture<T> result;
    /** The caller's request context, restored around every attempt, hedge and fallback. */
    final CapturedContext context;

    private final long startNanos;
    private final Retry.@Nullable AsyncContext<T> retryContext;
    private volatile int finished;
    private volatile @Nullable Cancellable current;
    private volatile @Nullable Cancellable deadlineTimer;
    private volatile int attempt;
    private volatile @Nullable Throwable lastFailure;

    Execution(AsyncResilience<T> policies, AsyncSupplier<? extends T> operation) {
        this.policies = policies;
        Events events = policies.events;
        this.operation = operation;
        this.result = new ResultFuture<>(this);
        this.context = CapturedContext.capture();
        // read only when something needs it: the deadline or the CallFinished event
        this.startNanos = policies.deadline != null || events.listening ? events.time.nanoTime() : 0;
        this.retryContext = policies.retry == null ? null : policies.retry.start();
    }

    Events events() {
        return policies.events;
    }

    void start() {
        policies.events.callStarted();
        runAttempt();
        DeadlinePolicy deadline = policies.deadline;
        if (deadline != null && finished == 0) {
            Cancellable timer = deadline.start(startNanos, () -> onDeadline(deadline));
            deadlineTimer = timer;
            if (finished != 0) {
                timer.cancel();
            }
        }
    }

    /** Starts the next attempt: from start(), or from a backoff timer. */
    void runAttempt() {
        if (finished != 0) {
            return;
        }
        int number = attempt + 1;
        attempt = number;
        Attempt<T> primary = new Attempt<>(this, number, 0, null);
        current = primary;
        if (finished != 0) {
            primary.cancel();
            return;
        }
        primary.start();
        HedgingPolicy hedging = policies.hedging;
        if (hedging != null && !primary.isSettled() && finished == 0) {
            HedgedRound<T> round = hedging.hedge(this, number, primary);
            if (round != null) {
                current = round;
                if (finished != 0) {
                    round.cancel();
                } else {
                    round.scheduleNextHedge();
                }
            }
        }
    }

    /**
     * The outcome of attempt {@code number} (after hedging). Called once per attempt.
     *
     * @param kind the failure's kind when the caller knows it better than its type tells
     *     (rate limiter failures), else null
     */
    void onAttemptDone(int number, @Nullable T value, @Nullable Throwable failure, @Nullable FailureKind kind) {
        if (finished != 0 || number != attempt) {
            return;
        }
        RetryPolicy retry = policies.retry;
        Retry.AsyncContext<T> retrying = retryContext; // non-null exactly when retry is
        if (failure == null) {
            long delay =
                    retry == null || retrying == null ? RetryPolicy.FINAL : retry.afterValue(retrying, number, value);
            if (delay >= 0) {
                scheduleRetry(number, delay, null);
            } else if (delay == RetryPolicy.EXHAUSTED && retry != null) {
                finish(retry.exhausted(), FailureKind.ERROR);
            } else {
                succeed(value);
            }
            return;
        }
        lastFailure = failure;
        long delay = retry == null || retrying == null ? RetryPolicy.FINAL : retry.afterFailure(retrying, failure);
        if (delay >= 0) {
            scheduleRetry(number, delay, failure);
            return;
        }
        finish(failure, kind != null ? kind : FailureKind.of(failure));
    }

    private void scheduleRetry(int number, long delayMillis, @Nullable Throwable failure) {
        long delayNanos = RetryPolicy.toNanos(delayMillis);
        DeadlinePolicy deadline = policies.deadline;
        if (deadline != null && !deadline.allows(startNanos, delayNanos)) {
            finish(
                    deadline.exceeded(attempt, lastFailure, "the next retry would start after it"),
                    FailureKind.DEADLINE);
            return;
        }
        var delay = RetryPolicy.delay(delayNanos);
        events().retryScheduled(number + 1, delay, failure);
        Cancellable timer = events().time.schedule(delay, this::runAttempt);
        current = timer;
        if (finished != 0) {
            timer.cancel();
        }
    }

    private void onDeadline(DeadlinePolicy deadline) {
        finish(deadline.exceeded(attempt, lastFailure, "cancelled attempt " + attempt), FailureKind.DEADLINE);
    }

    /** Ends the call once with a value: stops running work, completes the result. */
    private void succeed(@Nullable T value) {
        if (!FINISHED.compareAndSet(this, 0, 1)) {
            return;
        }
        stopWork();
        settle(events().counters.succeeded, null, null, () -> result.completeInternally(value));
    }

    /** Ends the call once with a failure: stops running work, applies a fallback, completes the result. */
    private void finish(Throwable failure, FailureKind kind) {
        if (!FINISHED.compareAndSet(this, 0, 1)) {
            return;
        }
        stopWork();
        Counters counters = events().counters;
        FallbackPolicy<T> fallback = policies.fallback;
        CompletableFuture<? extends T> replacement;
        try {
            replacement = fallback == null ? null : context.call(() -> fallback.replace(failure, kind));
        } catch (Throwable fallbackFailure) {
            fallbackFailed(failure, fallbackFailure);
            return;
        }
        if (replacement == null) {
            settle(counters.failed, kind, failure, () -> result.failInternally(failure));
            return;
        }
        if (!replacement.isDone()) {
            // an async fallback: the caller cancelling (or completing) the result stops it
            result.whenComplete((ignoredValue, ignoredFailure) -> replacement.cancel(true));
        }
        replacement.whenComplete((replacementValue, fallbackFailure) -> {
            if (fallbackFailure != null) {
                fallbackFailed(failure, Failures.unwrap(fallbackFailure));
                return;
            }
            events().fallbackApplied(kind, failure);
            settle(counters.succeeded, kind, null, () -> result.completeInternally(replacementValue));
        });
    }

    /** The fallback threw or its future failed: the call fails with that, the original failure suppressed. */
    private void fallbackFailed(Throwable failure, Throwable fallbackFailure) {
        if (fallbackFailure != failure) {
            fallbackFailure.addSuppressed(failure);
        }
        settle(
                events().counters.failed,
                FailureKind.of(fallbackFailure),
                fallbackFailure,
                () -> result.failInternally(fallbackFailure));
    }

    /*
     * Counts the outcome that actually reached the caller. The count goes up *before* the result
     * completes, so a caller reading stats() as soon as its future completes sees its own call.
     * Between this thread winning `finished` and completing `result`, the caller may cancel or
     * complete the result itself; then the caller's outcome stands (its onResultCompletedExternally
     * lost the CAS) and the count moves from `counter` to cancelled.
     */
    private void settle(
            LongAdder counter, @Nullable FailureKind kind, @Nullable Throwable failure, BooleanSupplier deliver) {
        counter.increment();
        if (deliver.getAsBoolean()) {
            finished(kind, failure);
        } else {
            counter.decrement();
            events().counters.cancelled.increment();
            finished(FailureKind.CANCELLED, null);
        }
    }

    /** The caller cancelled or completed the result future itself. */
    void onResultCompletedExternally() {
        if (!FINISHED.compareAndSet(this, 0, 1)) {
            return;
        }
        stopWork();
        events().counters.cancelled.increment();
        finished(FailureKind.CANCELLED, null);
    }

    private void finished(@Nullable FailureKind kind, @Nullable Throwable failure) {
        Events events = policies.events;
        if (events.listening) { // spares the volatile read of `attempt` otherwise
            events.callFinished(attempt, startNanos, kind, failure);
        }
    }

    private void stopWork() {
        Cancellable timer = deadlineTimer;
        if (timer != null) {
            timer.cancel();
        }
        Cancellable running = current;
        if (running != null) {
            running.cancel();
        }
    }

    /*
     * The future handed to the caller. Completing it from outside (cancel, complete,
     * completeExceptionally) ends the call and stops the work; the decorator completes it through
     * the *Internally methods.
     */
    static final class ResultFuture<T> extends CompletableFuture<T> {

        private final Execution<T> execution;

        ResultFuture(Execution<T> execution) {
            this.execution = execution;
        }

        boolean completeInternally(@Nullable T value) {
            return super.complete(value);
        }

        boolean failInternally(Throwable failure) {
            return super.completeExceptionally(failure);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return external(super.cancel(mayInterruptIfRunning));
        }

        @Override
        public boolean complete(T value) {
            return external(super.complete(value));
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            return external(super.completeExceptionally(failure));
        }

        /** A caller completed the result from outside: end the call. */
        private boolean external(boolean completedHere) {
            if (completedHere) {
                execution.onResultCompletedExternally();
            }
            return completedHere;
        }
    }
}
