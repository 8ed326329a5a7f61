package dev.asyncpatterns.core;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.internal.Failures;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How a piece of asynchronous work ended: {@link Success} with a value, {@link Failure} with the
 * exception it failed with, or {@link Cancelled}. A sealed interface of records, so a
 * {@code switch} over an outcome is exhaustive:
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.FuturesSnippets region=outcomeSwitch}
 *
 * <p>{@link Futures#allSettled} returns one outcome per input, like
 * {@code asyncio.gather(..., return_exceptions=True)}.
 *
 * <p>Outcomes are immutable values and thread-safe (a success holds whatever value it was given).
 *
 * @param <T> the type of the value of a success
 * @since 0.1.0
 */
public sealed interface Outcome<T extends @Nullable Object>
        permits Outcome.Success, Outcome.Failure, Outcome.Cancelled {

    /**
     * The work completed normally.
     *
     * @param <T> the value type
     * @param value the value, possibly {@code null}
     */
    record Success<T extends @Nullable Object>(T value) implements Outcome<T> {}

    /**
     * The work failed.
     *
     * @param <T> the value type of the work
     * @param cause the exception it failed with, never a {@link CancellationException}
     */
    record Failure<T extends @Nullable Object>(Throwable cause) implements Outcome<T> {
        /**
         * Creates a failure.
         *
         * @param cause the exception the work failed with
         * @throws NullPointerException if {@code cause} is null
         * @throws IllegalArgumentException if {@code cause} is a {@link CancellationException}
         *     (use {@link Cancelled})
         */
        public Failure {
            Objects.requireNonNull(cause, "cause");
            if (cause instanceof CancellationException) {
                throw new IllegalArgumentException(
                        "cause must not be a CancellationException, was " + cause + " (use Outcome.cancelled)");
            }
        }
    }

    /**
     * The work was cancelled.
     *
     * @param <T> the value type of the work
     * @param cause the cancellation, as thrown by {@code join()} or {@code get()}
     */
    record Cancelled<T extends @Nullable Object>(CancellationException cause) implements Outcome<T> {
        /**
         * Creates a cancelled outcome.
         *
         * @param cause the cancellation
         * @throws NullPointerException if {@code cause} is null
         */
        public Cancelled {
            Objects.requireNonNull(cause, "cause");
        }
    }

    // ---------------------------------------------------------------- factories

    /**
     * A success.
     *
     * @param <T> the value type
     * @param value the value, possibly {@code null}
     * @return the outcome
     */
    static <T extends @Nullable Object> Outcome<T> success(T value) {
        return new Success<>(value);
    }

    /**
     * A failure, or a {@link Cancelled} outcome if {@code cause} is a
     * {@link CancellationException}. A {@link CompletionException} or {@link ExecutionException}
     * wrapper with a cause is unwrapped first.
     *
     * @param <T> the value type
     * @param cause the exception
     * @return the outcome
     * @throws NullPointerException if {@code cause} is null
     */
    static <T> Outcome<T> failure(Throwable cause) {
        Objects.requireNonNull(cause, "cause");
        Throwable unwrapped = Failures.unwrap(cause);
        return unwrapped instanceof CancellationException cancelled
                ? new Cancelled<>(cancelled)
                : new Failure<>(unwrapped);
    }

    /**
     * A cancelled outcome.
     *
     * @param <T> the value type
     * @return the outcome
     */
    static <T> Outcome<T> cancelled() {
        return new Cancelled<>(new CancellationException("cancelled"));
    }

    /**
     * Builds the outcome from the two arguments a {@code whenComplete}/{@code handle} callback
     * receives: a success with {@code value} if {@code failure} is null, else
     * {@link #failure(Throwable) failure(failure)}.
     *
     * @param <T> the value type
     * @param value the value (ignored if {@code failure} is not null)
     * @param failure the exception, or null on success
     * @return the outcome
     */
    static <T> Outcome<T> of(T value, Throwable failure) {
        return failure == null ? new Success<>(value) : failure(failure);
    }

    /**
     * The outcome of a future that is already done, read without waiting. Takes any
     * {@link Future} (a {@code CompletableFuture}, a {@code FutureTask}, …): reading a result now
     * is what a {@code CompletionStage} cannot offer, so this is the one method of the toolkit
     * that takes a {@code Future} rather than a stage (ADR core-0002).
     *
     * @param <T> the value type
     * @param future a completed future
     * @return its outcome
     * @throws NullPointerException if {@code future} is null
     * @throws IllegalArgumentException if {@code future} is not done
     */
    static <T> Outcome<T> ofDone(Future<? extends T> future) {
        Objects.requireNonNull(future, "future");
        return switch (future.state()) {
            case SUCCESS -> new Success<>(future.resultNow());
            case FAILED -> failure(future.exceptionNow());
            case CANCELLED -> {
                try {
                    future.get();
                    throw new AssertionError("a cancelled future returned a value");
                } catch (CancellationException e) {
                    yield new Cancelled<>(e);
                } catch (InterruptedException | ExecutionException impossible) {
                    throw new AssertionError("a cancelled future did not throw CancellationException", impossible);
                }
            }
            case RUNNING -> throw new IllegalArgumentException("future must be done, was " + future);
        };
    }

    /**
     * A future of the outcome of {@code stage}: it completes normally when the stage completes in
     * any way, and never fails. Never blocks.
     *
     * <p>Cancelling the returned future does not cancel {@code stage}.
     *
     * @param <T> the value type
     * @param stage the work to observe
     * @return a future of its outcome
     * @throws NullPointerException if {@code stage} is null
     */
    static <T> CompletableFuture<Outcome<T>> of(CompletionStage<? extends T> stage) {
        Objects.requireNonNull(stage, "stage");
        var result = new CompletableFuture<Outcome<T>>();
        stage.whenComplete((value, failure) -> result.complete(of(value, failure)));
        return result;
    }

    // ---------------------------------------------------------------- queries

    /**
     * Whether this is a {@link Success}.
     *
     * @return {@code true} for a success
     */
    default boolean isSuccess() {
        return this instanceof Success;
    }

    /**
     * Whether this is a {@link Failure} (cancellation is not a failure).
     *
     * @return {@code true} for a failure
     */
    default boolean isFailure() {
        return this instanceof Failure;
    }

    /**
     * Whether this is {@link Cancelled}.
     *
     * @return {@code true} if cancelled
     */
    default boolean isCancelled() {
        return this instanceof Cancelled;
    }

    /**
     * The value of a success, or throws like {@link CompletableFuture#join()} would.
     *
     * @return the value
     * @throws CompletionException with the failure as its cause, for a failure
     * @throws CancellationException for a cancelled outcome
     */
    default T getOrThrow() {
        return switch (this) {
            case Success<T> s -> s.value();
            case Failure<T> f -> throw new CompletionException(f.cause());
            case Cancelled<T> c -> throw c.cause();
        };
    }

    /**
     * The value of a success, or {@code other}.
     *
     * @param other the value to return for a failure or cancellation
     * @return the value or {@code other}
     */
    default T getOrElse(T other) {
        return this instanceof Success<T> s ? s.value() : other;
    }

    /**
     * The exception of a failure or cancellation, or {@code null} for a success.
     *
     * @return the exception or null
     */
    default @Nullable Throwable exceptionOrNull() {
        return switch (this) {
            case Success<T> s -> null;
            case Failure<T> f -> f.cause();
            case Cancelled<T> c -> c.cause();
        };
    }

    // ---------------------------------------------------------------- transformations

    /**
     * Transforms the value of a success; a failure or cancellation is returned unchanged. If
     * {@code mapper} throws, the result is a failure with that exception.
     *
     * @param <U> the new value type
     * @param mapper the function to apply to the value
     * @return the transformed outcome
     * @throws NullPointerException if {@code mapper} is null
     */
    @SuppressWarnings("unchecked")
    default <U> Outcome<U> map(Function<? super T, ? extends U> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        if (this instanceof Success<T> s) {
            try {
                return new Success<>(mapper.apply(s.value()));
            } catch (RuntimeException | Error e) {
                return failure(e);
            }
        }
        return (Outcome<U>) this; // a failure or cancellation holds no value of type T
    }

    /**
     * Turns a failure into a success with {@code recovery}'s value; a success or cancellation is
     * returned unchanged (cancellation is not an error to recover from). If {@code recovery}
     * throws, the result is a failure with that exception, the original one suppressed.
     *
     * @param recovery the function from the failure's exception to a value
     * @return the recovered outcome
     * @throws NullPointerException if {@code recovery} is null
     */
    default Outcome<T> recover(Function<? super Throwable, ? extends T> recovery) {
        Objects.requireNonNull(recovery, "recovery");
        if (this instanceof Failure<T> f) {
            try {
                return new Success<>(recovery.apply(f.cause()));
            } catch (RuntimeException | Error e) {
                if (e != f.cause()) {
                    e.addSuppressed(f.cause());
                }
                return failure(e);
            }
        }
        return this;
    }

    /**
     * A future already completed with this outcome: normally, exceptionally, or cancelled.
     *
     * @return a new completed future
     */
    default CompletableFuture<T> toFuture() {
        var future = new CompletableFuture<T>();
        switch (this) {
            case Success<T> s -> future.complete(s.value());
            case Failure<T> f -> future.completeExceptionally(f.cause());
            case Cancelled<T> c -> future.completeExceptionally(c.cause());
        }
        return future;
    }
}
