package dev.asyncpatterns.console;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The charts' memory: per panel and figure, the last {@code points} readings in a ring buffer.
 * Written by the refresh tick, read by requests; one lock, held only to copy numbers.
 */
final class History {

    private final int points;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final Map<String, Map<String, Ring>> panels = new LinkedHashMap<>();

    History(int points) {
        this.points = points;
    }

    void add(String panel, String figure, long at, double value) {
        lock.lock();
        try {
            panels.computeIfAbsent(panel, p -> new LinkedHashMap<>())
                    .computeIfAbsent(figure, f -> new Ring(points))
                    .add(at, value);
        } finally {
            lock.unlock();
        }
    }

    /** {"panel": {"figure": [[at, value], …]}} oldest first. */
    String render() {
        Json json = new Json().beginObject();
        lock.lock();
        try {
            for (var panel : panels.entrySet()) {
                json.name(panel.getKey()).beginObject();
                for (var figure : panel.getValue().entrySet()) {
                    json.name(figure.getKey()).beginArray();
                    figure.getValue().render(json);
                    json.endArray();
                }
                json.endObject();
            }
        } finally {
            lock.unlock();
        }
        return json.endObject().toString();
    }

    private static final class Ring {
        private final long[] at;
        private final double[] values;
        private int next;
        private int size;

        Ring(int points) {
            at = new long[points];
            values = new double[points];
        }

        void add(long time, double value) {
            at[next] = time;
            values[next] = value;
            next = (next + 1) % at.length;
            size = Math.min(size + 1, at.length);
        }

        void render(Json json) {
            int first = (next - size + at.length) % at.length;
            for (int i = 0; i < size; i++) {
                int k = (first + i) % at.length;
                json.beginArray().value(at[k]).value(values[k]).endArray();
            }
        }
    }
}
