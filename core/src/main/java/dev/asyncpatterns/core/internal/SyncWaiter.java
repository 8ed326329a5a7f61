package dev.asyncpatterns.core.internal;

import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note (shared by the coordination primitives: AsyncSemaphore, AsyncLock,
 * AsyncReadWriteLock, AsyncEvent, AsyncLatch, AsyncBarrier, AsyncRateLimiter, AsyncPool; and by
 * AsyncQueue, whose QueueWaiter uses the list, the timer and the trampoline but decides the
 * cancel-vs-transfer race under the queue's lock instead of through grant/abandoned, see there).
 *
 * A waiter IS the future handed to the caller (no extra dependent per waiter), and it is also an
 * intrusive node of its owner's FIFO queue (prev/next, guarded by the owner's lock), so removing
 * a cancelled waiter from the middle of 100,000 is O(1).
 *
 * Two parties may complete a waiter:
 *   - the owner, which first decides under its lock that the waiter gets the resource (it unlinks
 *     the node and takes the permits/tokens/object from its own state), then, with the lock
 *     released, calls grant(). If grant() loses (the caller cancelled or a timeout fired in
 *     between), the owner gets the resource back in onGrantLost(): nothing leaks.
 *   - anybody else (cancel, complete, completeExceptionally by the caller; the timeout timer):
 *     if that completion wins, abandoned() runs: the owner locks, and if the node is still
 *     queued unlinks it (and wakes whoever may now proceed); if it is no longer queued, a grant
 *     is already on its way and will lose, so the resource flows back through onGrantLost().
 * Exactly one completion wins (CompletableFuture's CAS), so each resource is counted once.
 *
 * Completions run outside every lock and through a per-thread trampoline: a dependent that
 * releases (which completes the next waiter, whose dependent releases...) queues the next
 * completion on the trampoline instead of recursing, so 100,000 chained hand-offs use constant
 * stack (contract rule 6). The trampoline is an intrusive list through the waiters' own
 * `firing` links (a waiter waits there at most once: it was unlinked from its owner's queue for
 * good), so a hand-off costs one ThreadLocal read and a few field writes, no allocation; a
 * thread's trampoline is one small object (it matters for virtual threads, each of which gets
 * its own).
 *
 * obtrudeValue/obtrudeException bypass all of this; like CompletableFuture we document them as
 * "for error recovery only" and do not track them.
 */
/** A queued request of a coordination primitive; the future returned to the waiting caller. */
public abstract class SyncWaiter<T> extends CompletableFuture<T> {

    /**
     * The shared, already completed future returned by uncontended fast paths (no allocation).
     * It cannot be obtruded; complete/cancel on it are no-ops because it is done.
     */
    public static final CompletableFuture<Void> DONE = new Done();

    private static final ThreadLocal<Trampoline> TRAMPOLINE = ThreadLocal.withInitial(Trampoline::new);

    /** Queue links, guarded by the owner's lock. */
    @Nullable
    SyncWaiter<?> prev;

    public @Nullable SyncWaiter<?> next;
    /** True while linked in the owner's queue; guarded by the owner's lock. */
    boolean queued;
    /** The next waiter of the firing thread's trampoline; touched by that thread only. */
    private @Nullable SyncWaiter<?> firing;
    /** The timeout timer, if any. */
    private volatile @Nullable Cancellable timer;

    /** Completes the waiter on behalf of the owner; true if this completion won. */
    public final boolean grant(@Nullable T value) {
        if (super.complete(value)) {
            cancelTimer();
            return true;
        }
        return false;
    }

    /** Fails the waiter on behalf of the owner (close, broken barrier); true if it won. */
    public final boolean fail(Throwable failure) {
        if (super.completeExceptionally(failure)) {
            cancelTimer();
            return true;
        }
        return false;
    }

    /**
     * Called once the owner has handed the resource to this waiter (outside the owner's lock).
     * Implementations call {@link #grant} and, if it lost, give the resource back.
     */
    public abstract void fire();

    /** Called after a completion that the owner did not make won; idempotent. */
    public abstract void abandoned();

