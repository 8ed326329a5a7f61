package dev.asyncpatterns.core.future;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/*
 * Maintainer's note.
 *
 * A hand-off between the inputs' completions and the consumer. Under one ReentrantLock: 'ready'
 * (completed inputs not yet handed out), 'waiters' (futures returned by next() that no input has
 * filled yet) and 'taken' (how many next() calls are entitled to an element). Since the number
 * of elements is known up front, "is there another element?" never waits: taken < size.
 *
 * Futures are completed outside the lock. A waiter can be cancelled by its consumer: if the
 * cancel happens while it is still queued, the cancel callback removes it and gives its
 * entitlement back (taken--); if a completion has already popped it, complete() fails and the
 * completion path gives the entitlement back and re-offers the element. Either way exactly one
 * side does it, so no element is lost or handed out twice.
 */
/**
 * The inputs of {@link Futures#asCompleted} in the order they complete, like
 * {@code asyncio.as_completed}. Each element is one of the input futures, already done, so the
 * caller can tell which input it was and read its value or failure.
 *
 * <p>Consume it asynchronously with {@link #next()} or {@link #forEachAsync(Consumer)}, or with
 * a plain {@code for} loop or {@link #stream()} on a virtual thread (these block):
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.FuturesSnippets region=asCompletedLoop}
 *
 * <p>Thread-safe: several consumers may call {@link #next()} concurrently; each element goes to
 * exactly one of them. Iterating does not cancel the inputs; inputs that fail or are cancelled
 * are handed out like the others.
 *
 * @param <T> the value type of the inputs
 * @since 0.1.0
 */
public final class AsCompleted<T> implements Iterable<CompletableFuture<T>> {

    private final int size;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<CompletableFuture<T>> ready = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<CompletableFuture<T>>> waiters = new ArrayDeque<>();

    @GuardedBy("lock")
    private int taken;

    AsCompleted(List<CompletableFuture<T>> inputs) {
        this.size = inputs.size();
        for (CompletableFuture<T> input : inputs) {
            input.whenComplete((value, failure) -> deliver(input));
        }
    }

    /**
     * How many inputs there are in total.
     *
     * @return the number of elements this sequence yields
     */
    public int size() {
        return size;
    }

