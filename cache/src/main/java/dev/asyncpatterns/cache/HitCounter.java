package dev.asyncpatterns.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * The hit counter of MemoizedFunction (issue 20): a LongAdder's increment is an atomic
 * read-modify-write (a locked instruction), about as much again as Caffeine's asMap().get on a
 * hot key, which is the whole hit. This counter lets each platform thread add to a slot of its
 * own with a plain (opaque) store instead.
 *
 * - slots[i] is null or a Slot owned for good by one thread (owner is final). A thread's slot
 *   index is a hash of its id. Only the owner writes a slot's count (single writer: an opaque
 *   read and an opaque write of count + 1, no atomic instruction); anyone reads it (opaque).
 * - Fast path: a plain read of slots[i]; if it is ours, add. A thread can only find its own slot
 *   there if it installed it, and its slot is only ever replaced after it died, so a stale plain
 *   read can only send a live thread to the slow path, never let it write someone else's slot.
 * - Slow path: a volatile read; install a new slot by CAS where there is none; take over the slot
 *   of a thread that has terminated (Thread.isAlive() false happens-after everything it did, so
 *   its last count is visible) by a CAS to a new slot that starts from that count; else (another
 *   live thread owns the index, or this is a virtual thread, which is usually short-lived and
 *   would claim a slot per task) add to a shared LongAdder.
 * - sum() adds the shared adder and every slot's count. Each part only grows, and a taken-over
 *   slot's successor starts from its count, so successive sums never decrease; like LongAdder,
 *   a sum taken while threads add is approximate, and exact once they have stopped (and the
 *   reader has synchronised with them, e.g. by joining them or through a future they completed).
 */
/** An exact, only-growing count for a hot path, added to by many threads. Not part of the API. */
final class HitCounter {

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Slot[].class);
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(Slot.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final @Nullable Slot[] slots;
    private final int mask;
    private final LongAdder shared = new LongAdder();

    HitCounter() {
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 4 - 1)) << 1;
        this.slots = new Slot[Math.min(n, 64)];
        this.mask = slots.length - 1;
    }

    /** Adds one. */
    void increment() {
        Thread me = Thread.currentThread();
        int index = index(me);
        Slot slot = slots[index];
        if (slot != null && slot.owner == me) {
            slot.add();
        } else {
            incrementSlowly(me, index);
        }
    }

    private void incrementSlowly(Thread me, int index) {
        if (!me.isVirtual()) {
            var slot = (Slot) SLOTS.getVolatile(slots, index);
            if (slot != null && slot.owner == me) {
                slot.add();
                return;
            }
            if (slot == null || !slot.owner.isAlive()) {
                var mine = new Slot(me, slot == null ? 0 : slot.count());
                if (SLOTS.compareAndSet(slots, index, slot, mine)) {
                    mine.add();
                    return;
                }
            }
        }
        shared.increment();
    }

    /**
     * The count: exact when no thread is adding (see the note), approximate while they are.
     *
     * @return the sum of every increment so far
     */
    long sum() {
        long sum = shared.sum();
        for (int i = 0; i < slots.length; i++) {
            var slot = (Slot) SLOTS.getVolatile(slots, i);
            if (slot != null) {
                sum += slot.count();
            }
        }
        return sum;
    }

    private int index(Thread thread) {
        long id = thread.threadId();
        int h = (int) (id ^ (id >>> 32));
        return (h ^ (h >>> 7)) & mask;
    }

    /** One thread's count. */
    static final class Slot {
        final Thread owner;

        @SuppressWarnings("UnusedVariable") // read and written through COUNT only
        private long count;

        Slot(Thread owner, long count) {
            this.owner = owner;
            this.count = count;
        }

        /** Only the owner calls this. */
        void add() {
            COUNT.setOpaque(this, (long) COUNT.getOpaque(this) + 1);
        }

        long count() {
            return (long) COUNT.getOpaque(this);
        }
    }
}
