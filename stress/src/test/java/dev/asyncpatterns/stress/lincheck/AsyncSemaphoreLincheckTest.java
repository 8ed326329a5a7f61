package dev.asyncpatterns.stress.lincheck;

import static dev.asyncpatterns.stress.lincheck.Scenarios.mine;
import static dev.asyncpatterns.stress.lincheck.Scenarios.op;

import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.stress.lincheck.LincheckRun.Mode;
import java.util.concurrent.CompletableFuture;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * AsyncSemaphore (2 permits): tryAcquire, acquire (the future kept by the calling thread) and
 * release are linearizable against the semaphore run sequentially: FIFO hand-off, no barging, no
 * permit lost or counted twice. Who holds what is read in the post part, at quiescence.
 * Cancellation runs in the init part only: a cancel racing a hand-off can win after the hand-off
 * chose the waiter (futures are completed outside the lock), which is not linearizable by design
 * (the window and its Lincheck history are in the class javadoc of the primitive); the
 * cancel-versus-hand-off race is covered by the jcstress tests and the module's unit tests.
 */
@Param(name = "thread", gen = IntGen.class, conf = "0:1")
@Param(name = "permits", gen = IntGen.class, conf = "1:2")
public class AsyncSemaphoreLincheckTest {

    private final AsyncSemaphore semaphore = new AsyncSemaphore(2);
    private final PerThread<Request> requests = new PerThread<>();

    record Request(int permits, CompletableFuture<Void> future) {}

    @Operation
    public boolean tryAcquire(int permits) {
        return semaphore.tryAcquire(permits);
    }

    @Operation
    public void acquire(int thread, int permits) {
        requests.add(thread, new Request(permits, semaphore.acquire(permits)));
    }

    @Operation
    public void release() {
        semaphore.release();
    }

    /** Cancels this thread's newest acquire (a no-op on a granted one: it stays granted). */
    @Operation
    public void cancelNewest(int thread) {
        Request newest = requests.removeNewest(thread);
        if (newest != null && !newest.future().cancel(false) && newest.future().isDone()) {
            requests.add(thread, newest); // granted: still held
        }
    }

    /** Permits held by this thread's granted acquires, and how its acquires ended. */
    @Operation
    public String held(int thread) {
        int held = 0;
        for (Request r : requests.of(thread)) {
            if (r.future().state() == java.util.concurrent.Future.State.SUCCESS) {
                held += r.permits();
            }
        }
        return "held:" + held + " " + PerThread.outcomes(requests.of(thread), Request::future);
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
        Scenarios.ArgGen minePermits = (random, thread) -> new Object[] {Math.max(0, thread), 1 + random.nextInt(2)};
        return Scenarios.of(AsyncSemaphoreLincheckTest.class, 2, 2)
                .init(op("tryAcquire", 1, permits), op("acquire", 2, minePermits), mine("cancelNewest", 1))
                .parallel(op("tryAcquire", 2, permits), op("acquire", 3, minePermits), op("release", 3))
                .postPerThread("held")
                .postOnce("availablePermits")
                .postOnce("waiters");
    }

    @Test
    void operations_modelChecked_areLinearizable() {
        LincheckRun.check("semaphore", Mode.MODEL, AsyncSemaphoreLincheckTest.class, null, scenarios());
    }

    @Test
    void operations_stressed_areLinearizable() {
        LincheckRun.check("semaphore", Mode.STRESS, AsyncSemaphoreLincheckTest.class, null, scenarios());
    }
}
