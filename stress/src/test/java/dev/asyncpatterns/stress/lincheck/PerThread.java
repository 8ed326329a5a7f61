package dev.asyncpatterns.stress.lincheck;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The futures each scenario thread obtained, kept per thread so that the harness itself has no
 * shared state: thread {@code t} only touches list {@code t} in the parallel part, and the post
 * part reads them once every thread has finished.
 *
 * @param <T> what is kept
 */
final class PerThread<T> {

    private final List<List<T>> lists = new ArrayList<>();

    PerThread() {
        for (int t = 0; t < 4; t++) {
            lists.add(new ArrayList<>());
        }
    }

    List<T> of(int thread) {
        return lists.get(thread);
    }

    void add(int thread, T item) {
        lists.get(thread).add(item);
    }

    /** Removes and returns the newest item of {@code thread}, or null. */
    T removeNewest(int thread) {
        List<T> list = lists.get(thread);
        return list.isEmpty() ? null : list.remove(list.size() - 1);
    }

    /** Removes and returns the oldest item of {@code thread} matching {@code test}, or null. */
    T removeOldest(int thread, java.util.function.Predicate<? super T> test) {
        List<T> list = lists.get(thread);
        for (int i = 0; i < list.size(); i++) {
            if (test.test(list.get(i))) {
                return list.remove(i);
            }
        }
        return null;
    }

    /** A short, comparable description of how a thread's futures ended: "ok:3 pending:1 cancelled:0 failed:0". */
    static String outcomes(List<? extends CompletableFuture<?>> futures) {
        return outcomes(futures, f -> f);
    }

    static <X> String outcomes(List<X> items, Function<X, ? extends CompletableFuture<?>> future) {
        int ok = 0;
        int pending = 0;
        int cancelled = 0;
        int failed = 0;
        for (X item : items) {
            CompletableFuture<?> f = future.apply(item);
            switch (f.state()) {
                case SUCCESS -> ok++;
                case RUNNING -> pending++;
                case CANCELLED -> cancelled++;
                case FAILED -> failed++;
            }
        }
        return "ok:" + ok + " pending:" + pending + " cancelled:" + cancelled + " failed:" + failed;
    }
}
