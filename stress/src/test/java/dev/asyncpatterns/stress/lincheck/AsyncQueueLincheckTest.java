package dev.asyncpatterns.stress.lincheck;

import static dev.asyncpatterns.stress.lincheck.Scenarios.mine;
import static dev.asyncpatterns.stress.lincheck.Scenarios.op;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.stress.lincheck.LincheckRun.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * A bounded AsyncQueue (capacity 2): offer, poll, put and take (futures kept by the calling
 * thread), cancel of a waiting put/take, close and closeExceptionally are linearizable against the
 * queue run sequentially: FIFO, hand-off to waiting takers, a cancelled put never enqueued, a
 * cancelled take never consumes, close fails waiting producers and (once empty) consumers. What the
 * put and take futures ended with is read in the post part, at quiescence (a take is completed on
 * the producer's thread after the hand-off, outside the queue's lock).
 */
@Param(name = "thread", gen = IntGen.class, conf = "0:1")
@Param(name = "item", gen = IntGen.class, conf = "1:3")
public class AsyncQueueLincheckTest {

    private final AsyncQueue<Integer> queue = AsyncQueue.bounded(2);
    private final PerThread<CompletableFuture<Void>> puts = new PerThread<>();
    private final PerThread<CompletableFuture<Integer>> takes = new PerThread<>();

    @Operation
    public String offer(int item) {
        try {
            return String.valueOf(queue.offer(item));
        } catch (ClosedException closed) {
            return "closed";
        }
    }

    @Operation
    public Integer poll() {
        return queue.poll();
    }

    @Operation
    public void put(int thread, int item) {
        puts.add(thread, queue.put(item));
    }

    @Operation
    public void take(int thread) {
        takes.add(thread, queue.take());
    }

    /** Cancels this thread's newest put and newest take (no effect on those already done). */
    @Operation
    public void cancelNewest(int thread) {
        List<CompletableFuture<Void>> p = puts.of(thread);
        if (!p.isEmpty()) {
            p.get(p.size() - 1).cancel(false);
        }
        List<CompletableFuture<Integer>> t = takes.of(thread);
        if (!t.isEmpty()) {
            t.get(t.size() - 1).cancel(false);
        }
    }

    @Operation
    public int size() {
        return queue.size();
    }

    @Operation
    public void close() {
        queue.close();
    }

    @Operation
    public int closeExceptionally() {
        return queue.closeExceptionally(new IllegalStateException("abort")).size();
    }

    /** How this thread's takes ended: the items in order, "pending", "cancelled" or "closed". */
    @Operation
    public String taken(int thread) {
        List<String> out = new ArrayList<>();
        for (CompletableFuture<Integer> f : takes.of(thread)) {
            out.add(describe(f));
        }
        return out.toString();
    }

    /** How this thread's puts ended. */
    @Operation
    public String putOutcomes(int thread) {
        List<String> out = new ArrayList<>();
        for (CompletableFuture<Void> f : puts.of(thread)) {
            out.add(describe(f));
        }
        return out.toString();
    }

    @Operation
    public String stats() {
        AsyncQueue.Stats s = queue.stats();
        return "depth:" + s.depth() + " put:" + s.put() + " taken:" + s.taken() + " dropped:" + s.dropped()
                + " putters:" + s.putWaiters() + " takers:" + s.takeWaiters() + " closed:" + s.closed();
    }

    static String describe(CompletableFuture<?> f) {
        return switch (f.state()) {
            case SUCCESS -> String.valueOf(f.resultNow());
            case RUNNING -> "pending";
            case CANCELLED -> "cancelled";
            case FAILED ->
                f.exceptionNow() instanceof ClosedException
                        ? "closed"
                        : f.exceptionNow().getClass().getSimpleName();
        };
    }

    static Scenarios scenarios() {
        Scenarios.ArgGen item = (random, thread) -> new Object[] {1 + random.nextInt(3)};
        Scenarios.ArgGen mineItem = (random, thread) -> new Object[] {Math.max(0, thread), 1 + random.nextInt(3)};
        return Scenarios.of(AsyncQueueLincheckTest.class, 2, 2)
                .init(op("offer", 2, item), op("take", 1, (random, thread) -> new Object[] {0}))
                .parallel(
                        op("offer", 2, item),
                        op("poll", 2),
                        op("put", 3, mineItem),
                        mine("take", 3),
                        mine("cancelNewest", 2),
                        op("size", 1),
                        op("close", 1),
                        op("closeExceptionally", 1))
                .postPerThread("taken")
                .postPerThread("putOutcomes")
                .postOnce("stats");
    }

    @Test
    void operations_modelChecked_areLinearizable() {
        LincheckRun.check("queue-bounded", Mode.MODEL, AsyncQueueLincheckTest.class, null, scenarios());
    }

    @Test
    void operations_stressed_areLinearizable() {
        LincheckRun.check("queue-bounded", Mode.STRESS, AsyncQueueLincheckTest.class, null, scenarios());
    }
}
