package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.internal.Failures;
import dev.asyncpatterns.core.time.Cancellable;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * One element's trip through an async function, with retries. Attempts are always started on
 * the owning region's drain (start / retryNow), so the user function never runs on a timer or
 * callback thread. An attempt's completion (any thread) either completes `result`, or schedules
 * the retry timer whose task only queues this call on the stage's `retries` queue and signals
 * the region. `attempt` is written on the drain before the attempt starts and read by the
 * completion callback, which happens-after the attempt's future completes (CompletableFuture
 * memory effects), so it needs no volatile. cancel() (drain) cancels the attempt and the timer;
 * a timer scheduled concurrently with cancel is cancelled by its scheduler, which re-checks.
 */
final class AsyncCall<T, R> {

    final T element;
    final CompletableFuture<R> result = new CompletableFuture<>();
    final long startedNanos;
    volatile long finishedNanos;

    private final Node owner;
    private final Function<? super T, ? extends CompletionStage<? extends R>> fn;
    private final OnError<? super T, R> onError;
    private final ConcurrentLinkedQueue<AsyncCall<T, R>> retries;
    private final Consumer<AsyncCall<T, R>> onDone;
    private int attempt;
    private @Nullable Throwable earlier;
    private volatile @Nullable CompletableFuture<? extends R> current;
    private volatile @Nullable Cancellable timer;
    private volatile boolean cancelled;
    private boolean finishedInline;

    AsyncCall(
            Node owner,
            T element,
            Function<? super T, ? extends CompletionStage<? extends R>> fn,
            OnError<? super T, R> onError,
            ConcurrentLinkedQueue<AsyncCall<T, R>> retries,
            Consumer<AsyncCall<T, R>> onDone) {
        this.owner = owner;
        this.element = element;
        this.fn = fn;
        this.onError = onError;
        this.retries = retries;
        this.onDone = onDone;
        this.startedNanos = owner.run.time.nanoTime();
    }

    /**
     * Starts the next attempt (drain thread). Returns true if the call finished during this
     * method, in which case its done-callback was not (and will not be) run.
     */
    boolean start() {
        attempt++;
        finishedInline = false;
        CompletableFuture<? extends R> future;
        try {
            CompletionStage<? extends R> stage = fn.apply(element);
            if (stage == null) {
                throw new NullPointerException("async function returned a null future for " + element);
            }
            future = stage.toCompletableFuture();
        } catch (RuntimeException failure) {
            future = CompletableFuture.failedFuture(failure); // an Error thrown here fails the run
        }
        current = future;
        if (future.isDone()) {
            attemptDone(future, false);
        } else {
            CompletableFuture<? extends R> started = future;
            future.whenComplete((ignoredValue, ignoredFailure) -> attemptDone(started, true));
        }
        return finishedInline;
    }

    private void attemptDone(CompletableFuture<? extends R> future, boolean signal) {
        Throwable failure = null;
        R value = null;
        try {
            value = future.join();
            if (value == null) {
                failure = new NullPointerException("async function completed with null for " + element);
            }
        } catch (Throwable error) {
            failure = Failures.unwrap(error);
        }
        if (failure == null) {
            finish(signal, value, null);
            return;
        }
        if (cancelled) {
            finish(signal, null, failure);
            return;
        }
        Optional<Duration> delay = onError.retries() ? onError.retryDelay(attempt) : Optional.empty();
        if (delay.isEmpty()) {
            Throwable last = failure;
            if (earlier != null && earlier != last) {
                last.addSuppressed(earlier);
            }
            finish(signal, null, last);
            return;
        }
        if (earlier != null && earlier != failure) {
            failure.addSuppressed(earlier);
        }
        earlier = failure;
        timer = owner.run.time.schedule(delay.get(), () -> {
            retries.add(this);
            owner.region.signal();
        });
        if (cancelled) {
            timer.cancel();
        }
    }

    private void finish(boolean signal, @Nullable R value, @Nullable Throwable failure) {
        finishedNanos = owner.run.time.nanoTime();
        if (failure == null) {
            result.complete(value);
        } else {
            result.completeExceptionally(failure);
        }
        if (signal) {
            onDone.accept(this);
        } else {
            finishedInline = true;
        }
    }

    /** Runs a due retry (drain thread). Returns true if the call is done. */
    boolean retryNow() {
        if (cancelled) {
            return true;
        }
        return start();
    }

    /** Number of attempts made so far. */
    int attempts() {
        return attempt;
    }

    void cancel() {
        cancelled = true;
        Cancellable t = timer;
        if (t != null) {
            t.cancel();
        }
        CompletableFuture<? extends R> f = current;
        if (f != null) {
            f.cancel(true);
        }
        result.cancel(true);
    }

    /** The outcome as an element, {@link OnError#SKIPPED}, or a thrown failure (drain thread). */
    @SuppressWarnings("unchecked")
    Object outcome() {
        try {
            return result.join();
        } catch (Throwable failure) {
            owner.failures++;
            return ((OnError<T, R>) onError).resolve(element, failure);
        }
    }
}
