package dev.asyncpatterns.stress.lincheck;

import static dev.asyncpatterns.stress.lincheck.Scenarios.op;

import dev.asyncpatterns.core.sync.AsyncLatch;
import dev.asyncpatterns.stress.lincheck.LincheckRun.Mode;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * AsyncLatch: countDown, getCount and await are linearizable against the latch run sequentially.
 * {@code awaitDone} reads {@code await().isDone()} at once, which is a sound observation because an
 * open latch never closes: a future that completes during the call means the latch opened during
 * the call. Issue 21 item 3: on the code before the fix, {@code getCount()} returned 0 while a
 * later {@code await()} still waited.
 */
public class AsyncLatchLincheckTest {

    private final AsyncLatch latch = new AsyncLatch(2);

    @Operation
    public void countDown() {
        latch.countDown();
    }

    @Operation
    public long getCount() {
        return latch.getCount();
    }

    @Operation
    public boolean awaitDone() {
        return latch.await().isDone();
    }

    static Scenarios scenarios() {
        return Scenarios.of(AsyncLatchLincheckTest.class, 2, 1)
                .init(op("countDown"), op("getCount"))
                .parallel(op("countDown", 2), op("getCount", 2), op("awaitDone", 2))
                .postOnce("getCount")
                .postOnce("awaitDone");
    }

    @Test
    void operations_modelChecked_areLinearizable() {
        LincheckRun.check("latch", Mode.MODEL, AsyncLatchLincheckTest.class, null, scenarios());
    }

    @Test
    void operations_stressed_areLinearizable() {
        LincheckRun.check("latch", Mode.STRESS, AsyncLatchLincheckTest.class, null, scenarios());
    }
}
