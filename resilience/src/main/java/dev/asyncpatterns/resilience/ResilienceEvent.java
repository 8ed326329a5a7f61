package dev.asyncpatterns.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What happened inside an {@link AsyncResilience} decorator: attempts, retries, hedges,
 * fallbacks, circuit state changes it observed and the end of each call. Register listeners on
 * the builder with {@link AsyncResilience.Builder#onEvent(java.util.function.Consumer)} or
 * {@link AsyncResilience.Builder#on(Class, java.util.function.Consumer)}; a built decorator's
 * listeners never change.
 *
 * <p>Listeners run synchronously on the thread where the event happened (the caller's thread,
 * the thread completing an attempt's future, or the time source's timer thread) and must be
 * quick. An exception thrown by a listener is caught and logged at WARN, never propagated into
 * the decorator's state or the call's result (a {@link VirtualMachineError} is logged and
 * rethrown). Events are only created when a listener is registered.
 *
 * @since 0.1.0
 */
public sealed interface ResilienceEvent {

    /**
     * The name of the decorator that emitted the event.
     *
     * @return the decorator's name
     */
    String name();

    /**
     * When the event happened, read from the decorator's time source.
     *
     * @return the event's time
     */
    Instant at();

    /**
     * An attempt was started (after the circuit breaker, rate limiter and bulkhead let it through).
     *
     * @param name the decorator's name
     * @param at when
     * @param attempt the attempt number, from 1 (retries increase it)
     * @param hedge 0 for the primary, 1.. for hedged backups of the same attempt
     */
    record AttemptStarted(String name, Instant at, int attempt, int hedge) implements ResilienceEvent {}

    /**
     * An attempt succeeded.
     *
     * @param name the decorator's name
     * @param at when
     * @param attempt the attempt number, from 1
     * @param hedge 0 for the primary, 1.. for hedged backups
     * @param latency how long the call took, measured on the time source
     */
    record AttemptSucceeded(String name, Instant at, int attempt, int hedge, Duration latency)
            implements ResilienceEvent {}

    /**
     * An attempt failed or was refused (open circuit, full bulkhead, rate limiter failure).
     *
     * @param name the decorator's name
     * @param at when
     * @param attempt the attempt number, from 1
     * @param hedge 0 for the primary, 1.. for hedged backups
     * @param kind why
     * @param failure the exception
     * @param latency how long the call took; zero if it was refused before starting
     */
    record AttemptFailed(
            String name, Instant at, int attempt, int hedge, FailureKind kind, Throwable failure, Duration latency)
            implements ResilienceEvent {}

    /**
     * A hedged attempt lost the race (or the call ended) and was cancelled.
     *
     * @param name the decorator's name
     * @param at when
     * @param attempt the attempt number, from 1
     * @param hedge 0 for the primary, 1.. for hedged backups
     */
    record AttemptCancelled(String name, Instant at, int attempt, int hedge) implements ResilienceEvent {}

    /**
     * A failed attempt will be retried after {@code delay}, as the resilience4j {@code Retry}
     * decided.
     *
     * @param name the decorator's name
     * @param at when
     * @param nextAttempt the number of the attempt that will run
     * @param delay the wait before it
     * @param failure why the previous attempt failed; {@code null} if its result was retried
     */
    record RetryScheduled(
            String name,
            Instant at,
            int nextAttempt,
            Duration delay,
            @Nullable Throwable failure) implements ResilienceEvent {}

    /**
     * The decorator saw its circuit breaker in a new state. The decorator reads the breaker's
     * state after each permission request and each recorded outcome (it does not subscribe to
     * the breaker's event publisher: any subscriber makes resilience4j build an event object for
     * every call). Transitions caused by this decorator's calls are therefore reported exactly
     * and in order; transitions caused elsewhere (another user of the same breaker, a manual
     * {@code transitionTo...}, resilience4j's automatic open-to-half-open timer) are reported when
     * next observed, and intermediate states may be skipped. Use the breaker's own event
     * publisher when every transition matters.
     *
     * @param name the decorator's name
     * @param at when it was observed
     * @param circuitBreaker the circuit breaker's name
     * @param from the state seen before
     * @param to the new state
     */
    record CircuitStateChanged(
            String name, Instant at, String circuitBreaker, CircuitBreaker.State from, CircuitBreaker.State to)
            implements ResilienceEvent {}

    /**
     * A fallback replaced the failure of a call.
     *
     * @param name the decorator's name
     * @param at when
     * @param kind the kind of failure replaced
     * @param failure the failure replaced
     */
    record FallbackApplied(String name, Instant at, FailureKind kind, Throwable failure) implements ResilienceEvent {}

    /**
     * A call ended: succeeded (possibly by a fallback), failed, or was cancelled.
     *
     * @param name the decorator's name
     * @param at when
     * @param attempts how many attempts were started (hedges not counted)
     * @param elapsed time from the call to its end, measured on the time source
     * @param kind {@code null} if it succeeded without fallback, else the kind of the failure
     *     (the failure a fallback replaced, when one did)
     * @param failure the failure the call ended with, or {@code null} if it succeeded
     */
    record CallFinished(
            String name,
            Instant at,
            int attempts,
            Duration elapsed,
            @Nullable FailureKind kind,
            @Nullable Throwable failure)
            implements ResilienceEvent {}
}
