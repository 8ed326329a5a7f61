package dev.asyncpatterns.core.sync;

import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.SyncWaiter;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Maintainer's note.
 *
 * The count (an AtomicLong, CAS-decremented, never below zero) and the AsyncEvent that waiters
 * wait on are two words: the countDown that takes the count to zero sets the event a moment
 * later. Issue 21 found the window in between: getCount() said 0 while a new await() still
 * waited, a history no sequential latch produces. So await() reads the count first and returns
 * an already completed future when it is 0; only a count above zero goes to the event, and that
 * await is then completed by the set() that the count reaching zero is bound to make (or sees
 * the event set). Linearization point of a countDown: its CAS; of an await that returns done:
 * its read of 0 (or of the set event). Memory effects hold through the count: every countDown's
 * CAS reads the previous one's write, so actions before any countDown happen-before a read of 0.
 */
/**
 * A count-down latch for asynchronous code, like {@link java.util.concurrent.CountDownLatch} but
 * {@link #await()} returns a future instead of blocking. The count only goes down; at zero the
 * latch opens for good and every waiter completes.
 *
 * <p><b>Threads.</b> Thread-safe; {@code countDown} is lock-free except for the call that opens
 * the latch, which completes the waiters on its thread, outside internal locks. Each await
 * returns its own future; cancelling it withdraws only that waiter.
 *
 * <p><b>Memory effects.</b> Actions before each {@code countDown} happen-before the completion of
 * the await futures.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.SyncSnippets region=latchAwait}
 *
 * @since 0.1.0
 */
public final class AsyncLatch {

    private final AtomicLong count;
    private final AsyncEvent open;

    /**
     * Creates a latch on {@link TimeSource#system()}.
     *
     * @param count the number of {@link #countDown()} calls that open it, zero or more (zero
     *     creates an open latch)
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public AsyncLatch(long count) {
        this(count, TimeSource.system());
    }

    /**
     * Creates a latch.
     *
     * @param count the number of {@link #countDown()} calls that open it, zero or more
     * @param timeSource the clock for {@link #await(Duration)} timeouts
     * @throws IllegalArgumentException if {@code count} is negative
     * @throws NullPointerException if {@code timeSource} is null
     */
    public AsyncLatch(long count, TimeSource timeSource) {
        this.count = new AtomicLong(Checks.nonNegative(count, "count"));
        this.open = new AsyncEvent(Objects.requireNonNull(timeSource, "timeSource"));
        if (count == 0) {
            open.set();
        }
    }

    /** Decrements the count; opens the latch when it reaches zero. No effect on an open latch. */
    public void countDown() {
        for (; ; ) {
            long c = count.get();
            if (c == 0) {
                return;
            }
            if (count.compareAndSet(c, c - 1)) {
                if (c == 1) {
                    open.set();
                }
                return;
            }
        }
    }

    /**
     * The current count. A snapshot for monitoring; once it reads zero, every {@link #await()}
     * from then on returns a completed future.
     *
     * @return the count, zero once open
     */
    public long getCount() {
        return count.get();
    }

    /**
     * Waits until the count reaches zero. Never blocks the caller.
     *
     * @return a future completed with {@code null} once the latch is open (at once if it is)
     */
    public CompletableFuture<Void> await() {
        if (count.get() == 0) {
            return SyncWaiter.DONE; // not the event: it is set a moment after the count hits zero
        }
        return open.await();
    }

    /**
     * Waits until the count reaches zero, or fails with a {@link TimeoutException} after
     * {@code timeout}. A zero or negative timeout does not wait.
     *
     * @param timeout the longest time to wait
     * @return a future completed with {@code null} once the latch is open, or failed
     * @throws NullPointerException if {@code timeout} is null
     */
    public CompletableFuture<Void> await(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (count.get() == 0) {
            return SyncWaiter.DONE;
        }
        return open.await(timeout);
    }

    @Override
    public String toString() {
        return "AsyncLatch[count=" + count.get() + "]";
    }
}
