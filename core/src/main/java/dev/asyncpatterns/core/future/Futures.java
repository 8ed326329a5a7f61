package dev.asyncpatterns.core.future;

import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.internal.CompletedFutures;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.FirstOfFuture;
import dev.asyncpatterns.core.internal.FollowingFuture;
import dev.asyncpatterns.core.internal.GatherFuture;
import dev.asyncpatterns.core.internal.Stages;
import dev.asyncpatterns.core.internal.TimeoutFuture;
import dev.asyncpatterns.core.internal.WaitFuture;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * Combinators over {@link CompletableFuture}s that keep the toolkit's contract where the JDK's
 * do not: {@link #all} fails fast and cancels the siblings ({@code allOf} does neither),
 * {@link #withTimeout} cancels the work it gives up on ({@code orTimeout} leaves it running),
 * cancelling a combined future cancels its inputs, and every timer runs on an injectable
 * {@link TimeSource}.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.FuturesSnippets region=allAndTimeout}
 *
 * <p>Every method returns at once and never blocks the caller. Methods that take
 * {@link AsyncSupplier}s start the work themselves; a supplier that throws counts as work that
 * failed with that exception. Combining n futures costs O(n) time and memory and completes
 * without deep stacks, also for 100,000 inputs completing at once.
 *
 * <p><b>Inputs.</b> Every method takes its inputs as {@link CompletionStage}s and returns a
 * {@link CompletableFuture}. Unless a method says otherwise, cancelling a returned future cancels
 * (with interruption) the inputs it was built from: the returned future stands for their work.
 * That reaches every input that is a {@code CompletableFuture} or supports
 * {@link CompletionStage#toCompletableFuture()}; a stage that refuses {@code toCompletableFuture}
 * is followed but cannot be cancelled. Methods that hand inputs back ({@link #waitFor},
 * {@link #asCompleted}) hand back the very {@code CompletableFuture}s they were given.
 *
 * @since 0.1.0
 */
public final class Futures {

    private Futures() {}

    // ---------------------------------------------------------------- simple futures

    /**
     * A future already completed with {@code value}.
     *
     * @param <T> the value type
     * @param value the value, possibly null
     * @return a completed future
     */
    public static <T> CompletableFuture<T> completed(T value) {
        return CompletableFuture.completedFuture(value);
    }

    /**
     * A future already failed with {@code failure} (cancelled, if it is a
     * {@link CancellationException}).
     *
     * @param <T> the value type
     * @param failure the exception
     * @return a failed future
     * @throws NullPointerException if {@code failure} is null
     */
    public static <T> CompletableFuture<T> failed(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        return CompletableFuture.failedFuture(failure);
    }

    /**
     * Starts {@code task} and returns its future. If the supplier throws or returns null, the
     * returned future fails with that exception (or a {@link NullPointerException}) instead.
     *
     * @param <T> the value type
     * @param task the work to start
     * @return the work's future
     * @throws NullPointerException if {@code task} is null
     */
    public static <T> CompletableFuture<T> start(AsyncSupplier<? extends T> task) {
        Objects.requireNonNull(task, "task");
        CompletionStage<? extends T> stage;
        try {
            stage = task.get();
        } catch (Throwable failure) {
            return CompletableFuture.failedFuture(failure);
        }
        if (stage == null) {
            return CompletableFuture.failedFuture(new NullPointerException("task returned a null stage: " + task));
        }
        return Stages.toFuture(stage);
    }

    // ---------------------------------------------------------------- all / allSettled

    /**
     * The results of all {@code futures}, in input order, like {@code asyncio.gather}. Fails fast:
     * the first failure fails the returned future at once with that exception and cancels every
     * other input (interrupting their tasks where they can be); failures that arrive later are
     * added to the first one as {@linkplain Throwable#addSuppressed suppressed}. A cancelled input
     * counts as a failure (the returned future is then cancelled too). No inputs give an empty
     * list.
     *
     * <p>Cancelling the returned future cancels every input. Memory effects: the actions of each
     * input's completion happen-before the returned future's dependents run.
     *
     * @param <T> the common value type
     * @param futures the futures to combine; the collection is copied
     * @return a future of an unmodifiable list of the results (elements may be null)
     * @throws NullPointerException if {@code futures} or an element is null
     */
    public static <T> CompletableFuture<List<T>> all(Collection<? extends CompletionStage<? extends T>> futures) {
        return new GatherFuture<T>(toArray(futures, "futures"), false).start();
    }

    /**
     * Varargs form of {@link #all(Collection)}.
     *
     * @param <T> the common value type
     * @param futures the futures to combine
     * @return a future of the results in input order
     * @throws NullPointerException if {@code futures} or an element is null
     */
    @SafeVarargs
    public static <T> CompletableFuture<List<T>> all(CompletionStage<? extends T>... futures) {
        Objects.requireNonNull(futures, "futures");
        var list = new ArrayList<CompletionStage<? extends T>>(futures.length);
        for (CompletionStage<? extends T> future : futures) {
            list.add(future);
        }
        return all(list);
    }

    /**
     * Starts every task and combines them as {@link #all(Collection)} does. Tasks are started in
     * order; if one throws, the later ones are never started and the result fails with that
     * exception, cancelling the tasks already started.
     *
     * @param <T> the common value type
     * @param tasks the work to start
     * @return a future of the results in input order
     * @throws NullPointerException if {@code tasks} or an element is null
     */
    @SafeVarargs
    public static <T> CompletableFuture<List<T>> all(AsyncSupplier<? extends T>... tasks) {
        Objects.requireNonNull(tasks, "tasks");
        var list = new ArrayList<AsyncSupplier<? extends T>>(tasks.length);
        for (AsyncSupplier<? extends T> task : tasks) {
            list.add(task);
        }
        return all(startAll(list, true));
    }

    /**
     * The {@link Outcome} of every input, in input order, like
     * {@code asyncio.gather(..., return_exceptions=True)}. The returned future never fails: it
     * completes once every input has completed in any way. No inputs give an empty list.
     *
     * <p>Cancelling the returned future cancels every input.
     *
     * @param <T> the common value type
     * @param futures the futures to observe; the collection is copied
     * @return a future of an unmodifiable list of outcomes
     * @throws NullPointerException if {@code futures} or an element is null
     */
    public static <T> CompletableFuture<List<Outcome<T>>> allSettled(
            Collection<? extends CompletionStage<? extends T>> futures) {
        return new GatherFuture<Outcome<T>>(toArray(futures, "futures"), true).start();
    }

    /**
     * Varargs form of {@link #allSettled(Collection)}.
     *
     * @param <T> the common value type
     * @param futures the futures to observe
     * @return a future of the outcomes in input order
     * @throws NullPointerException if {@code futures} or an element is null
     */
    @SafeVarargs
    public static <T> CompletableFuture<List<Outcome<T>>> allSettled(CompletionStage<? extends T>... futures) {
        Objects.requireNonNull(futures, "futures");
        var list = new ArrayList<CompletionStage<? extends T>>(futures.length);
        for (CompletionStage<? extends T> future : futures) {
            list.add(future);
        }
        return allSettled(list);
    }

    /**
     * Starts every task and settles them as {@link #allSettled(Collection)} does; a task that
     * throws is a {@link Outcome.Failure}, and the others still start.
     *
     * @param <T> the common value type
     * @param tasks the work to start
     * @return a future of the outcomes in input order
     * @throws NullPointerException if {@code tasks} or an element is null
     */
    @SafeVarargs
    public static <T> CompletableFuture<List<Outcome<T>>> allSettled(AsyncSupplier<? extends T>... tasks) {
        Objects.requireNonNull(tasks, "tasks");
        var list = new ArrayList<AsyncSupplier<? extends T>>(tasks.length);
        for (AsyncSupplier<? extends T> task : tasks) {
            list.add(task);
        }
        return allSettled(startAll(list, false));
    }

    // ---------------------------------------------------------------- any / race

    /**
     * The value of the first input to succeed; then every other input is cancelled. Failures and
     * cancellations are skipped while another input may still succeed; if every input fails, the
     * returned future fails with an {@link AllFailedException} whose cause is the first failure
     * and which carries every failure in input order.
     *
     * <p>Cancelling the returned future cancels every input.
     *
     * @param <T> the common value type
     * @param futures the alternatives; the collection is copied
     * @return a future of the first success
     * @throws NullPointerException if {@code futures} or an element is null
     * @throws IllegalArgumentException if {@code futures} is empty
     */
    public static <T> CompletableFuture<T> any(Collection<? extends CompletionStage<? extends T>> futures) {
        return new FirstOfFuture<T>(nonEmpty(futures), false).start();
    }

    /**
     * Varargs form of {@link #any(Collection)}.
     *
     * @param <T> the common value type
     * @param futures the alternatives
     * @return a future of the first success
     * @throws NullPointerException if {@code futures} or an element is null
     * @throws IllegalArgumentException if there are no futures
     */
    @SafeVarargs
    public static <T> CompletableFuture<T> any(CompletionStage<? extends T>... futures) {
        Objects.requireNonNull(futures, "futures");
        var list = new ArrayList<CompletionStage<? extends T>>(futures.length);
        for (CompletionStage<? extends T> future : futures) {
            list.add(future);
        }
        return any(list);
    }

    /**
     * Starts every task and returns the first success, as {@link #any(Collection)}; a task that
     * throws counts as a failed alternative.
     *
     * @param <T> the common value type
     * @param tasks the alternatives to start
     * @return a future of the first success
     * @throws NullPointerException if {@code tasks} or an element is null
     * @throws IllegalArgumentException if there are no tasks
     */
    @SafeVarargs
    public static <T> CompletableFuture<T> any(AsyncSupplier<? extends T>... tasks) {
        Objects.requireNonNull(tasks, "tasks");
        var list = new ArrayList<AsyncSupplier<? extends T>>(tasks.length);
        for (AsyncSupplier<? extends T> task : tasks) {
            list.add(task);
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("tasks must not be empty");
        }
        return any(startAll(list, false));
    }

    /**
     * Completes like the first input to complete, in any way (value, failure or cancellation);
     * then every other input is cancelled.
     *
     * <p>Cancelling the returned future cancels every input.
     *
     * @param <T> the common value type
     * @param futures the racers; the collection is copied
     * @return a future completed like the first input to complete
     * @throws NullPointerException if {@code futures} or an element is null
     * @throws IllegalArgumentException if {@code futures} is empty
     */
    public static <T> CompletableFuture<T> race(Collection<? extends CompletionStage<? extends T>> futures) {
        return new FirstOfFuture<T>(nonEmpty(futures), true).start();
    }

    /**
     * Varargs form of {@link #race(Collection)}.
     *
     * @param <T> the common value type
     * @param futures the racers
     * @return a future completed like the first input to complete
     * @throws NullPointerException if {@code futures} or an element is null
     * @throws IllegalArgumentException if there are no futures
     */
    @SafeVarargs
    public static <T> CompletableFuture<T> race(CompletionStage<? extends T>... futures) {
        Objects.requireNonNull(futures, "futures");
        var list = new ArrayList<CompletionStage<? extends T>>(futures.length);
        for (CompletionStage<? extends T> future : futures) {
            list.add(future);
        }
        return race(list);
    }

    // ---------------------------------------------------------------- waitFor / asCompleted

    /**
     * Waits, without blocking, until {@code policy} is met or every input is done, like
     * {@code asyncio.wait}; the result lists the done and the pending inputs in input order.
     * The pending inputs are not cancelled. No inputs give an empty result at once.
     *
     * <p>Cancelling the returned future stops the wait only; the inputs are not touched.
     *
     * @param <T> the value type
     * @param policy when to stop waiting
     * @param futures the inputs; the collection is copied
     * @return a future of the done and pending inputs
     * @throws NullPointerException if an argument or an element is null
     */
    public static <T> CompletableFuture<WaitResult<T>> waitFor(
            WaitPolicy policy, Collection<? extends CompletionStage<T>> futures) {
        Objects.requireNonNull(policy, "policy");
        return new WaitFuture<T>(checkedList(futures), policy).start(null, null);
    }

    /**
     * As {@link #waitFor(WaitPolicy, Collection)}, but also stops when {@code timeout} passes on
     * {@code timeSource}, reporting what was done by then (a zero or negative timeout reports at
     * once). The timer is cancelled when the wait ends earlier.
     *
     * @param <T> the value type
     * @param policy when to stop waiting
     * @param futures the inputs; the collection is copied
     * @param timeout the longest wait
     * @param timeSource the clock that times the wait
     * @return a future of the done and pending inputs
     * @throws NullPointerException if an argument or an element is null
     */
    public static <T> CompletableFuture<WaitResult<T>> waitFor(
            WaitPolicy policy,
            Collection<? extends CompletionStage<T>> futures,
            Duration timeout,
            TimeSource timeSource) {
        Objects.requireNonNull(policy, "policy");
        List<CompletableFuture<T>> inputs = checkedList(futures);
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(timeSource, "timeSource");
        return new WaitFuture<T>(inputs, policy).start(timeout, timeSource);
    }

    /**
     * As {@link #waitFor(WaitPolicy, Collection, Duration, TimeSource)} on the system time source.
     *
     * @param <T> the value type
     * @param policy when to stop waiting
     * @param futures the inputs; the collection is copied
     * @param timeout the longest wait
     * @return a future of the done and pending inputs
     * @throws NullPointerException if an argument or an element is null
     */
    public static <T> CompletableFuture<WaitResult<T>> waitFor(
            WaitPolicy policy, Collection<? extends CompletionStage<T>> futures, Duration timeout) {
        return waitFor(policy, futures, timeout, TimeSource.system());
    }

    /**
     * The inputs in the order they complete, like {@code asyncio.as_completed}: consumable with
     * the non-blocking {@link AsCompleted#next()} / {@link AsCompleted#forEachAsync}, or as a
     * blocking {@code Iterable} / {@code Stream} on a virtual thread. The inputs are not cancelled.
     *
     * @param <T> the value type
     * @param futures the inputs; the collection is copied
     * @return the inputs in completion order
     * @throws NullPointerException if {@code futures} or an element is null
     */
    public static <T> AsCompleted<T> asCompleted(Collection<? extends CompletionStage<T>> futures) {
        return new AsCompleted<>(checkedList(futures));
    }

    // ---------------------------------------------------------------- timeouts

    /**
     * {@code future}'s result, unless {@code timeout} passes first on the system time source: then
     * the returned future fails with a {@link TimeoutException} and {@code future} is cancelled
     * (interrupting its task if it is a {@link Tasks} task), like {@code asyncio.wait_for}.
     *
     * @param <T> the value type
     * @param future the work to wait for
     * @param timeout how long to wait; zero or negative means already expired
     * @return a future of the result or the timeout
     * @throws NullPointerException if an argument is null
     * @see #withTimeout(CompletionStage, Duration, TimeSource)
     */
    public static <T> CompletableFuture<T> withTimeout(CompletionStage<? extends T> future, Duration timeout) {
        return withTimeout(future, timeout, TimeSource.system());
    }

    /**
     * {@code future}'s result, unless {@code timeout} passes first on {@code timeSource}: then the
     * returned future fails with a {@link TimeoutException} (message naming the timeout) and
     * {@code future} is cancelled with interruption. If {@code future} is already done, or the
     * timeout is zero or negative, the answer is given at once without a timer.
     *
     * <p>Never blocks. The returned future completes as soon as the timeout fires; the cancelled
     * work may still be winding down. Cancelling the returned future cancels {@code future} and
     * the timer. When {@code future} completes first, the timer is cancelled and holds no memory.
     *
     * @param <T> the value type
     * @param future the work to wait for
     * @param timeout how long to wait
     * @param timeSource the clock that times out
     * @return a future of the result or the timeout
     * @throws NullPointerException if an argument is null
     */
    public static <T> CompletableFuture<T> withTimeout(
            CompletionStage<? extends T> future, Duration timeout, TimeSource timeSource) {
        Objects.requireNonNull(future, "future");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(timeSource, "timeSource");
        return new TimeoutFuture<T>(Stages.toFuture(future), timeout, null).start(timeSource);
    }

    /**
     * Starts {@code task} and times it out as {@link #withTimeout(CompletionStage, Duration)}.
     *
     * @param <T> the value type
     * @param task the work to start
     * @param timeout how long to wait
     * @return a future of the result or the timeout
     * @throws NullPointerException if an argument is null
     */
    public static <T> CompletableFuture<T> withTimeout(AsyncSupplier<? extends T> task, Duration timeout) {
        return withTimeout(task, timeout, TimeSource.system());
    }

    /**
     * Starts {@code task} and times it out on {@code timeSource} as
     * {@link #withTimeout(CompletionStage, Duration, TimeSource)}. The timeout is checked before
     * the task starts: with a zero or negative timeout the task never starts.
     *
     * @param <T> the value type
     * @param task the work to start
     * @param timeout how long to wait
     * @param timeSource the clock that times out
     * @return a future of the result or the timeout
     * @throws NullPointerException if an argument is null
     */
    public static <T> CompletableFuture<T> withTimeout(
            AsyncSupplier<? extends T> task, Duration timeout, TimeSource timeSource) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(timeSource, "timeSource");
        if (Durations.toNanosSaturated(timeout) <= 0) {
            return CompletableFuture.failedFuture(TimeoutFuture.timeoutException(timeout));
        }
        return withTimeout(start(task), timeout, timeSource);
    }

    /**
     * {@code future}'s result, or {@code fallback}'s value if {@code timeout} passes first on the
     * system time source (then {@code future} is cancelled). If the fallback throws, the returned
     * future fails with that exception, the {@link TimeoutException} suppressed.
     *
     * @param <T> the value type
     * @param future the work to wait for
     * @param timeout how long to wait
     * @param fallback supplies the value on timeout; called at most once, on the timer's thread
     * @return a future of the result or the fallback value
     * @throws NullPointerException if an argument is null
     */
    public static <T> CompletableFuture<T> withTimeout(
            CompletionStage<? extends T> future, Duration timeout, Callable<? extends T> fallback) {
        return withTimeout(future, timeout, fallback, TimeSource.system());
    }

    /**
     * As {@link #withTimeout(CompletionStage, Duration, Callable)}, timed on {@code timeSource}.
     *
     * @param <T> the value type
     * @param future the work to wait for
     * @param timeout how long to wait
     * @param fallback supplies the value on timeout
     * @param timeSource the clock that times out
     * @return a future of the result or the fallback value
     * @throws NullPointerException if an argument is null
     */
    public static <T> CompletableFuture<T> withTimeout(
            CompletionStage<? extends T> future,
            Duration timeout,
            Callable<? extends T> fallback,
            TimeSource timeSource) {
        Objects.requireNonNull(future, "future");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(fallback, "fallback");
        Objects.requireNonNull(timeSource, "timeSource");
        return new TimeoutFuture<T>(Stages.toFuture(future), timeout, fallback).start(timeSource);
    }

    // ---------------------------------------------------------------- time

    /**
     * A future completed with {@code null} after {@code duration} on the system time source,
     * like {@code asyncio.sleep}. Never blocks a thread; cancelling it cancels the timer.
     *
     * @param duration how long; zero or negative completes as soon as possible
     * @return a future completed after the duration
     * @throws NullPointerException if {@code duration} is null
     */
    public static CompletableFuture<Void> sleep(Duration duration) {
        return sleep(duration, TimeSource.system());
    }

    /**
     * A future completed with {@code null} after {@code duration} on {@code timeSource}.
     * Cancelling it cancels the timer.
     *
     * @param duration how long; zero or negative completes as soon as possible
     * @param timeSource the clock
     * @return a future completed after the duration
     * @throws NullPointerException if an argument is null
     */
    public static CompletableFuture<Void> sleep(Duration duration, TimeSource timeSource) {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(timeSource, "timeSource");
        return timeSource.delay(duration);
    }

    /**
     * Starts {@code task} after {@code delay} on {@code timeSource} and completes with its
     * result. Cancelling the returned future before the delay ends means the task never
     * starts; afterwards it cancels the started work.
     *
     * @param <T> the value type
     * @param delay how long to wait before starting
     * @param task the work to start
     * @param timeSource the clock
     * @return a future of the task's result
     * @throws NullPointerException if an argument is null
     */
    public static <T> CompletableFuture<T> delay(
            Duration delay, AsyncSupplier<? extends T> task, TimeSource timeSource) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(timeSource, "timeSource");
        var result = new FollowingFuture<T>();
        result.timer = timeSource.schedule(delay, () -> {
            if (!result.isDone()) {
                result.follow(start(task));
            }
        });
        return result;
    }

    /**
     * As {@link #delay(Duration, AsyncSupplier, TimeSource)} on the system time source.
     *
     * @param <T> the value type
     * @param delay how long to wait before starting
     * @param task the work to start
     * @return a future of the task's result
     * @throws NullPointerException if an argument is null
     */
    public static <T> CompletableFuture<T> delay(Duration delay, AsyncSupplier<? extends T> task) {
        return delay(delay, task, TimeSource.system());
    }

    // ---------------------------------------------------------------- shield

    /**
     * A future that completes exactly as {@code future} does, but whose cancellation does not
     * reach {@code future}, like {@code asyncio.shield}: a caller that gives up (a timeout, a
     * cancelled scope) stops waiting while the work underneath carries on, e.g. a payment that
     * must not be interrupted half way.
     *
     * <p>The shield holds a reference from {@code future} until {@code future} completes.
     *
     * @param <T> the value type
     * @param future the work to protect
     * @return a new future mirroring {@code future}
     * @throws NullPointerException if {@code future} is null
     */
    public static <T> CompletableFuture<T> shield(CompletionStage<? extends T> future) {
        Objects.requireNonNull(future, "future");
        var shield = new CompletableFuture<T>();
        future.whenComplete((value, failure) -> {
            if (failure == null) {
                shield.complete(value);
            } else {
                shield.completeExceptionally(Outcome.failure(failure).exceptionOrNull());
            }
        });
        return shield;
    }

    // ---------------------------------------------------------------- helpers

    private static CompletableFuture<?>[] nonEmpty(Collection<? extends CompletionStage<?>> futures) {
        CompletableFuture<?>[] array = toArray(futures, "futures");
        if (array.length == 0) {
            throw new IllegalArgumentException("futures must not be empty");
        }
        return array;
    }

    private static <T> List<CompletableFuture<T>> checkedList(Collection<? extends CompletionStage<T>> futures) {
        Objects.requireNonNull(futures, "futures");
        var list = new ArrayList<CompletableFuture<T>>(futures.size());
        for (CompletionStage<T> stage : futures) {
            if (stage == null) {
                throw new NullPointerException("futures[" + list.size() + "] is null");
            }
            list.add(Stages.toFuture(stage));
        }
        return list;
    }

    static CompletableFuture<?>[] toArray(Collection<? extends CompletionStage<?>> futures, String name) {
        Objects.requireNonNull(futures, name);
        Object[] stages = futures.toArray(); // one snapshot of the collection, as it is now
        CompletableFuture<?>[] array = new CompletableFuture<?>[stages.length];
        for (int i = 0; i < stages.length; i++) {
            Object stage = stages[i];
            if (stage == null) {
                throw new NullPointerException(name + "[" + i + "] is null");
            }
            array[i] = Stages.toFuture((CompletionStage<?>) stage);
        }
        return array;
    }

    private static <T> List<CompletableFuture<? extends T>> startAll(
            List<AsyncSupplier<? extends T>> tasks, boolean stopOnFailure) {
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i) == null) {
                throw new NullPointerException("tasks[" + i + "] is null");
            }
        }
        var started = new ArrayList<CompletableFuture<? extends T>>(tasks.size());
        boolean failed = false;
        for (AsyncSupplier<? extends T> task : tasks) {
            if (failed) {
                started.add(CompletedFutures.cancelled());
                continue;
            }
            CompletableFuture<? extends T> future = start(task);
            started.add(future);
            failed = stopOnFailure && future.isCompletedExceptionally();
        }
        return started;
    }
}
