package dev.asyncpatterns.core.sync;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.SyncWaiter;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * State under `lock`: `arrived` parties of the current generation (their waiters queued FIFO)
 * and `broken`. The arrival that makes `arrived == parties` trips the barrier: it unlinks every
 * waiter, resets `arrived` (a new generation starts at once, so the barrier is reusable) and
 * completes them outside the lock; the tripping party gets an already completed future.
 * A queued waiter that is cancelled, times out or is completed by its caller breaks the
 * generation (as CyclicBarrier does): all current waiters fail with BrokenBarrierException and so
 * do later arrivals until reset(). A waiter that loses to cancellation *after* the trip (its
 * grant was already decided) does not break anything: the barrier had already passed.
 */
/**
 * A reusable barrier for asynchronous tasks, like {@code asyncio.Barrier}: each of
 * {@code parties} tasks calls {@link #await()}, and all their futures complete when the last one
 * arrives. Then the barrier starts over for the next round.
 *
 * <p><b>Broken barrier.</b> If a waiting party's future is cancelled or times out, the barrier
 * breaks: every waiting party fails with {@link BrokenBarrierException}, and so does every
 * later {@code await} until {@link #reset()}. {@link #abort()} breaks it on purpose. A cancel
 * that races with the last arrival is all-or-nothing for the round: either it breaks the round
 * for everyone, or the round has passed (the other parties complete normally) and the cancel only
 * cancels that party's own future, whose arrival still counted.
 *
 * <p><b>Linearizability.</b> await, abort, reset, isBroken and waiting are linearizable (Lincheck,
 * {@code stress} module), with one window by design: the last arrival completes the round's
 * futures after releasing the lock, so a waiting party cancelled at that moment ends cancelled
 * while the round passes and the barrier stays whole (the party gave up after the trip and loses
 * nothing). Sequentially its cancel would either come first and break the barrier, or come after
 * its future completed with its index:
 * <pre>
 * | await(0): void          |                       |
 * | await(1): void          | waiting(): 1          |
 * |                         | cancelNewest(0): void |
 * | awaited(0): [cancelled] |                       |
 * | isBroken(): false       |                       |
 * </pre>
 *
 * <p><b>Threads.</b> Thread-safe. The waiting futures complete on the thread of the last arrival
 * (outside internal locks).
 *
 * <p><b>Memory effects.</b> Actions of every party before its {@code await} happen-before the
 * completion of all the round's await futures.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.SyncSnippets region=barrierAwait}
 *
 * @since 0.1.0
 */
public final class AsyncBarrier {

    private final int parties;
    private final TimeSource timeSource;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final SyncWaiter.Queue<Waiter> queue = new SyncWaiter.Queue<>();

    @GuardedBy("lock")
    private int arrived;

    @GuardedBy("lock")
    private boolean broken;

    /**
     * Creates a barrier on {@link TimeSource#system()}.
     *
     * @param parties how many parties must arrive to pass, at least 1
     * @throws IllegalArgumentException if {@code parties < 1}
     */
    public AsyncBarrier(int parties) {
        this(parties, TimeSource.system());
    }

    /**
     * Creates a barrier.
     *
     * @param parties how many parties must arrive to pass, at least 1
     * @param timeSource the clock for {@link #await(Duration)} timeouts
     * @throws IllegalArgumentException if {@code parties < 1}
     * @throws NullPointerException if {@code timeSource} is null
     */
    public AsyncBarrier(int parties, TimeSource timeSource) {
        this.parties = Checks.positive(parties, "parties");
        this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
    }

    /**
     * Arrives at the barrier and waits for the other parties. Never blocks the caller.
     *
     * @return a future of this party's arrival index in the round ({@code 0} for the first,
     *     {@code parties - 1} for the last, which completes at once), failed with
     *     {@link BrokenBarrierException} if the barrier is or gets broken. Cancelling it breaks
     *     the barrier.
     */
    public CompletableFuture<Integer> await() {
        return await(Long.MAX_VALUE);
    }

    /**
     * As {@link #await()}, but if the round does not complete within {@code timeout} this party
     * fails with a {@link TimeoutException} and the barrier breaks for the others. A zero or
     * negative timeout does not wait: it passes if this arrival completes the round, and
     * otherwise fails at once and breaks the barrier.
     *
     * @param timeout the longest time to wait
     * @return a future of this party's arrival index
     * @throws NullPointerException if {@code timeout} is null
     */
    public CompletableFuture<Integer> await(Duration timeout) {
        return await(Math.max(0, Durations.toNanosSaturated(Objects.requireNonNull(timeout, "timeout"))));
    }

