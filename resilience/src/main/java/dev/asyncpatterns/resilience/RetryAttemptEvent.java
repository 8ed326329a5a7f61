package dev.asyncpatterns.resilience;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import org.jspecify.annotations.Nullable;

/** JFR: a decorator scheduled a retry attempt after a failed (or rejected-result) attempt. Not part of the API. */
@Name("dev.asyncpatterns.RetryAttempt")
@Label("Retry Attempt")
@Category({"async-patterns", "Resilience"})
@Description("An AsyncResilience decorator scheduling the next attempt of a call after its backoff")
@StackTrace(false)
final class RetryAttemptEvent extends jdk.jfr.Event {

    private static final RetryAttemptEvent PROBE = new RetryAttemptEvent();

    @Label("Decorator")
    @Nullable
    String decorator;

    @Label("Next Attempt")
    int attempt;

    @Label("Delay")
    @Timespan(Timespan.NANOSECONDS)
    long delay;

    @Label("Failure")
    @Nullable
    String failure;

    @Label("Message")
    @Nullable
    String message;

    static boolean enabled() {
        return PROBE.isEnabled();
    }
}
