package dev.asyncpatterns.resilience;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * The per-attempt policies (circuit breaker, rate limiter, bulkhead, attempt timeout, and the
 * latency window of percentile hedging) are consulted by Attempt in composition order, through
 * these four hooks only. Adding a per-attempt policy is one subclass plus its place in
 * AsyncResilience.Builder#attemptPolicies(); Attempt never names a policy.
 *
 * Protocol, for one attempt, with policies p[0..n) outermost first:
 *   enter()      called on p[0], p[1], ... until one refuses; an attempt whose enter() passed owns
 *                whatever that policy handed out (a permission, a permit) until exactly one of
 *                release() or record() is called on it;
 *   around(f)    called on every policy, innermost first, once the call has started;
 *   record(...)  the call completed (value or failure, not cancelled): every policy, innermost first;
 *   release()    otherwise (a later policy refused, the attempt was cancelled while waiting, or the
 *                call was cancelled): only the policies whose enter() passed, innermost first.
 * Hooks run on whichever thread drives the attempt, never under a lock of ours. They must not
 * throw; a policy that can fail to let the attempt through says so with a failed future.
 */
/** One policy applied to every attempt and every hedge of a decorated call. */
abstract class AttemptPolicy {

    /** The answer of a policy that lets the attempt through at once (no allocation). */
    static final CompletableFuture<Void> PASS = CompletableFuture.completedFuture(null);

    /** How an attempt refused by {@link #enter()} is counted and reported. */
    final FailureKind refusal;

    /** A policy that never refuses. */
    AttemptPolicy() {
        this(FailureKind.ERROR);
    }

    /** A policy whose refusals are of {@code refusal} kind. */
    AttemptPolicy(FailureKind refusal) {
        this.refusal = refusal;
    }

    /**
     * Asks to let the attempt through.
     *
     * @return {@link #PASS} or another successfully completed future to go on at once; a failed
     *     future to refuse the attempt (as {@link #refusal}); an incomplete future to wait for:
     *     cancelling it must withdraw the wait
     */
    CompletableFuture<Void> enter() {
        return PASS;
    }

    /** Wraps the started call's future, e.g. to bound it in time. Called only for incomplete calls. */
    <V> CompletableFuture<V> around(CompletableFuture<V> call) {
        return call;
    }

    /**
     * The call completed with {@code value} or {@code failure} (unwrapped, never a cancellation of
     * the attempt).
     *
     * @param latencyNanos the call's duration on the time source, permit waits excluded
     */
    void record(long latencyNanos, @Nullable Object value, @Nullable Throwable failure) {}

    /** Gives back what {@link #enter()} handed out, without recording an outcome. */
    void release() {}
}
