package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.internal.Failures;
import dev.asyncpatterns.core.supervision.Backoff;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * What an element stage ({@link Pipeline#map(java.util.function.Function, OnError) map},
 * {@link Pipeline#mapAsync(int, java.util.function.Function, OnError) mapAsync},
 * {@link Pipeline#mapAsyncUnordered(int, java.util.function.Function, OnError)
 * mapAsyncUnordered}) does when its function fails for one element.
 *
 * <ul>
 *   <li>{@link #failFast()} (the default of every stage): the run fails with the error, upstream
 *       is cancelled and every stage closed.
 *   <li>{@link #skip(BiConsumer)}: the element is dropped and handed, with its error, to a
 *       dead-letter callback; the run goes on.
 *   <li>{@link #recover(BiFunction)}: the stage emits a fallback value computed from the element
 *       and its error instead.
 *   <li>{@link #retry(Backoff)}: the element is tried again after the backoff's delays (waiting
 *       on the run's {@link dev.asyncpatterns.core.time.TimeSource}, never blocking a thread), up to
 *       the backoff's attempt limit; then {@link #thenSkip(BiConsumer)}, {@link
 *       #thenRecover(BiFunction)} or, by default, fail fast with the last error (the earlier
 *       attempts' errors attached as suppressed).
 * </ul>
 *
 * <p>Only failures of the stage's own function (a thrown {@link RuntimeException}, a failed or
 * {@code null} future, a {@code null} result) are handled; failures coming from upstream pass
 * through, and an {@link Error} thrown by the function always fails the run. A
 * dead-letter callback or fallback that throws fails the run with that exception, the element's
 * error attached as suppressed. Callbacks run on the thread driving the stage, one at a time.
 *
 * <p>Immutable and thread-safe; one policy may serve many stages and runs.
 *
 * {@snippet class=dev.asyncpatterns.pipeline.snippets.PipelineSnippets region=skipAndRetry}
 *
 * @param <T> the stage's input element type
 * @param <R> the stage's output element type
 * @since 0.1.0
 */
public final class OnError<T, R> {

    private enum Kind {
        FAIL,
        SKIP,
        RECOVER
    }

    private static final OnError<Object, Object> FAIL_FAST = new OnError<>(Kind.FAIL, null, null, null);

    private final Kind kind;
    private final @Nullable BiConsumer<? super T, ? super Throwable> deadLetter;
    private final @Nullable BiFunction<? super T, ? super Throwable, ? extends R> fallback;
    private final @Nullable Backoff backoff;

    private OnError(
            Kind kind,
            @Nullable BiConsumer<? super T, ? super Throwable> deadLetter,
            @Nullable BiFunction<? super T, ? super Throwable, ? extends R> fallback,
            @Nullable Backoff backoff) {
        this.kind = kind;
        this.deadLetter = deadLetter;
        this.fallback = fallback;
        this.backoff = backoff;
    }

    /**
     * Fail the run with the first error (the default).
     *
     * @param <T> the input element type
     * @param <R> the output element type
     * @return the fail-fast policy
     */
    @SuppressWarnings("unchecked")
    public static <T, R> OnError<T, R> failFast() {
        return (OnError<T, R>) FAIL_FAST;
    }

    /**
     * Drop the failed element and hand it, with its error, to {@code deadLetter}.
     *
     * @param <T> the input element type
     * @param <R> the output element type
     * @param deadLetter receives each failed element and its cause, on the stage's thread
     * @return the policy
     * @throws NullPointerException if {@code deadLetter} is null
     */
    public static <T, R> OnError<T, R> skip(BiConsumer<? super T, ? super Throwable> deadLetter) {
        return new OnError<>(Kind.SKIP, Objects.requireNonNull(deadLetter, "deadLetter"), null, null);
    }

    /**
     * Emit {@code fallback.apply(element, error)} in place of the failed element.
     *
     * @param <T> the input element type
     * @param <R> the output element type
     * @param fallback computes the replacement; must not return {@code null}
     * @return the policy
     * @throws NullPointerException if {@code fallback} is null
     */
    public static <T, R> OnError<T, R> recover(BiFunction<? super T, ? super Throwable, ? extends R> fallback) {
        return new OnError<>(Kind.RECOVER, null, Objects.requireNonNull(fallback, "fallback"), null);
    }

    /**
     * Try the element again after {@link Backoff#delay(int) backoff.delay(attempt)}, until the
     * backoff's attempt limit; then fail fast (see {@link #thenSkip} and {@link #thenRecover}).
     * While an element waits for its retry it keeps its place: {@code mapAsync} still emits in
     * input order, and a {@code map} stage waits.
     *
     * @param <T> the input element type
     * @param <R> the output element type
     * @param backoff the delays; must limit attempts ({@link Backoff#maxAttempts(int)}), so a
     *     poison element cannot stall the pipeline forever
     * @return the policy
     * @throws NullPointerException if {@code backoff} is null
     * @throws IllegalArgumentException if {@code backoff} allows unlimited attempts
     */
    public static <T, R> OnError<T, R> retry(Backoff backoff) {
        Objects.requireNonNull(backoff, "backoff");
        if (backoff.maxAttempts() == Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "backoff must limit attempts (Backoff.maxAttempts(n)), was unlimited: " + backoff);
        }
        return new OnError<>(Kind.FAIL, null, null, backoff);
    }

    /**
     * This retry policy, skipping to {@code deadLetter} once the attempts are exhausted.
     *
     * @param deadLetter receives the element and its last error
     * @return a new policy
     * @throws NullPointerException if {@code deadLetter} is null
     * @throws IllegalStateException if this is not a {@link #retry(Backoff)} policy
     */
    public OnError<T, R> thenSkip(BiConsumer<? super T, ? super Throwable> deadLetter) {
        Objects.requireNonNull(deadLetter, "deadLetter");
        requireRetryWithoutFallback("thenSkip");
        return new OnError<>(Kind.SKIP, deadLetter, null, backoff);
    }

    /**
     * This retry policy, recovering with {@code fallback} once the attempts are exhausted.
     *
     * @param fallback computes the replacement from the element and its last error
     * @return a new policy
     * @throws NullPointerException if {@code fallback} is null
     * @throws IllegalStateException if this is not a {@link #retry(Backoff)} policy
     */
    public OnError<T, R> thenRecover(BiFunction<? super T, ? super Throwable, ? extends R> fallback) {
        Objects.requireNonNull(fallback, "fallback");
        requireRetryWithoutFallback("thenRecover");
        return new OnError<>(Kind.RECOVER, null, fallback, backoff);
    }

    private void requireRetryWithoutFallback(String method) {
        if (backoff == null || kind != Kind.FAIL) {
            throw new IllegalStateException(
                    method + " applies only to a plain OnError.retry(backoff) policy, not " + this);
        }
    }

    // ---------------------------------------------------------------- used by the stages

    /** Marks an element that was skipped. */
    static final Object SKIPPED = new Object();

    boolean retries() {
        return backoff != null;
    }

    boolean failsFast() {
        return kind == Kind.FAIL && backoff == null;
    }

    /** The delay before attempt {@code failedAttempt + 1}, or empty when attempts are exhausted. */
    Optional<Duration> retryDelay(int failedAttempt) {
        return backoff == null ? Optional.empty() : backoff.delay(failedAttempt);
    }

    /**
     * Resolves a final failure: the fallback value, {@link #SKIPPED}, or a thrown exception.
     */
    Object resolve(T element, Throwable error) {
        Throwable cause = Failures.unwrap(error);
        // SKIP holds deadLetter and RECOVER holds fallback (set by the factories), FAIL neither
        if (deadLetter != null) {
            try {
                deadLetter.accept(element, cause);
            } catch (Throwable callbackFailure) {
                callbackFailure.addSuppressed(cause);
                throw Node.propagate(callbackFailure);
            }
            return SKIPPED;
        }
        if (fallback != null) {
            Object value;
            try {
                value = fallback.apply(element, cause);
            } catch (Throwable callbackFailure) {
                callbackFailure.addSuppressed(cause);
                throw Node.propagate(callbackFailure);
            }
            if (value == null) {
                var npe = new NullPointerException("OnError.recover fallback returned null");
                npe.addSuppressed(cause);
                throw npe;
            }
            return value;
        }
        throw Node.propagate(cause);
    }

    @Override
    public String toString() {
        String base = switch (kind) {
            case FAIL -> "failFast";
            case SKIP -> "skip";
            case RECOVER -> "recover";
        };
        return backoff == null ? "OnError." + base : "OnError.retry(" + backoff + ").then(" + base + ")";
    }
}
