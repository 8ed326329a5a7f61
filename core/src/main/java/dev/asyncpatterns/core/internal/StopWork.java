package dev.asyncpatterns.core.internal;

import dev.asyncpatterns.core.time.Cancellable;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/** Stops what a stand-in future started: its timer and its work. Not part of the API. */
public final class StopWork {

    private StopWork() {}

    /**
     * Cancels {@code timer} and then {@code work} (with interruption), each if present.
     *
     * @param timer the timer that would start or end the work, or null
     * @param work the started work, or null
     */
    public static void cancel(@Nullable Cancellable timer, @Nullable Future<?> work) {
        if (timer != null) {
            timer.cancel();
        }
        if (work != null) {
            work.cancel(true);
        }
    }
}
