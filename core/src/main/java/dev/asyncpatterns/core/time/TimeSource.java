package dev.asyncpatterns.core.time;

import dev.asyncpatterns.core.internal.SystemTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The clock and timer every time-dependent component of the toolkit uses: it reads time and
 * schedules delayed actions. Components take a {@code TimeSource} (default {@link #system()}) so
 * tests can substitute the virtual clock of the {@code async-patterns-testkit} module and run a
 * ten-minute retry schedule in milliseconds, without sleeping.
 *
 * <p>The library never uses {@code Thread.sleep}, {@code CompletableFuture.orTimeout},
 * {@code completeOnTimeout} or {@code delayedExecutor}: tests could not control them.
 *
 * <p>Implementations are thread-safe.
 *
 * @since 0.1.0
 */
public interface TimeSource {

    /**
     * Monotonic time in nanoseconds, for measuring elapsed time and computing deadlines. Only
     * differences between two readings of the same source are meaningful.
     *
     * @return the current monotonic reading
     */
    long nanoTime();

    /**
     * Wall-clock time, for timestamps in reports and for deadlines given as an {@link Instant}.
     *
     * @return the current instant
     */
    Instant instant();

    /**
     * Runs {@code task} once, after {@code delay}.
     *
     * <p>A zero or negative delay means "as soon as possible". Durations too large to represent
     * in nanoseconds are treated as "never in practice" (saturated to {@link Long#MAX_VALUE}
     * nanoseconds) rather than overflowing.
     *
     * <p>Which thread runs the task is up to the implementation: {@link #system()} runs it on one
     * of a few reused virtual threads, never on its timer thread, and a task that blocks (or
     * completes futures whose dependents block) does not hold up other timers; the testkit's
     * virtual clock runs due tasks on the thread that advances it. A task that throws does not
     * affect other tasks ({@link #system()} logs it at WARN). {@link #system()} runs the task with the request context
     * (MDC, and io.micrometer:context-propagation thread locals when present) of the thread that
     * scheduled it.
     *
     * <p>Memory effects: actions before {@code schedule} happen-before the task runs.
     *
     * @param delay how long to wait before running the task
     * @param task the action to run
     * @return a handle whose {@link Cancellable#cancel()} calls the task off and releases the
     *     timer's memory at once
     * @throws NullPointerException if {@code delay} or {@code task} is null
     */
    Cancellable schedule(Duration delay, Runnable task);

    /**
     * Returns a future that completes with {@code null} after {@code delay}, like
     * {@code asyncio.sleep}. Never blocks.
     *
     * <p>Cancelling the returned future cancels the timer, so an abandoned delay holds no memory.
     *
     * <p>Dependents of the returned future run on the thread that completes it, the one that runs
     * the timer's tasks (for {@link #system()}: a toolkit virtual thread with the request context
     * of the caller of {@code delay} restored; never the timer thread). Use the {@code ...Async}
     * forms with your own executor to run them elsewhere.
     *
     * @param delay how long to wait; zero or negative completes as soon as possible
     * @return a future completed after the delay
     * @throws NullPointerException if {@code delay} is null
     */
    default CompletableFuture<Void> delay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        var result = new CompletableFuture<Void>();
        Cancellable timer = schedule(delay, () -> result.complete(null));
        result.whenComplete((ignored, failure) -> {
            if (result.isCancelled()) {
                timer.cancel();
            }
        });
        return result;
    }

    /**
     * The real clock: {@link System#nanoTime()}, {@link Instant#now()}, and one shared daemon
     * timer thread that hands due tasks, in batches, to a few reused virtual threads (no thread
     * per timer); whenever tasks wait, a spare virtual thread is on its way, so a task that blocks
     * never delays other timers. Cancelled timers are removed at once. Pending timers do not keep
     * the JVM alive.
     *
     * @return the shared system time source
     */
    static TimeSource system() {
        return SystemTimeSource.INSTANCE;
    }
}
