package dev.asyncpatterns.core.queue;

import java.util.List;

/** Power-of-two ring buffer, grown on demand up to the capacity. */
final class RingStore extends QueueStore {
    private Object[] items;
    private int head;

    RingStore(int capacity) {
        int initial = capacity <= 1024 ? Integer.highestOneBit(Math.max(1, capacity - 1)) << 1 : 1024;
        items = new Object[Math.max(2, initial)];
    }

    @Override
    void add(Object item) {
        Object[] a = items;
        if (size == a.length) {
            a = grow();
        }
        a[(head + size) & (a.length - 1)] = item;
        size++;
    }

    @Override
    Object poll() {
        Object[] a = items;
        int h = head;
        Object item = a[h];
        a[h] = null;
        head = (h + 1) & (a.length - 1);
        size--;
        return item;
    }

    @Override
    <E> void removeAllInto(List<E> out) {
        while (size > 0) {
            out.add(cast(poll()));
        }
    }

    private Object[] grow() {
        Object[] old = items;
        if (old.length >= (1 << 30)) {
            throw new OutOfMemoryError("AsyncQueue ring buffer cannot grow beyond " + old.length);
        }
        Object[] bigger = new Object[old.length << 1];
        for (int i = 0; i < size; i++) {
            bigger[i] = old[(head + i) & (old.length - 1)];
        }
        head = 0;
        items = bigger;
        return bigger;
    }
}
