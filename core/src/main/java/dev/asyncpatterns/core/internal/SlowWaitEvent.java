package dev.asyncpatterns.core.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * Begun when a waiter is queued (the slow path only: an uncontended acquire never gets here) and
 * ended when the waiter's future completes, on the thread that completed it (the releaser, a
 * timer, or the canceller): that is the event's thread, so no stack trace is taken. Nothing is
 * allocated unless the event type is enabled in a running recording (SyncWaiter.traceWait).
 */
/** JFR: a wait for a semaphore permit or a lock longer than the threshold. Not part of the API. */
@Name("dev.asyncpatterns.SlowWait")
@Label("Slow Wait")
@Category({"async-patterns", "Coordination"})
@Description(
        "A wait for an AsyncSemaphore permit or an AsyncLock/AsyncReadWriteLock that took longer than the threshold")
@Threshold("20 ms")
@StackTrace(false)
public final class SlowWaitEvent extends jdk.jfr.Event {

    private static final SlowWaitEvent PROBE = new SlowWaitEvent();

    /** The primitive waited for. */
    @Label("Primitive")
    public @Nullable String primitive;

    /** Permits asked for (1 for a lock; for a read-write lock, 1 = read, 2 = write). */
    @Label("Amount")
    public int amount;

    /** How the wait ended: granted, cancelled, timed out or failed. */
    @Label("Outcome")
    public @Nullable String outcome;

    /** Whether a recording wants this event: one cheap check, no allocation. */
    public static boolean enabled() {
        return PROBE.isEnabled();
    }
}