    /**
     * Breaks the barrier: waiting parties fail with {@link BrokenBarrierException}, and so do
     * later arrivals until {@link #reset()}.
     */
    public void abort() {
        breakLocked(null, true);
    }

    /**
     * Starts over: waiting parties fail with {@link BrokenBarrierException}, and the barrier is
     * whole again with nobody arrived.
     */
    public void reset() {
        breakLocked(null, false);
    }

    /**
     * Whether the barrier is broken.
     *
     * @return {@code true} if broken
     */
    public boolean isBroken() {
        lock.lock();
        try {
            return broken;
        } finally {
            lock.unlock();
        }
    }

    /**
     * How many parties have arrived in the current round. A snapshot for monitoring.
     *
     * @return the number of waiting parties
     */
    public int waiters() {
        lock.lock();
        try {
            return arrived;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The number of parties needed to pass.
     *
     * @return the parties
     */
    public int parties() {
        return parties;
    }

    @Override
    public String toString() {
        return "AsyncBarrier[parties=" + parties + ", waiting=" + waiters() + (isBroken() ? ", broken" : "") + "]";
    }

    private CompletableFuture<Integer> await(long timeoutNanos) {
        SyncWaiter.Chain released = new SyncWaiter.Chain();
        Waiter w;
        boolean expired = false;
        lock.lock();
        try {
            if (broken) {
                return CompletableFuture.failedFuture(new BrokenBarrierException("AsyncBarrier is broken"));
            }
            int index = arrived++;
            if (arrived == parties) {
                Waiter q;
                while ((q = queue.poll()) != null) {
                    released.add(q);
                }
                arrived = 0;
                w = null;
            } else if (timeoutNanos <= 0) {
                // like CyclicBarrier: a party that gives up breaks the round for the others
                expired = true;
                Waiter q;
                while ((q = queue.poll()) != null) {
                    released.add(q);
                }
                arrived = 0;
                broken = true;
                w = null;
            } else {
                w = new Waiter(this, index);
                queue.add(w);
            }
            if (w == null && !expired) {
                released.add(new Waiter(this, index));
            }
        } finally {
            lock.unlock();
        }
        if (expired) {
            SyncWaiter.failChain(released.first, () -> new BrokenBarrierException("AsyncBarrier is broken"));
            return CompletableFuture.failedFuture(
                    new TimeoutException("AsyncBarrier: not all parties arrived at once"));
        }
        if (w == null) {
            // the tripping party: fire the others, then return its own (completed) future
            // the chain holds every party, this one included: at least one waiter
            SyncWaiter<?> own = Objects.requireNonNull(released.first, "released");
            while (own.next != null) {
                own = own.next;
            }
            SyncWaiter.fireChain(released.first);
            @SuppressWarnings("unchecked")
            CompletableFuture<Integer> result = (CompletableFuture<Integer>) own;
            return result;
        }
        if (timeoutNanos != Long.MAX_VALUE) {
            w.startTimer(timeSource, timeoutNanos, "AsyncBarrier.await");
        }
        return w;
    }

    /** Fails the current waiters; leaves the barrier broken or whole. */
    private void breakLocked(@Nullable Waiter abandoned, boolean leaveBroken) {
        SyncWaiter.Chain failed = new SyncWaiter.Chain();
        lock.lock();
        try {
            if (abandoned != null && !queue.remove(abandoned)) {
                return; // the round had already passed: nothing to break
            }
            Waiter q;
            while ((q = queue.poll()) != null) {
                failed.add(q);
            }
            arrived = 0;
            broken = leaveBroken;
        } finally {
            lock.unlock();
        }
        SyncWaiter.failChain(failed.first, () -> new BrokenBarrierException("AsyncBarrier is broken"));
    }

    private static final class Waiter extends SyncWaiter<Integer> {
        final AsyncBarrier owner;
        final int index;

        Waiter(AsyncBarrier owner, int index) {
            this.owner = owner;
            this.index = index;
        }

        @Override
        public void fire() {
            grant(index); // a party that gave up after the trip loses nothing
        }

        @Override
        public void abandoned() {
            owner.breakLocked(this, true);
        }
    }
}
