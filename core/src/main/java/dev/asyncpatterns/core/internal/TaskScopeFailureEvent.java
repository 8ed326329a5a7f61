package dev.asyncpatterns.core.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.jspecify.annotations.Nullable;

/** JFR: a task scope shut down on a failure (fail-fast) or a deadline. Not part of the API. */
@Name("dev.asyncpatterns.TaskScopeFailure")
@Label("Task Scope Failure")
@Category({"async-patterns", "Scopes"})
@Description(
        "A TaskScope shutting down because a fork failed (FAIL_FAST) or its deadline passed; its other forks are cancelled")
@StackTrace(false)
public final class TaskScopeFailureEvent extends jdk.jfr.Event {

    private static final TaskScopeFailureEvent PROBE = new TaskScopeFailureEvent();

    /** Whether a recording wants this event: one cheap check, no allocation. */
    public static boolean enabled() {
        return PROBE.isEnabled();
    }

    /** The scope's policy. */
    @Label("Policy")
    public @Nullable String policy;

    /** The failure's class (a TimeoutException for a deadline). */
    @Label("Failure")
    public @Nullable String failure;

    /** The failure's message. */
    @Label("Message")
    public @Nullable String message;

    /** Forks still running, now being cancelled. */
    @Label("Live Forks")
    public int liveForks;
}
