package dev.asyncpatterns.stress.lincheck;

import static dev.asyncpatterns.stress.lincheck.Scenarios.mine;
import static dev.asyncpatterns.stress.lincheck.Scenarios.op;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.sync.AsyncBarrier;
import dev.asyncpatterns.stress.lincheck.LincheckRun.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * AsyncBarrier (2 parties): await (the future kept by the calling thread), cancel of a waiting
 * party (breaks the barrier), abort, reset, isBroken and waiting() are linearizable against the
 * barrier run sequentially: each round passes exactly when its last party arrives, with arrival
 * indexes 0..parties-1, and a broken barrier fails its waiters and every later await until reset.
 * Cancellation runs in the init part only: a cancel racing a hand-off can win after the hand-off
 * chose the waiter (futures are completed outside the lock), which is not linearizable by design
 * (the window and its Lincheck history are in the class javadoc of the primitive); the
 * cancel-versus-hand-off race is covered by the jcstress tests and the module's unit tests.
 */
@Param(name = "thread", gen = IntGen.class, conf = "0:1")
public class AsyncBarrierLincheckTest {

    private final AsyncBarrier barrier = new AsyncBarrier(2);
    private final PerThread<CompletableFuture<Integer>> awaits = new PerThread<>();

    @Operation
    public void await(int thread) {
        awaits.add(thread, barrier.await());
    }

    @Operation
    public void cancelNewest(int thread) {
        var list = awaits.of(thread);
        if (!list.isEmpty()) {
            list.get(list.size() - 1).cancel(false);
        }
    }

    @Operation
    public void abort() {
        barrier.abort();
    }

    @Operation
    public void reset() {
        barrier.reset();
    }

    @Operation
    public boolean isBroken() {
        return barrier.isBroken();
    }

    @Operation
    public int waiting() {
        return barrier.waiters();
    }

    /** How this thread's awaits ended: arrival indexes, "pending", "cancelled" or the failure. */
    @Operation
    public String awaited(int thread) {
        List<String> out = new ArrayList<>();
        for (CompletableFuture<Integer> f : awaits.of(thread)) {
            out.add(AsyncQueueLincheckTest.describe(f));
        }
        return out.toString();
    }

    static Scenarios scenarios() {
        return Scenarios.of(AsyncBarrierLincheckTest.class, 2, 1)
                .init(mine("await", 2), mine("cancelNewest", 1), op("abort", 1), op("reset", 1))
                .parallel(mine("await", 5), op("abort", 1), op("reset", 1), op("isBroken", 1), op("waiting", 1))
                .postPerThread("awaited")
                .postOnce("isBroken")
                .postOnce("waiting");
    }

    @Test
    void operations_modelChecked_areLinearizable() {
        LincheckRun.check("barrier", Mode.MODEL, AsyncBarrierLincheckTest.class, null, scenarios());
    }

    @Test
    void operations_stressed_areLinearizable() {
        LincheckRun.check("barrier", Mode.STRESS, AsyncBarrierLincheckTest.class, null, scenarios());
    }

    /**
     * The by-design window in the class javadoc of the primitive: a cancel that wins after a
     * hand-off chose the waiter. Lincheck must still find it, so that the javadoc cannot go stale.
     */
    @Test
    void cancelRacingHandOff_modelChecked_showsTheDocumentedWindow() {
        Scenarios window = Scenarios.of(AsyncBarrierLincheckTest.class, 2, 0)
                .targeted(
                        new String[] {"await(0)"},
                        new String[][] {{"await(1)"}, {"waiting()", "cancelNewest(0)"}},
                        new String[] {"awaited(0)", "isBroken()"});
        assertThat(LincheckRun.expectWindow(() -> LincheckRun.check(
                        "barrier-cancel-window", Mode.MODEL, AsyncBarrierLincheckTest.class, null, window, 0)))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("cancelled");
    }
}
