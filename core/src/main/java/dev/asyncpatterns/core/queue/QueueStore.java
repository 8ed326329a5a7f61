package dev.asyncpatterns.core.queue;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where an {@link AsyncQueue} keeps its buffered items: a ring buffer ({@link RingStore}) or, for
 * priority queues, a binary heap ({@link HeapStore}). Guarded by the queue's lock; never calls
 * user code except the priority comparator, which must leave the store unchanged when it throws.
 */
abstract class QueueStore {

    /** Items stored now. */
    int size;

    /*
     * The owning queue's lifetime counters (AsyncQueue.Stats), guarded by its lock like size. They
     * live here, beside size, because a transfer writes them together: producer and consumer
     * then pass one cache line between them instead of two, and the queue's own fields (lock,
     * store, waiter lists), which every operation reads, are never written on the fast path.
     */
    /** Items accepted (put, offered, handed off). */
    long putCount;
    /** Items taken. */
    long takeCount;
    /** Items dropped by an overflow policy or discarded by closeExceptionally. */
    long dropCount;
    /** Accepted items not yet reported done. */
    long unfinished;

    /** Adds an item; may throw (the comparator), leaving the store as it was. */
    abstract void add(Object item);

    /** Removes and returns the head; the store is not empty. May throw (the comparator), leaving the store as it was. */
    abstract Object poll();

    /** Moves every item into {@code out} without comparing (any order); empties the store. */
    abstract <E> void removeAllInto(List<E> out);

    /**
     * The one unchecked cast of a stored item back to the element type, for the whole package.
     * The argument is never null where this is called (the queue holds no nulls; fields and slots
     * are nullable only because they are cleared after a transfer), which NullAway cannot see.
     */
    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals", "NullAway"})
    static <E> E cast(@Nullable Object item) {
        return (E) item;
    }
}