    @Override
    public boolean complete(@Nullable T value) {
        boolean won = super.complete(value);
        if (won) {
            cancelTimer();
            abandoned();
        }
        return won;
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
        boolean won = super.completeExceptionally(failure);
        if (won) {
            cancelTimer();
            abandoned();
        }
        return won;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            cancelTimer(); // abandoned() is idempotent, so a repeated cancel is harmless
            abandoned();
        }
        return cancelled;
    }

    /**
     * Times this wait as a JFR {@link SlowWaitEvent} when a recording enables it (committed only
     * past the event's threshold); does nothing, and allocates nothing, otherwise. Call once the
     * waiter is queued.
     */
    public final void traceWait(String primitive, int amount) {
        if (SlowWaitEvent.enabled()) {
            SlowWaitEvent event = new SlowWaitEvent();
            event.begin();
            whenComplete((ignored, failure) -> {
                event.end();
                if (event.shouldCommit()) {
                    event.primitive = primitive;
                    event.amount = amount;
                    event.outcome = failure == null
                            ? "granted"
                            : isCancellation(failure)
                                    ? "cancelled"
                                    : failure instanceof TimeoutException ? "timed out" : "failed";
                    event.commit();
                }
            });
        }
    }

    /**
     * Arms the timeout: after {@code nanos} the waiter fails with a {@link TimeoutException}
     * (unless granted first). Call after the waiter is queued and the lock released.
     */
    public final void startTimer(TimeSource timeSource, long nanos, String what) {
        Cancellable armed = timeSource.schedule(
                java.time.Duration.ofNanos(nanos),
                () -> completeExceptionally(
                        new TimeoutException(what + " timed out after " + java.time.Duration.ofNanos(nanos))));
        timer = armed;
        if (isDone()) {
            armed.cancel();
        }
    }

    private void cancelTimer() {
        Cancellable armed = timer;
        if (armed != null) {
            timer = null;
            armed.cancel();
        }
    }

    /**
     * Fires every waiter of a chain linked through {@link #next} (the owner builds it under its
     * lock after unlinking the nodes), outside locks and without recursion.
     */
    public static void fireChain(@Nullable SyncWaiter<?> chain) {
        if (chain == null) {
            return;
        }
        Trampoline trampoline = TRAMPOLINE.get();
        for (@Nullable SyncWaiter<?> w = chain; w != null; ) {
            @Nullable SyncWaiter<?> following = w.next;
            w.next = null;
            trampoline.add(w);
            w = following;
        }
        if (!trampoline.running) { // else an outer frame on this thread is draining and fires ours too
            trampoline.drain();
        }
    }

    /** Fails every waiter of a chain (built under the owner's lock) outside the lock. */
    public static void failChain(
            @Nullable SyncWaiter<?> chain, java.util.function.Supplier<? extends Throwable> failure) {
        for (@Nullable SyncWaiter<?> w = chain; w != null; ) {
            @Nullable SyncWaiter<?> following = w.next;
            w.next = null;
            w.fail(failure.get());
            w = following;
        }
    }

    /** Whether the failure is a cancellation (directly or wrapped). */
    public static boolean isCancellation(Throwable failure) {
        return failure instanceof CancellationException
                || (failure instanceof java.util.concurrent.CompletionException
                        && failure.getCause() instanceof CancellationException);
    }

    /** Per-thread FIFO of waiters to fire, linked through {@link #firing}; the outermost caller drains it. */
    private static final class Trampoline {
        private @Nullable SyncWaiter<?> head;
        private @Nullable SyncWaiter<?> tail;
        boolean running;

        void add(SyncWaiter<?> w) {
            w.firing = null;
            if (tail == null) {
                head = w;
            } else {
                tail.firing = w;
            }
            tail = w;
        }

        void drain() {
            running = true;
            @Nullable Throwable first = null;
            try {
                @Nullable SyncWaiter<?> w;
                while ((w = head) != null) {
                    head = w.firing;
                    if (head == null) {
                        tail = null;
                    }
                    w.firing = null;
                    try {
                        w.fire();
                    } catch (Throwable failure) {
                        if (first == null) {
                            first = failure;
                        } else {
                            first.addSuppressed(failure);
                        }
                    }
                }
            } finally {
                running = false;
            }
            if (first instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (first instanceof Error error) {
                throw error;
            }
        }
    }

    /** An immutable completed future. */
    private static final class Done extends CompletableFuture<Void> {
        Done() {
            super.complete(null);
        }

        @Override
        public void obtrudeValue(Void value) {
            throw new UnsupportedOperationException("a shared completed future cannot be obtruded");
        }

        @Override
        public void obtrudeException(Throwable failure) {
            throw new UnsupportedOperationException("a shared completed future cannot be obtruded");
        }

        @Override
        public String toString() {
            return "CompletableFuture[Completed normally]";
        }
    }

    /** Intrusive FIFO of waiters; every method must be called under the owner's lock. */
    public static final class Queue<W extends SyncWaiter<?>> {
        private @Nullable SyncWaiter<?> head;
        private @Nullable SyncWaiter<?> tail;
        private int size;

        public void add(W w) {
            w.prev = tail;
            w.next = null;
            if (tail == null) {
                head = w;
            } else {
                tail.next = w;
            }
            tail = w;
            w.queued = true;
            size++;
        }

        /** Puts {@code w} back at the head (it keeps its turn). */
        public void addFirst(W w) {
            w.prev = null;
            w.next = head;
            if (head == null) {
                tail = w;
            } else {
                head.prev = w;
            }
            head = w;
            w.queued = true;
            size++;
        }

        /** Unlinks {@code w} if it is queued; true if it was. */
        public boolean remove(W w) {
            if (!w.queued) {
                return false;
            }
            @Nullable SyncWaiter<?> p = w.prev;
            @Nullable SyncWaiter<?> n = w.next;
            if (p == null) {
                head = n;
            } else {
                p.next = n;
            }
            if (n == null) {
                tail = p;
            } else {
                n.prev = p;
            }
            w.prev = null;
            w.next = null;
            w.queued = false;
            size--;
            return true;
        }

        @SuppressWarnings("unchecked")
        public @Nullable W peek() {
            return (W) head;
        }

        public @Nullable W poll() {
            @Nullable W w = peek();
            if (w != null) {
                remove(w);
            }
            return w;
        }

        public boolean isEmpty() {
            return head == null;
        }

        public int size() {
            return size;
        }
    }

    /** Builds a chain of unlinked waiters to fire after the lock is released. */
    public static final class Chain {
        public @Nullable SyncWaiter<?> first;
        private @Nullable SyncWaiter<?> last;

        public void add(SyncWaiter<?> w) {
            w.next = null;
            if (last == null) {
                first = w;
            } else {
                last.next = w;
            }
            last = w;
        }
    }
}
