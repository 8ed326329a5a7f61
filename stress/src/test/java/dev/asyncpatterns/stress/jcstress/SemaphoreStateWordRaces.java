package dev.asyncpatterns.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asyncpatterns.core.sync.AsyncSemaphore;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.ZZI_Result;

/** Races on AsyncSemaphore's state word (permits plus the WAITERS bit). */
public final class SemaphoreStateWordRaces {

    private SemaphoreStateWordRaces() {}

    @JCStressTest
    @Description("Two tryAcquire fast paths race for the only permit: exactly one wins, none is left.")
    @Outcome(
            id = {"true, false, 0", "false, true, 0"},
            expect = ACCEPTABLE,
            desc = "one winner")
    @Outcome(expect = FORBIDDEN, desc = "permit taken twice or lost")
    @State
    public static class TwoTryAcquires {
        final AsyncSemaphore semaphore = new AsyncSemaphore(1);

        @Actor
        public void first(ZZI_Result r) {
            r.r1 = semaphore.tryAcquire();
        }

        @Actor
        public void second(ZZI_Result r) {
            r.r2 = semaphore.tryAcquire();
        }

        @Arbiter
        public void arbiter(ZZI_Result r) {
            r.r3 = semaphore.availablePermits();
        }
    }

    @JCStressTest
    @Description("A release fast path (CAS up) races an acquire that may take the slow path and set WAITERS:"
            + " the acquire ends up granted and the permit is consumed either way.")
    @Outcome(id = "true, false, 0", expect = ACCEPTABLE, desc = "granted (at once or by the hand-off), nothing left")
    @Outcome(expect = FORBIDDEN, desc = "lost wake-up or permit counted twice")
    @State
    public static class ReleaseVersusAcquire {
        final AsyncSemaphore semaphore = new AsyncSemaphore(0);
        CompletableFuture<Void> acquired;

        @Actor
        public void release() {
            semaphore.release();
        }

        @Actor
        public void acquire() {
            acquired = semaphore.acquire();
        }

        @Arbiter
        public void arbiter(ZZI_Result r) {
            r.r1 = acquired.isDone() && !acquired.isCompletedExceptionally();
            r.r2 = semaphore.waiters() != 0;
            r.r3 = semaphore.availablePermits();
        }
    }

    @JCStressTest
    @Description("A queued waiter is cancelled while a release hands it the permit: the permit is either"
            + " granted to it or back in the semaphore, never lost, never both.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "cancel won: the permit went back")
    @Outcome(id = "2, 0", expect = FORBIDDEN, desc = "cancel won but the permit is lost")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "grant won: the waiter holds the permit")
    @Outcome(id = "0, 1", expect = FORBIDDEN, desc = "granted and also back: counted twice")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class CancelVersusRelease {
        final AsyncSemaphore semaphore = new AsyncSemaphore(0);
        final CompletableFuture<Void> waiter = semaphore.acquire();

        @Actor
        public void release() {
            semaphore.release();
        }

        @Actor
        public void cancel() {
            waiter.cancel(false);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            int permits = semaphore.availablePermits();
            if (waiter.isCancelled()) {
                r.r1 = permits == 1 ? 1 : 2;
                r.r2 = 0;
            } else {
                r.r1 = 0;
                r.r2 = permits;
            }
        }
    }

    @JCStressTest
    @Description("Memory effects: a write before release is visible to the thread whose acquire obtains"
            + " that permit at once (fast path).")
    @Outcome(id = "-1", expect = ACCEPTABLE, desc = "acquire had to wait: nothing read")
    @Outcome(id = "42", expect = ACCEPTABLE, desc = "acquired after the release, saw the write")
    @Outcome(id = "0", expect = FORBIDDEN, desc = "acquired the released permit but missed the write")
    @State
    public static class ReleasePublishes {
        final AsyncSemaphore semaphore = new AsyncSemaphore(0);
        int data;

        @Actor
        public void writer() {
            data = 42;
            semaphore.release();
        }

        @Actor
        public void reader(org.openjdk.jcstress.infra.results.I_Result r) {
            r.r1 = semaphore.tryAcquire() ? data : -1;
        }
    }
}
