package dev.asyncpatterns.core.time;

/**
 * A handle to something scheduled that can still be called off, such as a timer registered with
 * {@link TimeSource#schedule(java.time.Duration, Runnable)}.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Cancellable {

    /**
     * Calls the scheduled action off if it has not started yet.
     *
     * <p>Thread-safe and idempotent. Never waits and never runs the action.
     *
     * @return {@code true} if this call prevented the action from running; {@code false} if it
     *     already ran, is running, or was cancelled before
     */
    boolean cancel();
}
