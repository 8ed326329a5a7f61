package dev.asyncpatterns.cache;

import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Adapts a {@link TimeSource} to Caffeine's {@link Ticker} and {@link Scheduler}, so expiry,
 * refresh and prompt eviction run on the injected clock (the testkit's virtual clock in
 * tests). Not part of the API.
 */
final class CaffeineTime {

    private CaffeineTime() {}

    /**
     * A ticker reading {@code timeSource.nanoTime()}.
     *
     * @param timeSource the clock
     * @return the ticker
     */
    static Ticker ticker(TimeSource timeSource) {
        Objects.requireNonNull(timeSource, "timeSource");
        return timeSource::nanoTime;
    }

    /**
     * A scheduler that registers a timer on {@code timeSource} and, when it fires, hands the
     * command to the executor Caffeine asked for. The returned future's {@code cancel} calls the
     * timer off.
     *
     * @param timeSource the clock
     * @return the scheduler
     */
    static Scheduler scheduler(TimeSource timeSource) {
        Objects.requireNonNull(timeSource, "timeSource");
        return (Executor executor, Runnable command, long delay, TimeUnit unit) -> {
            var handle = new CompletableFuture<Void>();
            Cancellable timer = timeSource.schedule(Duration.ofNanos(unit.toNanos(delay)), () -> {
                if (handle.complete(null)) {
                    executor.execute(command);
                }
            });
            handle.whenComplete((ignored, failure) -> {
                if (handle.isCancelled()) {
                    timer.cancel();
                }
            });
            return (Future<?>) handle;
        };
    }
}
