package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.sync.AsyncRateLimiter;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.future.Futures;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/*
 * Maintainer's note.
 *
 * One attempt (or one hedge of an attempt): circuit breaker -> rate limiter -> bulkhead ->
 * per-attempt timeout -> the call. It owns the permits it takes and gives each back exactly once.
 *
 * State machine (`state`, CAS):
 *   NEW --start--> [waiting for the rate limiter: still NEW, `pending` = permit future]
 *   NEW --call started--> CALLING --call completed--> SETTLED
 *   NEW --refused (circuit open / bulkhead full / limiter failed)--> SETTLED
 *   NEW or CALLING --cancel()--> CANCELLED
 * SETTLED and CANCELLED are final. Whoever moves the state out of NEW/CALLING decides what
 * happens to the permits:
 *   - circuit breaker permission: recorded (onResult/onError with the measured duration) only
 *     by the CALLING -> SETTLED transition; every other path that acquired it calls
 *     releasePermission() (refused later in the chain, or cancelled);
 *   - bulkhead permit: taken just before the call, released by bulkhead.onComplete() in the
 *     call's completion handler, which runs exactly once whatever the outcome (a cancelled
 *     call's future completes as cancelled, so the handler runs then too).
 * `pending` is the one future that can be cancelled right now (permit wait or the call). It is
 * published before `state` is re-checked, and cancel() sets `state` before reading `pending`,
 * so at least one side cancels it (both may: cancel is idempotent).
 *
 * The outcome goes to the Execution directly, or to the HedgedRound once one is attached
 * (`sink` CAS from null; the attempt's own report CASes null -> DONE first, so exactly one wins).
 */
/** One attempt of a decorated call. */
final class Attempt<T> implements Cancellable, BiConsumer<Object, Throwable> {

    private static final int NEW = 0;
    private static final int CALLING = 1;
    private static final int SETTLED = 2;
    private static final int CANCELLED = 3;
    private static final Object DONE = new Object();

