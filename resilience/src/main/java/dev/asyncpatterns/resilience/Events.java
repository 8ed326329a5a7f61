package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.internal.Listeners;
import dev.asyncpatterns.core.time.TimeSource;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * The one place where what happens inside a decorator becomes counters and events. Execution,
 * Attempt, HedgedRound and the policies say what happened (attemptFailed, retryScheduled, ...);
 * each method here counts it and, only when a listener was registered on the builder, builds
 * the event and hands it to publish(), the single emission path, which calls the listeners
 * through core's Listeners (a throwing listener is logged once at WARN and ignored, a
 * VirtualMachineError rethrown: ADR core-0002). The listener list is fixed at build time, so
 * `listening` is a final field and a decorator without listeners pays one field read per fact
 * and allocates nothing.
 */
/** Counters and event emission of one decorator. */
final class Events {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncResilience.class);

    final String name;
    final TimeSource time;
    final Counters counters = new Counters();
    final boolean listening;
    private final String component;
    private final List<Consumer<? super ResilienceEvent>> listeners;

    Events(String name, TimeSource time, List<Consumer<? super ResilienceEvent>> listeners) {
        this.name = name;
        this.time = time;
        this.component = "AsyncResilience[" + name + "]";
        this.listeners = List.copyOf(listeners);
        this.listening = !listeners.isEmpty();
    }

    void callStarted() {
        counters.calls.increment();
    }

    /** An attempt (or hedge) begins: it is counted before the per-attempt policies are asked. */
    void attemptBegins() {
        counters.attempts.increment();
    }

    void hedgeStarted() {
        counters.hedges.increment();
    }

    void hedgeWon() {
        counters.hedgeWins.increment();
    }

    /** The attempt passed every per-attempt policy and its call starts now. */
    void attemptStarted(int attempt, int hedge) {
        if (listening) {
            publish(new ResilienceEvent.AttemptStarted(name, time.instant(), attempt, hedge));
        }
    }

    void attemptSucceeded(int attempt, int hedge, long latencyNanos) {
        if (listening) {
            publish(new ResilienceEvent.AttemptSucceeded(
                    name, time.instant(), attempt, hedge, Duration.ofNanos(latencyNanos)));
        }
    }

    void attemptFailed(int attempt, int hedge, FailureKind kind, Throwable failure, long latencyNanos) {
        counters.attemptFailed(kind);
        if (listening) {
            publish(new ResilienceEvent.AttemptFailed(
                    name, time.instant(), attempt, hedge, kind, failure, Duration.ofNanos(latencyNanos)));
        }
    }

    void attemptCancelled(int attempt, int hedge) {
        if (listening) {
            publish(new ResilienceEvent.AttemptCancelled(name, time.instant(), attempt, hedge));
        }
    }

    void retryScheduled(int nextAttempt, Duration delay, @Nullable Throwable failure) {
        counters.retries.increment();
        if (RetryAttemptEvent.enabled()) { // JFR, no allocation unless a recording wants it
            var event = new RetryAttemptEvent();
            event.decorator = name;
            event.attempt = nextAttempt;
            event.delay = delay.toNanos();
            event.failure = failure == null ? null : failure.getClass().getName();
            event.message = failure == null ? null : failure.getMessage();
            event.commit();
        }
        if (listening) {
            publish(new ResilienceEvent.RetryScheduled(name, time.instant(), nextAttempt, delay, failure));
        }
    }

    void circuitStateChanged(CircuitBreaker circuitBreaker, CircuitBreaker.State from, CircuitBreaker.State to) {
        counters.transitions.increment();
        if (CircuitStateChangeEvent.enabled()) { // JFR, no allocation unless a recording wants it
            var event = new CircuitStateChangeEvent();
            event.decorator = name;
            event.circuitBreaker = circuitBreaker.getName();
            event.from = String.valueOf(from);
            event.to = String.valueOf(to);
            event.commit();
        }
        if (listening) {
            publish(new ResilienceEvent.CircuitStateChanged(name, time.instant(), circuitBreaker.getName(), from, to));
        }
    }

    void fallbackApplied(FailureKind kind, Throwable failure) {
        counters.fallbacks.increment();
        if (listening) {
            publish(new ResilienceEvent.FallbackApplied(name, time.instant(), kind, failure));
        }
    }

    /** @param startNanos when the call started on the time source (always read when listening) */
    void callFinished(int attempts, long startNanos, @Nullable FailureKind kind, @Nullable Throwable failure) {
        if (listening) {
            publish(new ResilienceEvent.CallFinished(
                    name, time.instant(), attempts, Duration.ofNanos(time.nanoTime() - startNanos), kind, failure));
        }
    }

    private void publish(ResilienceEvent event) {
        for (Consumer<? super ResilienceEvent> listener : listeners) {
            Listeners.notify(LOG, component, "event", listener, event);
        }
    }
}
