package dev.asyncpatterns.stress.lincheck;

import static dev.asyncpatterns.stress.lincheck.Scenarios.op;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.stress.lincheck.LincheckRun.Mode;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * AsyncSemaphore monitoring (issue 21 item 4). {@code stats()}, read while acquires and releases
 * run, must be a state some sequential history produces. The separate lock-free getters
 * {@code availablePermits()} and {@code waiters()} are two moments by design; the second test
 * asserts that Lincheck still finds the window documented in AsyncSemaphore's javadoc (a waiter
 * that is refusing a one-permit tryAcquire while waiters() still reads 0), so that javadoc
 * cannot go stale. On the code before the fix there was no consistent read at all.
 */
@Param(name = "permits", gen = IntGen.class, conf = "1:2")
public class AsyncSemaphoreMonitoringLincheckTest {

    private final AsyncSemaphore semaphore = new AsyncSemaphore(1);

    @Operation
    public boolean tryAcquire(int permits) {
        return semaphore.tryAcquire(permits);
    }

    @Operation
    public void acquire(int permits) {
        semaphore.acquire(permits);
    }

    @Operation
    public void release() {
        semaphore.release();
    }

    @Operation
    public String stats() {
        AsyncSemaphore.Stats s = semaphore.stats();
        return "permits:" + s.available() + " waiting:" + s.waiters();
    }

    @Operation
    public int availablePermits() {
        return semaphore.availablePermits();
    }

    @Operation
    public int waiters() {
        return semaphore.waiters();
    }

    static Scenarios scenarios() {
        Scenarios.ArgGen permits = (random, thread) -> new Object[] {1 + random.nextInt(2)};
        return Scenarios.of(AsyncSemaphoreMonitoringLincheckTest.class, 2, 1)
                .init(op("acquire", 1, permits), op("release"))
                .parallel(op("tryAcquire", 2, permits), op("acquire", 2, permits), op("release", 2), op("stats", 3))
                // the history, read through stats(): a waiter queuing for 2 permits while
                // a reader sees the 1 permit refused
                .targeted(new String[0], new String[][] {{"acquire(2)"}, {"tryAcquire(1)", "stats()"}}, new String[0])
                .postOnce("stats");
    }

    /** The history, read through the two separate getters. */
    static Scenarios separateGetters() {
        return Scenarios.of(AsyncSemaphoreMonitoringLincheckTest.class, 2, 0)
                .targeted(
                        new String[0],
                        new String[][] {{"acquire(2)"}, {"tryAcquire(1)", "waiters()", "availablePermits()"}},
                        new String[0]);
    }

    @Test
    void stats_modelChecked_isLinearizable() {
        LincheckRun.check("semaphore-stats", Mode.MODEL, AsyncSemaphoreMonitoringLincheckTest.class, null, scenarios());
    }

    @Test
    void stats_stressed_isLinearizable() {
        LincheckRun.check(
                "semaphore-stats", Mode.STRESS, AsyncSemaphoreMonitoringLincheckTest.class, null, scenarios());
    }

    @Test
    void separateGetters_modelChecked_showTheDocumentedWindow() {
        assertThat(LincheckRun.expectWindow(() -> LincheckRun.check(
                        "semaphore-separate-getters",
                        Mode.MODEL,
                        AsyncSemaphoreMonitoringLincheckTest.class,
                        null,
                        separateGetters(),
                        0)))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("tryAcquire(1): false")
                .hasMessageContaining("waiters(): 0");
    }
}
