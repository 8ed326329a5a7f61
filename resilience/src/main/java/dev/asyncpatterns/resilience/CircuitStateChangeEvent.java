package dev.asyncpatterns.resilience;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR: a decorator observed its circuit breaker change state. Not part of the API. */
@Name("dev.asyncpatterns.CircuitStateChange")
@Label("Circuit State Change")
@Category({"async-patterns", "Resilience"})
@Description("An AsyncResilience decorator observed its resilience4j circuit breaker change state")
@StackTrace(false)
final class CircuitStateChangeEvent extends jdk.jfr.Event {

    private static final CircuitStateChangeEvent PROBE = new CircuitStateChangeEvent();

    @Label("Decorator")
    String decorator;

    @Label("Circuit Breaker")
    String circuitBreaker;

    @Label("From")
    String from;

    @Label("To")
    String to;

    static boolean enabled() {
        return PROBE.isEnabled();
    }
}
