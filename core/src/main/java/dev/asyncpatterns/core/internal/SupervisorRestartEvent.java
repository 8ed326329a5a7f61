package dev.asyncpatterns.core.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import org.jspecify.annotations.Nullable;

/** JFR: a supervisor decided to restart a child. Not part of the API. */
@Name("dev.asyncpatterns.SupervisorRestart")
@Label("Supervisor Restart")
@Category({"async-patterns", "Supervision"})
@Description("A Supervisor restarting a child (and, by strategy, its group) after a backoff delay")
@StackTrace(false)
public final class SupervisorRestartEvent extends jdk.jfr.Event {

    private static final SupervisorRestartEvent PROBE = new SupervisorRestartEvent();

    /** Whether a recording wants this event: one cheap check, no allocation. */
    public static boolean enabled() {
        return PROBE.isEnabled();
    }

    /** The supervisor's name. */
    @Label("Supervisor")
    public @Nullable String supervisor;

    /** The child that exited. */
    @Label("Child")
    public @Nullable String child;

    /** The restart attempt of that child (1 = first restart since it last ran a whole window). */
    @Label("Attempt")
    public int attempt;

    /** How many children restart with it (the strategy's group). */
    @Label("Group Size")
    public int groupSize;

    /** The backoff delay before the restart. */
    @Label("Delay")
    @Timespan(Timespan.NANOSECONDS)
    public long delay;

    /** The failure's class, or null for a normal exit of a permanent child. */
    @Label("Failure")
    public @Nullable String failure;

    /** The failure's message. */
    @Label("Message")
    public @Nullable String message;
}
