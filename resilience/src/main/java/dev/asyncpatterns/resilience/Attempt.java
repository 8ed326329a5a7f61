package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.internal.Failures;
import dev.asyncpatterns.core.internal.Stages;
import dev.asyncpatterns.core.time.Cancellable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * One attempt (or one hedge of an attempt): the decorator's AttemptPolicy chain, outermost first
 * (see AttemptPolicy for the protocol; for the built-in policies: circuit breaker -> rate limiter
 * -> bulkhead -> per-attempt timeout), then the call. It never names a policy: it enters them in
 * order, wraps the call with them, and gives each policy it entered exactly one record() or
 * release().
 *
 * State machine (`state`, CAS):
 *   NEW --start--> [waiting for a policy's future: still NEW, `pending` = that future]
 *   NEW --call started--> CALLING --call completed--> SETTLED
 *   NEW --refused by a policy--> SETTLED
 *   NEW or CALLING --cancel()--> CANCELLED
 * SETTLED and CANCELLED are final. Whoever moves the state out of NEW/CALLING decides what
 * happens to what the policies handed out:
 *   - policies entered before a refusal or a cancellation while waiting: release(), innermost
 *     first, by the thread that saw it (`entered` counts them; only the chain touches it);
 *   - once the call started: the call's completion handler runs exactly once whatever the
 *     outcome (a cancelled call's future completes as cancelled, so the handler runs then too);
 *     it calls record() on every policy if it moved CALLING -> SETTLED, else release().
 * `pending` is the one future that can be cancelled right now (a policy's wait or the call). It
 * is published before `state` is re-checked, and cancel() sets `state` before reading `pending`,
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
    private final AttemptPolicy[] policies;
    private final Events events;
    final int number;
    final int hedge;
    private volatile int state;
    private volatile @Nullable Object sink;
    private volatile @Nullable CompletableFuture<?> pending;
    private int entered;
    private long callStartNanos;

    Attempt(Execution<T> execution, int number, int hedge, @Nullable HedgedRound<T> round) {
        this.execution = execution;
        this.policies = execution.policies.attemptPolicies;
        this.events = execution.policies.events;
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
        events.attemptBegins();
        if (entered(0)) {
            call();
        }
    }

    /*
     * Kept small on purpose: a method with a loop is compiled on its own early, and C2 does not
     * inline a callee whose compiled code is already big. With call() inside this loop method,
     * the whole happy path sat behind a real call and cost ~10 ns more per call in our benchmark.
     */
    /** Enters policies[index..] in order; true if all let the attempt through at once. */
    private boolean entered(int index) {
        AttemptPolicy[] chain = policies;
        for (int i = index; i < chain.length; i++) {
            CompletableFuture<Void> admission = chain[i].enter();
            if (admission != AttemptPolicy.PASS && !passed(i, admission)) {
                return false;
            }
        }
        entered = chain.length;
        return true;
    }

    /**
     * An answer of policies[index] other than PASS: true to go on at once; else refuses or waits
     * (policies[0..index) entered) and returns false.
     */
    private boolean passed(int index, CompletableFuture<Void> admission) {
        if (admission.isDone() && !admission.isCompletedExceptionally()) {
            return true;
        }
        entered = index;
        if (admission.isDone()) {
            admission.whenComplete((ignored, failure) -> refuse(index, failure)); // runs at once
            return false;
        }
        pending = admission; // cancel() withdraws the wait
        admission.whenComplete((ignored, failure) -> {
            if (state != NEW) {
                release(); // cancelled while waiting; what was granted in the same instant is not given back
            } else if (failure != null) {
                refuse(index, failure);
            } else if (entered(index + 1)) {
                call();
            }
        });
        if (state == CANCELLED) {
            admission.cancel(true);
        }
        return false;
    }

    private void call() {
        if (state != NEW) { // cancelled while entering
            release();
            return;
        }
        events.attemptStarted(number, hedge);
        callStartNanos = events.time.nanoTime();
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
            stage = execution.context.call(execution.operation::get); // retries and hedges run on timers
        } catch (Throwable failure) {
            return CompletableFuture.failedFuture(failure);
        }
        if (stage == null) {
            return CompletableFuture.failedFuture(new NullPointerException(
                    "AsyncResilience[" + events.name + "]: the operation returned a null stage"));
        }
        CompletableFuture<? extends T> future = Stages.toFuture(stage);
        if (!future.isDone()) {
            AttemptPolicy[] chain = policies;
            for (int i = chain.length - 1; i >= 0; i--) {
                future = chain[i].around(future);
            }
        }
        return future;
    }

    /** The call completed: value or failure, or cancellation. Runs exactly once. */
    @Override
    public void accept(@Nullable Object value, @Nullable Throwable failure) {
        long latency = events.time.nanoTime() - callStartNanos;
        if (!STATE.compareAndSet(this, CALLING, SETTLED)) {
            // cancelled: by the caller, the deadline, or as a hedge loser
            release();
            events.attemptCancelled(number, hedge);
            return;
        }
        Throwable cause = failure == null ? null : Failures.unwrap(failure);
        AttemptPolicy[] chain = policies;
        for (int i = chain.length - 1; i >= 0; i--) {
            chain[i].record(latency, value, cause);
        }
        if (cause == null) {
            events.attemptSucceeded(number, hedge, latency);
            @SuppressWarnings("unchecked")
            T result = (T) value;
            report(result, null, null);
            return;
        }
        FailureKind kind = FailureKind.of(cause);
        events.attemptFailed(number, hedge, kind, cause, latency);
        report(null, cause, kind);
    }

    /** policies[index] refused: the policies entered before it give back what they handed out. */
    private void refuse(int index, Throwable failure) {
        release();
        if (!STATE.compareAndSet(this, NEW, SETTLED)) {
            return;
        }
        Throwable cause = Failures.unwrap(failure);
        FailureKind kind = policies[index].refusal;
        events.attemptFailed(number, hedge, kind, cause, 0);
        report(null, cause, kind);
    }

    /** Gives back what the entered policies handed out, innermost first. */
    private void release() {
        AttemptPolicy[] chain = policies;
        for (int i = entered - 1; i >= 0; i--) {
            chain[i].release();
        }
        entered = 0;
    }

    private void report(@Nullable T value, @Nullable Throwable failure, @Nullable FailureKind kind) {
        Object target = sink;
        if (target == null && SINK.compareAndSet(this, null, DONE)) {
            execution.onAttemptDone(number, value, failure, kind);
            return;
        }
        @SuppressWarnings("unchecked") // only a HedgedRound is attached; set, or the CAS above would have won
        HedgedRound<T> round = (HedgedRound<T>) Objects.requireNonNull(sink, "sink");
        round.onAttemptDone(this, value, failure, kind);
    }

    /** Cancels the attempt: its policy wait or its call. Idempotent. */
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
