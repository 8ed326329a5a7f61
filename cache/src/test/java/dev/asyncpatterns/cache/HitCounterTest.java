package dev.asyncpatterns.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The memoized function's hit counter: exact at quiescence whoever adds, never decreasing. */
class HitCounterTest {

    // ---------------------------------------------------------------- exactness

    @Test
    void increment_manyPlatformThreads_sumIsExactAfterJoin() throws InterruptedException {
        var counter = new HitCounter();
        int threads = 200; // more threads than slots: some share an index and go to the shared adder
        int each = 5_000;
        var start = new CountDownLatch(1);
        var workers = new ArrayList<Thread>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                awaitQuietly(start);
                for (int i = 0; i < each; i++) {
                    counter.increment();
                }
            }));
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        long sum = counter.sum();
        System.out.println(
                "hit-counter platformThreads=" + threads + " increments=" + (long) threads * each + " sum=" + sum);
        assertThat(sum).isEqualTo((long) threads * each);
    }

    @Test
    void increment_virtualThreads_sumIsExactAfterJoin() throws InterruptedException {
        var counter = new HitCounter();
        var workers = new ArrayList<Thread>();
        for (int t = 0; t < 1_000; t++) {
            workers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 100; i++) {
                    counter.increment();
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        assertThat(counter.sum()).isEqualTo(100_000L);
    }

    @Test
    void increment_afterOwnersTerminated_newThreadsTakeOverTheirSlotsWithoutLosingCounts() throws InterruptedException {
        var counter = new HitCounter();
        long expected = 0;
        long previous = 0;
        for (int round = 0; round < 300; round++) { // short-lived threads, one after another
            int n = round % 7 + 1;
            Thread worker = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < n; i++) {
                    counter.increment();
                }
            });
            worker.join();
            expected += n;
            long sum = counter.sum();
            assertThat(sum).isEqualTo(expected).isGreaterThanOrEqualTo(previous);
            previous = sum;
        }
    }

    @Test
    void increment_thisThread_countsAtOnce() {
        var counter = new HitCounter();
        assertThat(counter.sum()).isZero();
        counter.increment();
        counter.increment();
        assertThat(counter.sum()).isEqualTo(2);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
