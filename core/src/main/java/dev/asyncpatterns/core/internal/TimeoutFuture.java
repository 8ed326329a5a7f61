package dev.asyncpatterns.core.internal;

import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * Result of Futures.withTimeout. Two racers complete it: the input's completion (which then
 * cancels the timer) and the timer (which, if it wins the completion, cancels the input). The
 * result is completed BEFORE the input is cancelled, so its dependents see the TimeoutException
 * (or the fallback value), never the CancellationException our own cancel causes. Cancelling the
 * result cancels the input and the timer. 'timer' is written once, before the input's callback
 * is registered; a callback that runs earlier (input already done) finds it null and the timer
 * is cancelled right after scheduling instead (see start).
 */
/** Futures.withTimeout result. */
public final class TimeoutFuture<T> extends CompletableFuture<T> implements BiConsumer<Object, Throwable> {

    private final CompletableFuture<? extends T> input;
    private final Duration timeout;
    private final @Nullable Callable<? extends T> fallback;
    private volatile @Nullable Cancellable timer;

    public TimeoutFuture(
            CompletableFuture<? extends T> input, Duration timeout, @Nullable Callable<? extends T> fallback) {
        this.input = input;
        this.timeout = timeout;
        this.fallback = fallback;
    }

    public static TimeoutException timeoutException(Duration timeout) {
        return new TimeoutException("timed out after " + timeout);
    }

    public TimeoutFuture<T> start(TimeSource timeSource) {
        if (input.isDone()) {
            accept(null, null);
            return this;
        }
        if (Durations.toNanosSaturated(timeout) <= 0) {
            expire();
            return this;
        }
        timer = timeSource.schedule(timeout, this::expire);
        input.whenComplete(this);
        if (isDone()) {
            timer.cancel();
        }
        return this;
    }

    /** Input completed. */
    @Override
    public void accept(@Nullable Object ignoredValue, @Nullable Throwable ignoredFailure) {
        Outcome<? extends T> outcome = Outcome.ofDone(input);
        switch (outcome) {
            case Outcome.Success<? extends T> s -> complete(s.value());
            case Outcome.Failure<? extends T> f -> completeExceptionally(f.cause());
            case Outcome.Cancelled<? extends T> c -> completeExceptionally(c.cause());
        }
        Cancellable t = timer;
        if (t != null) {
            t.cancel();
        }
    }

    private void expire() {
        if (isDone()) {
            return;
        }
        TimeoutException timedOut = timeoutException(timeout);
        boolean won;
        if (fallback == null) {
            won = completeExceptionally(timedOut);
        } else {
            T value;
            try {
                value = fallback.call();
            } catch (Throwable failure) {
                if (failure != timedOut) {
                    failure.addSuppressed(timedOut);
                }
                won = completeExceptionally(failure);
                if (won) {
                    input.cancel(true);
                }
                return;
            }
            won = complete(value);
        }
        if (won) {
            input.cancel(true);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            StopWork.cancel(timer, input);
        }
        return cancelled;
    }
}
