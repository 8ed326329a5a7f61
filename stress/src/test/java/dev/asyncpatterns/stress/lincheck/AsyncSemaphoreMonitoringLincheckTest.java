package dev.asyncpatterns.stress.lincheck;

import static dev.asyncpatterns.stress.lincheck.Scenarios.op;

import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.stress.lincheck.LincheckRun.Mode;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * AsyncSemaphore monitoring: {@code availablePermits()} and {@code queueLength()} read while
 * acquires and releases run must each be a state some sequential history produces. Issue 21
 * item 4: on the code before the fix they tore (a waiter counted before or after the permits it
 * was waiting for).
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
    public int availablePermits() {
        return semaphore.availablePermits();
    }

    @Operation
    public int queueLength() {
        return semaphore.queueLength();
    }

    static Scenarios scenarios() {
        Scenarios.ArgGen permits = (random, thread) -> new Object[] {1 + random.nextInt(2)};
        return Scenarios.of(AsyncSemaphoreMonitoringLincheckTest.class, 2, 1)
                .init(op("acquire", 1, permits), op("release"))
                .parallel(op("tryAcquire", 2, permits), op("acquire", 2, permits), op("release", 2),
                        op("availablePermits", 2), op("queueLength", 2))
                // a waiter that is queuing for 2 permits while a reader sees the 1 permit refused
                .targeted(new String[0],
                        new String[][] {{"acquire(2)"}, {"tryAcquire(1)", "queueLength()", "availablePermits()"}},
                        new String[0])
                .postOnce("availablePermits")
                .postOnce("queueLength");
    }

    @Test
    void monitoringGetters_modelChecked_areLinearizable() {
        LincheckRun.check("semaphore-monitoring", Mode.MODEL, AsyncSemaphoreMonitoringLincheckTest.class, null, scenarios());
    }

    @Test
    void monitoringGetters_stressed_areLinearizable() {
        LincheckRun.check("semaphore-monitoring", Mode.STRESS, AsyncSemaphoreMonitoringLincheckTest.class, null, scenarios());
    }
}
