package dev.asyncpatterns.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asyncpatterns.core.queue.AsyncQueue;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;

/** Races on AsyncQueue's hand-off of an item to a waiting taker. */
public final class QueueHandOffRaces {

    private QueueHandOffRaces() {}

    @JCStressTest
    @Description("offer races take on an empty queue: the take gets the item (directly or handed off),"
            + " the queue ends empty.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "delivered once")
    @Outcome(expect = FORBIDDEN, desc = "lost or duplicated")
    @State
    public static class OfferVersusTake {
        final AsyncQueue<Integer> queue = AsyncQueue.bounded(1);
        CompletableFuture<Integer> taken;

        @Actor
        public void offer() {
            queue.offer(1);
        }

        @Actor
        public void take() {
            taken = queue.take();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = taken.isDone() ? taken.join() : -1;
            r.r2 = queue.size();
        }
    }

    @JCStressTest
    @Description("A waiting take is cancelled while an offer hands it the item: the item is either"
            + " delivered to it or stays in the queue, never lost, never both.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "cancel won: the item stayed in the queue")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "hand-off won: delivered, the cancel was refused")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "item lost")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "item duplicated")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class CancelVersusHandOff {
        final AsyncQueue<Integer> queue = AsyncQueue.bounded(1);
        final CompletableFuture<Integer> taker = queue.take();

        @Actor
        public void offer() {
            queue.offer(1);
        }

        @Actor
        public void cancel() {
            taker.cancel(false);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = taker.isCancelled() ? 0 : taker.isDone() ? taker.join() : 9;
            r.r2 = queue.size();
        }
    }

    @JCStressTest
    @Description("Memory effects: writes made before putting an item are visible to the taker that" + " polls it.")
    @Outcome(id = "-1", expect = ACCEPTABLE, desc = "nothing to poll yet")
    @Outcome(id = "42", expect = ACCEPTABLE, desc = "polled the item and saw the write")
    @Outcome(id = "0", expect = FORBIDDEN, desc = "polled the item but missed the write")
    @State
    public static class PutPublishes {
        final AsyncQueue<int[]> queue = AsyncQueue.bounded(1);

        @Actor
        public void producer() {
            int[] box = new int[1];
            box[0] = 42;
            queue.offer(box);
        }

        @Actor
        public void consumer(I_Result r) {
            int[] box = queue.poll();
            r.r1 = box == null ? -1 : box[0];
        }
    }
}
