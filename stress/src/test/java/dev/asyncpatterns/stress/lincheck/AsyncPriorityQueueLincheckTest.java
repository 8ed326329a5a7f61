package dev.asyncpatterns.stress.lincheck;

import static dev.asyncpatterns.stress.lincheck.Scenarios.op;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.stress.lincheck.LincheckRun.Mode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * AsyncQueue.priority (capacity 3, priority = item / 10, so 10 and 11 are equal and must come out
 * in put order) against an independent sequential model, {@link Spec}: the queue run sequentially
 * is not a specification here, because issue 21 item 5 is a sequential defect. {@code putThrowing}
 * puts while its comparator throws (a thread-local switch): the put must be refused with the
 * comparator's exception and leave the queue as it was. On the code before the fix, the refused
 * item left a phantom slot: {@code size()} counted it and {@code poll()} returned {@code null}.
 */
@Param(name = "item", gen = IntGen.class, conf = "10:21")
public class AsyncPriorityQueueLincheckTest {

    private static final ThreadLocal<Boolean> COMPARATOR_THROWS = ThreadLocal.withInitial(() -> false);
    private static final Comparator<Integer> ORDER = (a, b) -> {
        if (COMPARATOR_THROWS.get()) {
            throw new IllegalStateException("comparator failure");
        }
        return Integer.compare(a / 10, b / 10);
    };

    private final AsyncQueue<Integer> queue = AsyncQueue.priority(3, ORDER);

    @Operation
    public String offer(int item) {
        try {
            return String.valueOf(queue.offer(item));
        } catch (ClosedException closed) {
            return "closed";
        }
    }

    /** Puts; the outcome is not read: a put that waits completes later, on another thread. */
    @Operation
    public void put(int item) {
        queue.put(item);
    }

    /**
     * Puts while the comparator throws: "refused:…" if the put was refused (decided during the
     * call, thrown or as a failed future), else "accepted" (in, waiting, or refused as closed).
     */
    @Operation
    public String putThrowing(int item) {
        COMPARATOR_THROWS.set(true);
        try {
            String outcome = outcome(queue.put(item));
            return outcome.startsWith("refused:") ? outcome : "accepted";
        } catch (RuntimeException refused) {
            return "refused:" + refused.getClass().getSimpleName();
        } finally {
            COMPARATOR_THROWS.set(false);
        }
    }

    @Operation
    public Integer poll() {
        return queue.poll();
    }

    @Operation
    public int size() {
        return queue.size();
    }

    @Operation
    public void close() {
        queue.close();
    }

    static String outcome(CompletableFuture<Void> f) {
        return switch (f.state()) {
            case SUCCESS -> "ok";
            case RUNNING -> "pending";
            case CANCELLED -> "cancelled";
            case FAILED -> {
                Throwable failure = f.exceptionNow();
                if (failure instanceof CompletionException && failure.getCause() != null) {
                    failure = failure.getCause();
                }
                yield failure instanceof ClosedException
                        ? "closed"
                        : "refused:" + failure.getClass().getSimpleName();
            }
        };
    }

    /**
     * The sequential model: a bounded list served least-priority first, FIFO among equals; puts
     * beyond the capacity wait in FIFO order and move in as room frees; close refuses new items
     * and fails waiting puts; a put whose comparator throws is refused when it has to compare
     * (the queue holds something) and changes nothing.
     */
    public static final class Spec {
        private final List<Integer> items = new ArrayList<>();
        private final List<Integer> putters = new ArrayList<>();
        private boolean closed;

        public String offer(int item) {
            if (closed) {
                return "closed";
            }
            if (items.size() >= 3) {
                return "false";
            }
            items.add(item);
            return "true";
        }

        public void put(int item) {
            if (closed) {
                return;
            }
            if (items.size() >= 3) {
                putters.add(item);
                return;
            }
            items.add(item);
        }

        public String putThrowing(int item) {
            if (closed) {
                return "accepted"; // refused as closed, not by the comparator
            }
            if (items.size() >= 3) {
                putters.add(item); // it waits; it moves in later on a thread whose comparator works
                return "accepted";
            }
            if (!items.isEmpty()) {
                return "refused:IllegalStateException";
            }
            items.add(item);
            return "accepted";
        }

        public Integer poll() {
            if (items.isEmpty()) {
                return null;
            }
            int best = 0;
            for (int i = 1; i < items.size(); i++) {
                if (items.get(i) / 10 < items.get(best) / 10) {
                    best = i;
                }
            }
            Integer item = items.remove(best);
            if (!putters.isEmpty()) {
                items.add(putters.remove(0));
            }
            return item;
        }

        public int size() {
            return items.size();
        }

        public void close() {
            closed = true;
            putters.clear();
        }
    }

    static Scenarios scenarios() {
        Scenarios.ArgGen item = (random, thread) -> new Object[] {new int[] {10, 11, 20, 21}[random.nextInt(4)]};
        return Scenarios.of(AsyncPriorityQueueLincheckTest.class, 2, 2)
                .init(op("offer", 2, item), op("putThrowing", 1, item))
                .parallel(
                        op("offer", 2, item),
                        op("put", 2, item),
                        op("putThrowing", 2, item),
                        op("poll", 3),
                        op("size", 1),
                        op("close", 1))
                // the history: a refused put, then size and poll see the queue unchanged
                .targeted(
                        new String[] {"offer(20)"},
                        new String[][] {{"putThrowing(10)", "size()", "poll()"}, {"offer(11)", "poll()"}},
                        new String[] {"size()", "poll()"})
                .postOnce("size")
                .postOnce("poll")
                .postOnce("poll");
    }

    @Test
    void operations_modelChecked_matchTheModel() {
        LincheckRun.check("queue-priority", Mode.MODEL, AsyncPriorityQueueLincheckTest.class, Spec.class, scenarios());
    }

    @Test
    void operations_stressed_matchTheModel() {
        LincheckRun.check("queue-priority", Mode.STRESS, AsyncPriorityQueueLincheckTest.class, Spec.class, scenarios());
    }
}
