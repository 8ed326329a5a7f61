package dev.asyncpatterns.resilience;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * Every attempt asks the user's resilience4j breaker for permission (tryAcquirePermission) and
 * either records its outcome with the call's duration (record) or gives the permission back
 * unrecorded (release): a refusal by the rate limiter or bulkhead is our overload, a cancelled
 * attempt tells nothing about the dependency.
 *
 * Circuit transitions are observed, not subscribed to: registering any consumer on a
 * resilience4j breaker's event publisher makes it build an event object (with a ZonedDateTime)
 * for every recorded call, which tripled the happy-path cost in our benchmark. Instead the
 * breaker's state is read after each permission request and each recorded outcome (one
 * volatile read); a change is claimed by CAS, so each observed change is counted and reported
 * once.
 */
/** The circuit breaker, per attempt: refuses at once when open. */
final class CircuitBreakerPolicy extends AttemptPolicy {

    private static final VarHandle OBSERVED;

    static {
        try {
            OBSERVED = MethodHandles.lookup()
                    .findVarHandle(CircuitBreakerPolicy.class, "observed", CircuitBreaker.State.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final CircuitBreaker circuitBreaker;
    private final Events events;
    private volatile CircuitBreaker.State observed;

    CircuitBreakerPolicy(CircuitBreaker circuitBreaker, Events events) {
        super(FailureKind.CIRCUIT_OPEN);
        this.circuitBreaker = circuitBreaker;
        this.events = events;
        this.observed = circuitBreaker.getState();
    }

    @Override
    CompletableFuture<Void> enter() {
        boolean permitted = circuitBreaker.tryAcquirePermission();
        observe();
        return permitted
                ? PASS
                : CompletableFuture.failedFuture(
                        CallNotPermittedException.createCallNotPermittedException(circuitBreaker));
    }

    @Override
    void record(long latencyNanos, @Nullable Object value, @Nullable Throwable failure) {
        if (failure == null) {
            circuitBreaker.onResult(latencyNanos, TimeUnit.NANOSECONDS, value);
        } else {
            circuitBreaker.onError(latencyNanos, TimeUnit.NANOSECONDS, failure);
        }
        observe();
    }

    @Override
    void release() {
        circuitBreaker.releasePermission();
    }

    private void observe() {
        CircuitBreaker.State now = circuitBreaker.getState();
        CircuitBreaker.State seen = observed;
        if (now != seen && OBSERVED.compareAndSet(this, seen, now)) {
            events.circuitStateChanged(circuitBreaker, seen, now);
        }
    }

    @Override
    public String toString() {
        return "circuitBreaker=" + circuitBreaker.getName();
    }
}