    /**
     * How many elements {@link #next()} (or the iterator) has handed out or promised so far,
     * for progress reports.
     *
     * @return the number of elements taken
     */
    public int handedOut() {
        lock.lock();
        try {
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether another element remains to be taken. Never waits.
     *
     * <p>With several consumers this is only a snapshot: another consumer may take the last
     * element between {@code hasNext()} and {@code next()}, and that {@code next()} then fails
     * with {@link NoSuchElementException}. Concurrent consumers treat that failure as the end.
     *
     * @return {@code true} if an element was left to take at the moment of the call
     */
    public boolean hasNext() {
        return handedOut() < size;
    }

    /**
     * The next input to complete. Never blocks: the returned future completes when an input not
     * yet handed out completes (at once if one already has).
     *
     * <p>Cancelling the returned future gives its element back to the next caller.
     *
     * @return a future of the next completed input; it fails with {@link NoSuchElementException}
     *     if every element has already been taken
     */
    public CompletableFuture<CompletableFuture<T>> next() {
        CompletableFuture<T> element;
        CompletableFuture<CompletableFuture<T>> waiter;
        lock.lock();
        try {
            if (taken == size) {
                return CompletableFuture.failedFuture(
                        new NoSuchElementException("all " + size + " completions were already taken"));
            }
            taken++;
            element = ready.poll();
            if (element != null) {
                return CompletableFuture.completedFuture(element);
            }
            waiter = new CompletableFuture<>();
            waiters.add(waiter);
        } finally {
            lock.unlock();
        }
        waiter.whenComplete((ignored, failure) -> {
            if (waiter.isCancelled()) {
                lock.lock();
                try {
                    if (waiters.remove(waiter)) {
                        taken--;
                    }
                } finally {
                    lock.unlock();
                }
            }
        });
        return waiter;
    }

    /**
     * Calls {@code action} with each input as it completes, one call at a time, without
     * blocking any thread. The calls happen on the thread that completed the input (or the caller's
     * thread for inputs already done).
     *
     * <p>If {@code action} throws, no further calls are made and the returned future fails with
     * that exception. Cancelling the returned future stops further calls.
     *
     * @param action what to do with each completed input
     * @return a future completed after the last call
     * @throws NullPointerException if {@code action} is null
     */
    public CompletableFuture<Void> forEachAsync(Consumer<? super CompletableFuture<T>> action) {
        Objects.requireNonNull(action, "action");
        var result = new CompletableFuture<Void>();
        drain(action, result);
        return result;
    }

    private void drain(Consumer<? super CompletableFuture<T>> action, CompletableFuture<Void> result) {
        while (!result.isDone()) {
            if (!hasNext()) {
                result.complete(null);
                return;
            }
            CompletableFuture<CompletableFuture<T>> next = next();
            if (!next.isDone()) {
                // continue from the completing thread; the stack does not grow with the count
                next.whenComplete((element, failure) -> {
                    if (failure != null) {
                        result.completeExceptionally(failure);
                    } else if (accept(action, element, result)) {
                        drain(action, result);
                    }
                });
                result.whenComplete((ignored, failure) -> next.cancel(false));
                return;
            }
            if (!accept(action, next.join(), result)) {
                return;
            }
        }
    }

    private static <E> boolean accept(Consumer<? super E> action, E element, CompletableFuture<Void> result) {
        if (result.isDone()) {
            return false;
        }
        try {
            action.accept(element);
            return true;
        } catch (Throwable failure) {
            result.completeExceptionally(failure);
            return false;
        }
    }

    /**
     * A blocking iterator, for virtual threads: {@code next()} waits until another input
     * completes. {@code hasNext()} never waits.
     *
     * <p>If the waiting thread is interrupted, {@code next()} gives its element back, keeps the
     * thread's interrupt status set and throws a {@link CompletionException} whose cause is the
     * {@link InterruptedException}.
     *
     * @return an iterator over the inputs in completion order
     */
    @Override
    public Iterator<CompletableFuture<T>> iterator() {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return AsCompleted.this.hasNext();
            }

            @Override
            public CompletableFuture<T> next() {
                CompletableFuture<CompletableFuture<T>> next = AsCompleted.this.next();
                try {
                    return next.get();
                } catch (InterruptedException e) {
                    next.cancel(false);
                    Thread.currentThread().interrupt();
                    if (next.isDone() && !next.isCancelled()) {
                        return next.join(); // it arrived just before our cancel
                    }
                    throw new CompletionException(e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof NoSuchElementException none) {
                        throw none;
                    }
                    throw new CompletionException(e.getCause());
                }
            }
        };
    }

    /**
     * A sequential stream of the inputs in completion order. Blocking like {@link #iterator()}:
     * consume it on a virtual thread.
     *
     * @return a sized, ordered stream
     */
    public Stream<CompletableFuture<T>> stream() {
        return StreamSupport.stream(
                Spliterators.spliterator(iterator(), size - handedOut(), Spliterator.ORDERED | Spliterator.NONNULL),
                false);
    }

    private void deliver(CompletableFuture<T> element) {
        while (true) {
            CompletableFuture<CompletableFuture<T>> waiter;
            lock.lock();
            try {
                waiter = waiters.poll();
                if (waiter == null) {
                    ready.add(element);
                    return;
                }
            } finally {
                lock.unlock();
            }
            if (waiter.complete(element)) {
                return;
            }
            lock.lock(); // the waiter was cancelled after we took it: give its entitlement back
            try {
                taken--;
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return "AsCompleted[size=" + size + ", handedOut=" + handedOut() + "]";
    }
}
