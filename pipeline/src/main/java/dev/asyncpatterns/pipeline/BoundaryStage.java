package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.internal.Failures;
import dev.asyncpatterns.core.queue.Overflow;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * Two regions meet here. The producer side (Region.Body, running in its own region on
 * `executor`) pulls the upstream chain and appends to `queue`; the consumer side (poll(), in
 * the downstream region) takes from it. Shared state (queue, flags) is guarded by one
 * ReentrantLock held only for a few field updates, never while calling stages or user code.
 *
 * Sleeping and waking, without lost wake-ups: a side that finds nothing to do sets its
 * "waiting" flag under the lock and returns; the other side, under the same lock, clears the
 * flag and remembers to wake it after unlocking. The consumer wakes a waiting producer only once
 * the queue has drained to half capacity, so a full queue does not cost a thread hand-off per
 * element. Wakes go through Region.wake (the region's executor), which is what makes the two
 * sides run on different threads.
 *
 * Closing: the consumer's close sets consumerClosed and wakes the producer region, whose next
 * pass sees done() and closes the upstream chain on its own thread. The producer also reports
 * done() once upstream ended or failed, so sources are closed as early as possible.
 */
/**
 * {@link Pipeline#buffer(int, Overflow)} and {@link Pipeline#async(int, Executor)}: an async
 * boundary. Upstream stages run in their own drain loop on {@code executor}, concurrently with
 * downstream, handing elements over through a bounded queue.
 *
 * <p>Backpressure: with {@link Overflow#BACKPRESSURE} the upstream stops pulling while the queue
 * holds {@code capacity} elements and resumes when it has drained to half. Buffering: at most
 * {@code capacity} elements. Errors: an upstream failure reaches downstream after the elements
 * queued before it; with {@link Overflow#FAIL} an overflow fails the run. Dropped elements
 * ({@link Overflow#DROP_OLDEST}, {@link Overflow#DROP_NEWEST}) are counted as failures in the
 * stage's metrics. Cancellation: closing the downstream side stops the upstream drain loop,
 * which closes the upstream stages on its own thread; queued elements are discarded.
 */
final class BoundaryStage<T> extends Stage<T> implements Region.Body {

    private final @Nullable Stage<T> up; // null only in the stand-in body left when building it threw
    private final Region producer;
    private final int capacity;
    private final int lowWater;
    private final Overflow overflow;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Object> queue;
    private volatile int size;
    private boolean upstreamDone;
    private @Nullable Throwable upstreamFailure;
    private boolean consumerWaiting;
    private boolean producerWaiting;
    private volatile boolean consumerClosed;
    private boolean producerFinished;
    private boolean started;

    /** Builds {@code upstream} in a new region on {@code executor}, then the boundary after it. */
    static <T> BoundaryStage<T> build(
            Ctx ctx, String name, Spec<T> upstream, int capacity, Overflow overflow, @Nullable Executor executor) {
        Region producer = ctx.run().newRegion(executor == null ? ctx.run().executor : executor);
        Stage<T> up;
        try {
            up = upstream.build(ctx.in(producer));
        } catch (Throwable failure) {
            producer.body(new BoundaryStage<>(ctx.untracked(), name, null, producer, capacity, overflow));
            throw failure;
        }
        BoundaryStage<T> boundary = new BoundaryStage<>(ctx, name, up, producer, capacity, overflow);
        producer.body(boundary);
        return boundary;
    }

    private BoundaryStage(
            Ctx ctx, String name, @Nullable Stage<T> up, Region producer, int capacity, Overflow overflow) {
        super(ctx, name);
        this.up = up;
        this.producer = producer;
        this.capacity = capacity;
        this.lowWater = capacity / 2;
        this.overflow = overflow;
        this.queue = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    // ---------------------------------------------------------------- consumer side

    @Override
    Object poll() {
        if (!started) {
            started = true;
            producer.wake();
        }
        Object x;
        boolean wakeProducer = false;
        Throwable failure = null;
        lock.lock();
        try {
            x = queue.pollFirst();
            if (x != null) {
                size = queue.size();
                if (producerWaiting && queue.size() <= lowWater) {
                    producerWaiting = false;
                    wakeProducer = true;
                }
            } else if (upstreamFailure != null) {
                failure = upstreamFailure;
            } else if (upstreamDone) {
                x = END;
            } else {
                consumerWaiting = true;
                x = EMPTY;
            }
        } finally {
            lock.unlock();
        }
        if (wakeProducer) {
            producer.wake();
        }
        if (failure != null) {
            throw propagate(failure);
        }
        if (x != EMPTY && x != END) {
            out++;
        }
        return x;
    }

    @Override
    int depth() {
        return size;
    }

    @Override
    void release() {
        consumerClosed = true;
        lock.lock();
        try {
            queue.clear();
            size = 0;
        } finally {
            lock.unlock();
        }
        producer.wake();
    }

    @Override
    void closeUpstream() {
        // the producer region closes the upstream stages on its own drain
    }

    // ---------------------------------------------------------------- producer side

    @Override
    public void pump() {
        // the stand-in body (up == null) is never pumped: its run failed before any consumer poll
        Stage<T> source = Objects.requireNonNull(up, "pump of a boundary whose upstream failed to build");
        for (; ; ) {
            if (consumerClosed || run.stopping) {
                return;
            }
            if (overflow == Overflow.BACKPRESSURE) {
                lock.lock();
                try {
                    if (queue.size() >= capacity) {
                        producerWaiting = true;
                        return;
                    }
                } finally {
                    lock.unlock();
                }
            }
            Object x;
            try {
                x = source.poll();
            } catch (Throwable failure) {
                hand(END, Failures.unwrap(failure));
                return;
            }
            if (x == EMPTY) {
                return;
            }
            if (x != END) {
                in++;
            }
            hand(x, null);
            if (x == END || producerFinished) {
                return;
            }
        }
    }

    /** Hands an element or the end (x == END, with the failure that ended upstream if it failed). */
    private void hand(Object x, @Nullable Throwable failure) {
        boolean wakeConsumer;
        lock.lock();
        try {
            if (failure != null) {
                upstreamFailure = failure;
                producerFinished = true;
            } else if (x == END) {
                upstreamDone = true;
                producerFinished = true;
            } else if (queue.size() < capacity) {
                queue.addLast(x);
            } else {
                switch (overflow) {
                    case DROP_OLDEST -> {
                        queue.pollFirst();
                        queue.addLast(x);
                        failures++;
                    }
                    case DROP_NEWEST -> failures++;
                    case FAIL -> {
                        upstreamFailure = new IllegalStateException(
                                name + ": buffer overflow, " + capacity + " elements already queued (Overflow.FAIL)");
                        producerFinished = true;
                    }
                    default -> queue.addLast(x); // BACKPRESSURE never gets here: checked before pulling
                }
            }
            size = queue.size();
            wakeConsumer = consumerWaiting;
            consumerWaiting = false;
        } finally {
            lock.unlock();
        }
        if (wakeConsumer) {
            region.wake();
        }
    }

    @Override
    public void busy(long nanos) {
        busyNanos += nanos;
    }

    @Override
    public boolean done() {
        if (consumerClosed) {
            return true;
        }
        lock.lock();
        try {
            return producerFinished;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void closeAll() {
        if (up != null) { // null only if building the upstream threw
            up.close();
        }
    }
}
