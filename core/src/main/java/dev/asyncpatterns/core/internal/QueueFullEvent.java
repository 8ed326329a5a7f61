package dev.asyncpatterns.core.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.jspecify.annotations.Nullable;

/** JFR: a put found its queue full and had to wait (the duration is the wait). Not part of the API. */
@Name("dev.asyncpatterns.QueueFull")
@Label("Queue Full")
@Category({"async-patterns", "Queues"})
@Description("An AsyncQueue put that found the queue full and waited for room")
@StackTrace(false)
public final class QueueFullEvent extends jdk.jfr.Event {

    private static final QueueFullEvent PROBE = new QueueFullEvent();

    /** The queue's name. */
    @Label("Queue")
    public @Nullable String queue;

    /** The queue's capacity. */
    @Label("Capacity")
    public int capacity;

    /** How the wait ended: accepted, cancelled or closed. */
    @Label("Outcome")
    public @Nullable String outcome;

    /** Whether a recording wants this event. */
    public static boolean enabled() {
        return PROBE.isEnabled();
    }

    /** Times {@code put}'s wait if the event is enabled; returns {@code put}. */
    public static <F extends java.util.concurrent.CompletableFuture<Void>> F trace(F put, String queue, int capacity) {
        if (PROBE.isEnabled()) {
            QueueFullEvent event = new QueueFullEvent();
            event.begin();
            put.whenComplete((ignored, failure) -> {
                event.end();
                if (event.shouldCommit()) {
                    event.queue = queue;
                    event.capacity = capacity;
                    event.outcome =
                            failure == null ? "accepted" : SyncWaiter.isCancellation(failure) ? "cancelled" : "closed";
                    event.commit();
                }
            });
        }
        return put;
    }
}
