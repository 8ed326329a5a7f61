package dev.asyncpatterns.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * The slow-path counters of a component with a waiter queue (ADR core-0003): how many callers had
 * to wait, and how many of those waits ended in a timeout or a cancellation. Not thread-safe on
 * its own: the owner updates and reads it under the lock that guards its queue, so a snapshot is
 * consistent with the queue's length. The fast paths count nothing.
 */
public final class WaitCounters {

    private long waited;
    private long timedOut;
    private long cancelled;
    private long waitNanos;

    /** Counts a caller that joined the queue. Call under the owner's lock. */
    public void enqueued() {
        waited++;
    }

    /**
     * Adds the time a granted waiter spent queued. Call under the owner's lock when the waiter is
     * taken off the queue to be granted (a grant that then loses to a cancellation still counts
     * here, not as cancelled: it had left the queue).
     *
     * @param nanos how long it waited
     */
    public void granted(long nanos) {
        waitNanos += Math.max(0, nanos);
    }

    /**
     * Counts a waiter that left the queue without being granted: cancelled, timed out, or
     * completed by its caller (counted as cancelled). Call under the owner's lock, once per
     * waiter, after removing it from the queue.
     *
     * @param waiter the completed waiter
     */
    public void abandoned(CompletableFuture<?> waiter) {
        if (waiter.state() == Future.State.FAILED && waiter.exceptionNow() instanceof TimeoutException) {
            timedOut++;
        } else {
            cancelled++;
        }
    }

    /**
     * Callers that had to wait.
     *
     * @return the count since creation
     */
    public long waited() {
        return waited;
    }

    /**
     * Total time the granted waiters spent queued.
     *
     * @return the time since creation
     */
    public java.time.Duration waitTime() {
        return java.time.Duration.ofNanos(waitNanos);
    }

    /**
     * Waits that ended with a timeout.
     *
     * @return the count since creation
     */
    public long timedOut() {
        return timedOut;
    }

    /**
     * Waits that were cancelled (or completed by their caller) before being granted.
     *
     * @return the count since creation
     */
    public long cancelled() {
        return cancelled;
    }
}