    private static final VarHandle STATE;
    private static final VarHandle SINK;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(Attempt.class, "state", int.class);
            SINK = lookup.findVarHandle(Attempt.class, "sink", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Execution<T> execution;
    final int number;
    final int hedge;
    private volatile int state;
    private volatile Object sink;
    private volatile CompletableFuture<?> pending;
    private boolean circuitPermit;
    private long callStartNanos;

    Attempt(Execution<T> execution, int number, int hedge, HedgedRound<T> round) {
        this.execution = execution;
        this.number = number;
        this.hedge = hedge;
        this.sink = round;
    }

    /** Attaches a hedged round; false if this attempt already reported its outcome. */
    boolean attach(HedgedRound<T> round) {
        return SINK.compareAndSet(this, null, round);
    }

    boolean isSettled() {
        int s = state;
        return s == SETTLED || s == CANCELLED;
    }

    void start() {
        if (state != NEW) {
            return;
        }
        AsyncResilience<T> policy = execution.policy;
        policy.counters.attempts.increment();
        CircuitBreaker circuitBreaker = policy.circuitBreaker;
        if (circuitBreaker != null) {
            boolean permitted = circuitBreaker.tryAcquirePermission();
            policy.observeCircuit();
            if (!permitted) {
                refuse(CallNotPermittedException.createCallNotPermittedException(circuitBreaker),
                        FailureKind.CIRCUIT_OPEN);
                return;
            }
            circuitPermit = true;
        }
        AsyncRateLimiter limiter = policy.rateLimiter;
        if (limiter == null) {
            afterRateLimiter(null);
            return;
        }
        CompletableFuture<Void> permit;
        try {
            permit = limiter.acquire();
        } catch (RuntimeException failure) {
            permit = CompletableFuture.failedFuture(failure);
        }
        if (permit.isDone() && !permit.isCompletedExceptionally()) {
            afterRateLimiter(null); // tokens were there: no allocation on the happy path
            return;
        }
        pending = permit; // cancel() withdraws the request without consuming tokens
        permit.whenComplete((ignored, failure) -> afterRateLimiter(failure));
        if (state == CANCELLED) {
            permit.cancel(true);
        }
    }

    /** Continues after the rate limiter granted a permit (failure == null) or failed. */
    private void afterRateLimiter(Throwable failure) {
        if (state != NEW) {
            // cancelled while waiting; a permit granted in the same instant is not given back
            releaseCircuitPermit();
            return;
        }
        if (failure != null) {
            releaseCircuitPermit();
            refuse(Execution.unwrap(failure), FailureKind.RATE_LIMITED);
            return;
        }
        AsyncResilience<T> policy = execution.policy;
        Bulkhead bulkhead = policy.bulkhead;
        if (bulkhead != null && !bulkhead.tryAcquirePermission()) {
            releaseCircuitPermit();
            refuse(BulkheadFullException.createBulkheadFullException(bulkhead), FailureKind.BULKHEAD_FULL);
            return;
        }
        if (policy.eventsWanted()) {
            policy.emit(new ResilienceEvent.AttemptStarted(policy.name, policy.time.instant(), number, hedge));
        }
        callStartNanos = policy.time.nanoTime();
        CompletableFuture<? extends T> call = invoke();
        if (!STATE.compareAndSet(this, NEW, CALLING)) {
            call.cancel(true); // cancelled while starting; the handler below releases
        }
        if (call.isDone() && !call.isCompletedExceptionally()) {
            accept(call.join(), null); // completed synchronously: skip the dependent stage
            return;
        }
        pending = call;
        call.whenComplete(this);
        if (state == CANCELLED) {
            call.cancel(true);
        }
    }

    private CompletableFuture<? extends T> invoke() {
        CompletionStage<? extends T> stage;
        try {
            stage = execution.context.get(execution.operation); // retries and hedges run on timers
        } catch (Throwable failure) {
            return CompletableFuture.failedFuture(failure);
        }
        if (stage == null) {
            return CompletableFuture.failedFuture(new NullPointerException(
                    "AsyncResilience[" + execution.policy.name + "]: the operation returned a null stage"));
        }
        CompletableFuture<? extends T> future = Stages.toFuture(stage);
        Duration timeout = execution.policy.attemptTimeout;
        if (timeout != null && !future.isDone()) {
            // core's cancelling timeout: fails with TimeoutException and cancels the call
            future = Futures.withTimeout(future, timeout, execution.policy.time);
        }
        return future;
    }

    /** The call completed: value or failure, or cancellation. Runs exactly once. */
    @Override
    public void accept(Object value, Throwable failure) {
        AsyncResilience<T> policy = execution.policy;
        long latency = policy.time.nanoTime() - callStartNanos;
        if (policy.bulkhead != null) {
            policy.bulkhead.onComplete();
        }
        if (!STATE.compareAndSet(this, CALLING, SETTLED)) {
            // cancelled: by the caller, the deadline, or as a hedge loser
            releaseCircuitPermit();
            if (policy.eventsWanted()) {
                policy.emit(new ResilienceEvent.AttemptCancelled(policy.name, policy.time.instant(), number, hedge));
            }
            return;
        }
        CircuitBreaker circuitBreaker = policy.circuitBreaker;
        if (failure == null) {
            if (circuitBreaker != null) {
                circuitBreaker.onResult(latency, TimeUnit.NANOSECONDS, value);
                policy.observeCircuit();
            }
            if (policy.latencies != null) {
                policy.latencies.record(latency);
            }
            if (policy.eventsWanted()) {
                policy.emit(new ResilienceEvent.AttemptSucceeded(policy.name, policy.time.instant(), number, hedge,
                        Duration.ofNanos(latency)));
            }
            @SuppressWarnings("unchecked")
            T result = (T) value;
            report(result, null, null);
            return;
        }
        Throwable cause = Execution.unwrap(failure);
        if (circuitBreaker != null) {
            circuitBreaker.onError(latency, TimeUnit.NANOSECONDS, cause);
            policy.observeCircuit();
        }
        FailureKind kind = FailureKind.of(cause);
        policy.counters.attemptFailed(kind);
        if (policy.eventsWanted()) {
            policy.emit(new ResilienceEvent.AttemptFailed(policy.name, policy.time.instant(), number, hedge, kind, cause,
                    Duration.ofNanos(latency)));
        }
        report(null, cause, kind);
    }

    /** Refused before the call started (the circuit permission is already released or never held). */
    private void refuse(Throwable failure, FailureKind kind) {
        if (!STATE.compareAndSet(this, NEW, SETTLED)) {
            return;
        }
        AsyncResilience<T> policy = execution.policy;
        policy.counters.attemptFailed(kind);
        if (policy.eventsWanted()) {
            policy.emit(new ResilienceEvent.AttemptFailed(policy.name, policy.time.instant(), number, hedge, kind,
                    failure, Duration.ZERO));
        }
        report(null, failure, kind);
    }

    private void report(T value, Throwable failure, FailureKind kind) {
        Object target = sink;
        if (target == null && SINK.compareAndSet(this, null, DONE)) {
            execution.onAttemptDone(number, value, failure, kind);
            return;
        }
        @SuppressWarnings("unchecked")
        HedgedRound<T> round = (HedgedRound<T>) sink;
        round.onAttemptDone(this, value, failure, kind);
    }

    private void releaseCircuitPermit() {
        if (circuitPermit) {
            circuitPermit = false;
            execution.policy.circuitBreaker.releasePermission();
        }
    }

    /** Cancels the attempt: its permit wait or its call. Idempotent. */
    @Override
    public boolean cancel() {
        while (true) {
            int s = state;
            if (s == SETTLED || s == CANCELLED) {
                return false;
            }
            if (STATE.compareAndSet(this, s, CANCELLED)) {
                break;
            }
        }
        CompletableFuture<?> waiting = pending;
        if (waiting != null) {
            waiting.cancel(true);
        }
        return true;
    }

    @Override
    public String toString() {
        return "Attempt[" + number + "." + hedge + ", state=" + state + "]";
    }
}
