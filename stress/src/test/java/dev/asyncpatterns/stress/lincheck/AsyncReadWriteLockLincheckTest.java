package dev.asyncpatterns.stress.lincheck;

import static dev.asyncpatterns.stress.lincheck.Scenarios.mine;
import static dev.asyncpatterns.stress.lincheck.Scenarios.op;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.sync.AsyncLock;
import dev.asyncpatterns.core.sync.AsyncReadWriteLock;
import dev.asyncpatterns.stress.lincheck.LincheckRun.Mode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * AsyncReadWriteLock: try/waiting read and write locks (futures kept by the calling thread),
 * unlock of a held guard, cancel of a pending request, readers() and isWriteLocked() are
 * linearizable against the lock run sequentially: readers share, a writer excludes, FIFO across
 * both (a reader queues behind a waiting writer), cancelled requests never hold.
 * Cancellation runs in the init part only: a cancel racing a hand-off can win after the hand-off
 * chose the waiter (futures are completed outside the lock), which is not linearizable by design
 * (the window and its Lincheck history are in the class javadoc of the primitive); the
 * cancel-versus-hand-off race is covered by the jcstress tests and the module's unit tests.
 */
@Param(name = "thread", gen = IntGen.class, conf = "0:1")
public class AsyncReadWriteLockLincheckTest {

    private final AsyncReadWriteLock lock = new AsyncReadWriteLock();
    private final PerThread<Request> requests = new PerThread<>();

    record Request(boolean write, CompletableFuture<AsyncLock.Guard> future) {
        boolean holding() {
            return future.state() == Future.State.SUCCESS && !future.resultNow().isUnlocked();
        }
    }

    @Operation
    public boolean tryReadLock(int thread) {
        var guard = lock.tryReadLock();
        guard.ifPresent(g -> requests.add(thread, new Request(false, CompletableFuture.completedFuture(g))));
        return guard.isPresent();
    }

    @Operation
    public boolean tryWriteLock(int thread) {
        var guard = lock.tryWriteLock();
        guard.ifPresent(g -> requests.add(thread, new Request(true, CompletableFuture.completedFuture(g))));
        return guard.isPresent();
    }

    @Operation
    public void readLock(int thread) {
        requests.add(thread, new Request(false, lock.readLock()));
    }

    @Operation
    public void writeLock(int thread) {
        requests.add(thread, new Request(true, lock.writeLock()));
    }

    /** Unlocks the oldest guard this thread holds: "read", "write", or "none". */
    @Operation
    public String unlockOne(int thread) {
        Request held = requests.removeOldest(thread, Request::holding);
        if (held == null) {
            return "none";
        }
        held.future().resultNow().unlock();
        return held.write() ? "write" : "read";
    }

    @Operation
    public void cancelNewest(int thread) {
        var list = requests.of(thread);
        if (!list.isEmpty()) {
            list.get(list.size() - 1).future().cancel(false);
        }
    }

    @Operation
    public int readers() {
        return lock.readers();
    }

    @Operation
    public boolean isWriteLocked() {
        return lock.isWriteLocked();
    }

    @Operation
    public String held(int thread) {
        long reads = requests.of(thread).stream()
                .filter(r -> !r.write() && r.holding())
                .count();
        long writes = requests.of(thread).stream()
                .filter(r -> r.write() && r.holding())
                .count();
        return "reads:" + reads + " writes:" + writes + " " + PerThread.outcomes(requests.of(thread), Request::future);
    }

    static Scenarios scenarios() {
        return Scenarios.of(AsyncReadWriteLockLincheckTest.class, 2, 2)
                .init(mine("tryReadLock", 1), mine("writeLock", 1), mine("readLock", 1), mine("cancelNewest", 1))
                .parallel(
                        mine("tryReadLock", 1),
                        mine("tryWriteLock", 1),
                        mine("readLock", 2),
                        mine("writeLock", 2),
                        mine("unlockOne", 4),
                        op("readers", 1),
                        op("isWriteLocked", 1))
                .postPerThread("held")
                .postOnce("readers")
                .postOnce("isWriteLocked");
    }

    @Test
    void operations_modelChecked_areLinearizable() {
        LincheckRun.check("read-write-lock", Mode.MODEL, AsyncReadWriteLockLincheckTest.class, null, scenarios());
    }

    @Test
    void operations_stressed_areLinearizable() {
        LincheckRun.check("read-write-lock", Mode.STRESS, AsyncReadWriteLockLincheckTest.class, null, scenarios());
    }

    /**
     * The by-design window in the class javadoc of the primitive: a cancel that wins after a
     * hand-off chose the waiter. Lincheck must still find it, so that the javadoc cannot go stale.
     */
    @Test
    void cancelRacingHandOff_modelChecked_showsTheDocumentedWindow() {
        Scenarios window = Scenarios.of(AsyncReadWriteLockLincheckTest.class, 2, 0)
                .targeted(
                        new String[] {"writeLock(0)", "readLock(1)", "readLock(1)"},
                        new String[][] {{"unlockOne(0)"}, {"readers()", "cancelNewest(1)"}},
                        new String[] {"held(1)", "readers()"});
        assertThat(LincheckRun.expectWindow(() -> LincheckRun.check(
                        "read-write-lock-cancel-window",
                        Mode.MODEL,
                        AsyncReadWriteLockLincheckTest.class,
                        null,
                        window,
                        0)))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("cancelled:1");
    }
}
