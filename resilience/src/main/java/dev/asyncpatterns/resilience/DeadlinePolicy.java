package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The overall deadline, around retry: bounds the whole call, backoff and permit waits included.
 * A timer ends the call when it passes; a retry whose backoff would end after it fails the call
 * at once instead of waiting.
 */
final class DeadlinePolicy {

    final Duration deadline;
    private final long nanos;
    private final TimeSource time;
    private final String owner;

    DeadlinePolicy(Duration deadline, TimeSource time, String name) {
        this.deadline = deadline;
        this.nanos = Durations.toNanosSaturated(deadline);
        this.time = time;
        this.owner = "AsyncResilience[" + name + "]";
    }

    /** Runs {@code onDeadline} when the deadline of a call started at {@code startNanos} passes. */
    Cancellable start(long startNanos, Runnable onDeadline) {
        long remaining = nanos - (time.nanoTime() - startNanos);
        return time.schedule(Duration.ofNanos(Math.max(0, remaining)), onDeadline);
    }

    /** Whether a wait of {@code delayNanos} from now ends before the deadline of a call started at {@code startNanos}. */
    boolean allows(long startNanos, long delayNanos) {
        return delayNanos < nanos - (time.nanoTime() - startNanos);
    }

    /** The failure of a call that ran out of time after {@code attempts} attempts. */
    DeadlineExceededException exceeded(int attempts, @Nullable Throwable lastFailure, String detail) {
        return new DeadlineExceededException(
                owner + ": deadline " + deadline + " exceeded after " + attempts + " attempt(s); " + detail,
                lastFailure);
    }

    @Override
    public String toString() {
        return "deadline=" + deadline;
    }
}
