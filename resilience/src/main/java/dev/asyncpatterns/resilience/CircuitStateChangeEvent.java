package dev.asyncpatterns.resilience;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.jspecify.annotations.Nullable;

/** JFR: a decorator observed its circuit breaker change state. Not part of the API. */
@Name("dev.asyncpatterns.CircuitStateChange")
@Label("Circuit State Change")
@Category({"async-patterns", "Resilience"})
@Description("An AsyncResilience decorator observed its resilience4j circuit breaker change state")
@StackTrace(false)
final class CircuitStateChangeEvent extends jdk.jfr.Event {

    private static final CircuitStateChangeEvent PROBE = new CircuitStateChangeEvent();

    @Label("Decorator")
    @Nullable
    String decorator;

    @Label("Circuit Breaker")
    @Nullable
    String circuitBreaker;

    @Label("From")
    @Nullable
    String from;

    @Label("To")
    @Nullable
    String to;

    static boolean enabled() {
        return PROBE.isEnabled();
    }
}
