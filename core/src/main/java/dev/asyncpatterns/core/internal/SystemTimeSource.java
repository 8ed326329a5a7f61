package dev.asyncpatterns.core.internal;

import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/*
 * Maintainer's note.
 *
 * One daemon platform thread owns a ScheduledThreadPoolExecutor used purely as a timer wheel:
 * its tasks only start a virtual thread, so user code (future dependents) never runs on the timer
 * thread and a blocking dependent cannot delay other timers. removeOnCancelPolicy keeps cancelled
 * timers (the common case for timeouts) from accumulating until their due time.
 *
 * Neither the timer thread nor the runners inherit InheritableThreadLocals; schedule() captures
 * the caller's request context and the runner restores it around the task.
 */
/** The {@link TimeSource#system()} implementation. Not part of the API. */
public final class SystemTimeSource implements TimeSource {

    /** The shared instance. */
    public static final SystemTimeSource INSTANCE = new SystemTimeSource();

    private final ScheduledThreadPoolExecutor timer;
    private final ThreadFactory runners = Thread.ofVirtual()
            .name("async-patterns-timer-task")
            .inheritInheritableThreadLocals(false)
            .factory();

    private SystemTimeSource() {
        timer = new ScheduledThreadPoolExecutor(
                1,
                Thread.ofPlatform()
                        .daemon()
                        .name("async-patterns-timer")
                        .inheritInheritableThreadLocals(false)
                        .factory());
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        long nanos = Durations.toNanosSaturated(delay);
        CapturedContext context = CapturedContext.capture();
        Runnable run = context.isEmpty() ? task : context.wrap(task); // runners start with no context
        ScheduledFuture<?> handle =
                timer.schedule(() -> runners.newThread(run).start(), Math.max(0, nanos), TimeUnit.NANOSECONDS);
        return () -> handle.cancel(false);
    }

    @Override
    public String toString() {
        return "TimeSource.system()";
    }
}
