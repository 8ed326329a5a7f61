package dev.asyncpatterns.stress.lincheck;

import static dev.asyncpatterns.stress.lincheck.Scenarios.mine;
import static dev.asyncpatterns.stress.lincheck.Scenarios.op;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.sync.AsyncEvent;
import dev.asyncpatterns.stress.lincheck.LincheckRun.Mode;
import java.util.concurrent.CompletableFuture;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * AsyncEvent: set, clear, isSet, await (the future kept by the calling thread), cancel of a
 * waiting await and waiters() are linearizable against the event run sequentially. How the await
 * futures ended is read in the post part: set() completes its waiters after releasing its lock,
 * so a concurrent reader can see the event set while a waiter it released is not complete yet
 * (a window by design: futures are completed outside the lock).
 * Cancellation runs in the init part only: a cancel racing a hand-off can win after the hand-off
 * chose the waiter (futures are completed outside the lock), which is not linearizable by design
 * (the window and its Lincheck history are in the class javadoc of the primitive); the
 * cancel-versus-hand-off race is covered by the jcstress tests and the module's unit tests.
 */
@Param(name = "thread", gen = IntGen.class, conf = "0:1")
public class AsyncEventLincheckTest {

    private final AsyncEvent event = new AsyncEvent();
    private final PerThread<CompletableFuture<Void>> awaits = new PerThread<>();

    @Operation
    public void set() {
        event.set();
    }

    @Operation
    public void clear() {
        event.clear();
    }

    @Operation
    public boolean isSet() {
        return event.isSet();
    }

    @Operation
    public void await(int thread) {
        awaits.add(thread, event.await());
    }

    @Operation
    public void cancelNewest(int thread) {
        var list = awaits.of(thread);
        if (!list.isEmpty()) {
            list.get(list.size() - 1).cancel(false);
        }
    }

    @Operation
    public int waiters() {
        return event.waiters();
    }

    @Operation
    public String awaited(int thread) {
        return PerThread.outcomes(awaits.of(thread));
    }

    static Scenarios scenarios() {
        return Scenarios.of(AsyncEventLincheckTest.class, 2, 2)
                .init(op("set", 1), op("clear", 1), mine("await", 2), mine("cancelNewest", 1))
                .parallel(op("set", 2), op("clear", 2), op("isSet", 2), mine("await", 3), op("waiters", 1))
                .postPerThread("awaited")
                .postOnce("isSet")
                .postOnce("waiters");
    }

    @Test
    void operations_modelChecked_areLinearizable() {
        LincheckRun.check("event", Mode.MODEL, AsyncEventLincheckTest.class, null, scenarios());
    }

    @Test
    void operations_stressed_areLinearizable() {
        LincheckRun.check("event", Mode.STRESS, AsyncEventLincheckTest.class, null, scenarios());
    }

    /**
     * The by-design window in the class javadoc of the primitive: a cancel that wins after a
     * hand-off chose the waiter. Lincheck must still find it, so that the javadoc cannot go stale.
     */
    @Test
    void cancelRacingHandOff_modelChecked_showsTheDocumentedWindow() {
        Scenarios window = Scenarios.of(AsyncEventLincheckTest.class, 2, 0)
                .targeted(
                        new String[] {"await(1)"},
                        new String[][] {{"set()"}, {"isSet()", "cancelNewest(1)"}},
                        new String[] {"awaited(1)"});
        assertThat(LincheckRun.expectWindow(() -> LincheckRun.check(
                        "event-cancel-window", Mode.MODEL, AsyncEventLincheckTest.class, null, window, 0)))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("cancelled:1");
    }
}
