package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.internal.CapturedContext;
import dev.asyncpatterns.core.time.Cancellable;
import io.github.resilience4j.retry.MaxRetriesExceededException;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/*
 * Maintainer's note.
 *
 * One Execution per call. It is the retry loop and the deadline, and owns the returned future.
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
 *
 * Permits (circuit breaker permission, bulkhead permit) belong to Attempt; see its note.
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

    final AsyncResilience<T> policy;
    final Supplier<? extends CompletionStage<? extends T>> operation;
    final ResultFuture<T> result;
    final long startNanos;
    /** The caller's request context, restored around every attempt, hedge and fallback. */
    final CapturedContext context;
    private final boolean timed;
    private final Retry.AsyncContext<T> retryContext;
    private volatile int finished;
    private volatile Cancellable current;
    private volatile Cancellable deadlineTimer;
    private volatile int attempt;
    private volatile Throwable lastFailure;

    Execution(AsyncResilience<T> policy, Supplier<? extends CompletionStage<? extends T>> operation) {
        this.policy = policy;
        this.operation = operation;
        this.result = new ResultFuture<>(this);
        this.context = CapturedContext.capture();
        // read only when something needs it: the deadline or the CallFinished event
        this.timed = policy.deadlineNanos > 0 || policy.eventsWanted();
        this.startNanos = timed ? policy.time.nanoTime() : 0;
        this.retryContext = policy.retry == null ? null : policy.retry.asyncContext();
    }

    void start() {
        policy.counters.calls.increment();
        runAttempt();
        if (policy.deadlineNanos > 0 && finished == 0) {
            long remaining = policy.deadlineNanos - (policy.time.nanoTime() - startNanos);
            Cancellable timer = policy.time.schedule(Duration.ofNanos(Math.max(0, remaining)), this::onDeadline);
            deadlineTimer = timer;
            if (finished != 0) {
                timer.cancel();
            }
        }
    }

    boolean isFinished() {
        return finished != 0;
    }

    int attempt() {
        return attempt;
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
        if (policy.hedging != null && !primary.isSettled() && finished == 0) {
            HedgedRound<T> round = new HedgedRound<>(this, number, primary);
            if (primary.attach(round)) {
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
    void onAttemptDone(int number, T value, Throwable failure, FailureKind kind) {
        if (finished != 0 || number != attempt) {
            return;
        }
        if (failure == null) {
            if (retryContext != null) {
                long delay = retryContext.onResult(value);
                if (delay >= 0) {
                    scheduleRetry(number, delay, null);
                    return;
                }
                if (exhaustedOnResult(number, value)) {
                    finish(null, MaxRetriesExceededException.createMaxRetriesExceededException(policy.retry),
                            FailureKind.ERROR);
                    return;
                }
                retryContext.onComplete();
            }
            finish(value, null, null);
            return;
        }
        lastFailure = failure;
        if (retryContext != null && failure instanceof Exception) {
            long delay = retryContext.onError(failure);
            if (delay >= 0) {
                scheduleRetry(number, delay, failure);
                return;
            }
        }
        finish(null, failure, kind != null ? kind : FailureKind.of(failure));
    }

    private boolean exhaustedOnResult(int number, T value) {
        RetryConfig config = policy.retry.getRetryConfig();
        if (!config.isFailAfterMaxAttempts() || number < config.getMaxAttempts()) {
            return false;
        }
        Predicate<T> retryOnResult = config.getResultPredicate();
        return retryOnResult != null && retryOnResult.test(value);
    }

    private void scheduleRetry(int number, long delayMillis, Throwable failure) {
        long delayNanos = delayMillis >= Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE
                : TimeUnit.MILLISECONDS.toNanos(delayMillis);
        long deadline = policy.deadlineNanos;
        if (deadline > 0) {
            long elapsed = policy.time.nanoTime() - startNanos;
            if (delayNanos >= deadline - elapsed) {
                finish(null, deadlineExceeded("the next retry would start after it"), FailureKind.DEADLINE);
                return;
            }
        }
        policy.counters.retries.increment();
        Duration delay = Duration.ofNanos(delayNanos);
        if (RetryAttemptEvent.enabled()) { // JFR, no allocation unless a recording wants it
            var event = new RetryAttemptEvent();
            event.decorator = policy.name;
            event.attempt = number + 1;
            event.delay = delayNanos;
            event.failure = failure == null ? null : failure.getClass().getName();
            event.message = failure == null ? null : failure.getMessage();
            event.commit();
        }
        if (policy.eventsWanted()) {
            policy.emit(new ResilienceEvent.RetryScheduled(policy.name, policy.time.instant(), number + 1, delay,
                    failure));
        }
        Cancellable timer = policy.time.schedule(delay, this::runAttempt);
        current = timer;
        if (finished != 0) {
            timer.cancel();
        }
    }

    private void onDeadline() {
        finish(null, deadlineExceeded("cancelled attempt " + attempt), FailureKind.DEADLINE);
    }

    private DeadlineExceededException deadlineExceeded(String detail) {
        return new DeadlineExceededException("AsyncResilience[" + policy.name + "]: deadline " + policy.deadline
                + " exceeded after " + attempt + " attempt(s); " + detail, lastFailure);
    }

    /** Ends the call once: stops running work, applies a fallback, completes the result. */
    private void finish(T value, Throwable failure, FailureKind kind) {
        if (!FINISHED.compareAndSet(this, 0, 1)) {
            return;
        }
        stopWork();
        Counters counters = policy.counters;
        if (failure == null) {
            settle(counters.succeeded, null, null, () -> result.completeInternally(value));
            return;
        }
        Function<Throwable, ? extends CompletionStage<? extends T>> fallback =
                policy.fallbacks == null ? null : policy.fallbacks.find(failure, kind);
        if (fallback == null) {
            settle(counters.failed, kind, failure, () -> result.failInternally(failure));
            return;
        }
        CompletableFuture<? extends T> replacement;
        try {
            replacement = context.apply(fallback, failure).toCompletableFuture();
        } catch (Throwable fallbackFailure) {
            fallbackFailed(failure, fallbackFailure);
            return;
        }
        if (!replacement.isDone()) {
            // an async fallback: the caller cancelling (or completing) the result stops it
            result.whenComplete((ignoredValue, ignoredFailure) -> replacement.cancel(true));
        }
        replacement.whenComplete((replacementValue, fallbackFailure) -> {
            if (fallbackFailure != null) {
                fallbackFailed(failure, unwrap(fallbackFailure));
                return;
            }
            counters.fallbacks.increment();
            if (policy.eventsWanted()) {
                policy.emit(new ResilienceEvent.FallbackApplied(policy.name, policy.time.instant(), kind, failure));
            }
            settle(counters.succeeded, kind, null, () -> result.completeInternally(replacementValue));
        });
    }

    /** The fallback threw or its future failed: the call fails with that, the original failure suppressed. */
    private void fallbackFailed(Throwable failure, Throwable fallbackFailure) {
        if (fallbackFailure != failure) {
            fallbackFailure.addSuppressed(failure);
        }
        settle(policy.counters.failed, FailureKind.of(fallbackFailure), fallbackFailure,
                () -> result.failInternally(fallbackFailure));
    }

    /*
     * Counts the outcome that actually reached the caller. The count goes up *before* the result
     * completes, so a caller reading stats() as soon as its future completes sees its own call.
     * Between this thread winning `finished` and completing `result`, the caller may cancel or
     * complete the result itself; then the caller's outcome stands (its onResultCompletedExternally
     * lost the CAS) and the count moves from `counter` to cancelled.
     */
    private void settle(LongAdder counter, FailureKind kind, Throwable failure, BooleanSupplier deliver) {
        counter.increment();
        if (deliver.getAsBoolean()) {
            finished(kind, failure);
        } else {
            counter.decrement();
            policy.counters.cancelled.increment();
            finished(FailureKind.CANCELLED, null);
        }
    }

    /** The caller cancelled or completed the result future itself. */
    void onResultCompletedExternally() {
        if (!FINISHED.compareAndSet(this, 0, 1)) {
            return;
        }
        stopWork();
        policy.counters.cancelled.increment();
        finished(FailureKind.CANCELLED, null);
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

    private void finished(FailureKind kind, Throwable failure) {
        if (policy.eventsWanted()) {
            policy.emit(new ResilienceEvent.CallFinished(policy.name, policy.time.instant(), attempt,
                    timed ? Duration.ofNanos(policy.time.nanoTime() - startNanos) : Duration.ZERO, kind, failure));
        }
    }

    static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
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

        boolean completeInternally(T value) {
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
