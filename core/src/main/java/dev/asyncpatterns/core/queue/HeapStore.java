package dev.asyncpatterns.core.queue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Binary min-heap ordered by (comparator, insertion sequence): FIFO among equals. */
final class HeapStore extends QueueStore {
    private final Comparator<Object> order;
    private Object[] items = new Object[16];
    private long[] seqs = new long[16];
    private long nextSeq;

    @SuppressWarnings("unchecked")
    HeapStore(Comparator<?> order) {
        this.order = (Comparator<Object>) order;
    }

    // Both operations compare first (read-only: a throwing comparator leaves the heap as it
    // was) and move elements afterwards along the path found, which cannot throw.

    @Override
    void add(Object item) {
        long seq = nextSeq;
        int i = size;
        while (i > 0) { // find the slot, comparing only
            int parent = (i - 1) >>> 1;
            if (less(items[parent], seqs[parent], item, seq)) {
                break;
            }
            i = parent;
        }
        if (size == items.length) {
            items = Arrays.copyOf(items, size << 1);
            seqs = Arrays.copyOf(seqs, size << 1);
        }
        for (int j = size; j > i; ) { // shift the ancestors on the path down one level
            int parent = (j - 1) >>> 1;
            items[j] = items[parent];
            seqs[j] = seqs[parent];
            j = parent;
        }
        items[i] = item;
        seqs[i] = seq;
        nextSeq = seq + 1;
        size++;
    }

    @Override
    Object poll() {
        Object top = items[0];
        int last = size - 1;
        Object item = items[last];
        long seq = seqs[last];
        int i = 0;
        if (last > 0) { // find where the last element sinks to, comparing only
            int half = last >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                int right = child + 1;
                if (right < last && less(items[right], seqs[right], items[child], seqs[child])) {
                    child = right;
                }
                if (less(item, seq, items[child], seqs[child])) {
                    break;
                }
                i = child;
            }
        }
        // the path from the root to i moves up one level, the last element goes to i
        Object carryItem = item;
        long carrySeq = seq;
        for (int j = i; ; j = (j - 1) >>> 1) {
            Object displacedItem = items[j];
            long displacedSeq = seqs[j];
            items[j] = carryItem;
            seqs[j] = carrySeq;
            carryItem = displacedItem;
            carrySeq = displacedSeq;
            if (j == 0) {
                break;
            }
        }
        items[last] = null;
        size = last;
        return top;
    }

    @Override
    <E> void removeAllInto(List<E> out) {
        for (int i = 0; i < size; i++) {
            out.add(cast(items[i]));
            items[i] = null;
        }
        size = 0;
    }

    private boolean less(Object a, long seqA, Object b, long seqB) {
        int c = order.compare(a, b);
        return c < 0 || (c == 0 && seqA < seqB);
    }
}
