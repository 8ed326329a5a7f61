package dev.asyncpatterns.stress.lincheck;

import static dev.asyncpatterns.stress.lincheck.Scenarios.mine;
import static dev.asyncpatterns.stress.lincheck.Scenarios.op;

import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import dev.asyncpatterns.stress.lincheck.LincheckRun.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * MemoizedFunction with {@code cancelAbandonedLoads}, one key, against an independent model
 * ({@link Spec}): concurrent callers share one load (single-flight); cancelling a caller's future
 * detaches only that caller; when the last caller of a load still running cancels, the load is
 * abandoned (the function's future cancelled, the entry removed); a load that completed is cached.
 * The backend is a list of futures the test completes with {@code completeLoad()}, oldest first,
 * with the value 100 + the load's number; it runs in the init and post parts only, because the
 * last caller's cancel racing with the load's completion is not linearizable by design (see the
 * class javadoc of MemoizedFunction): that race is checked by a targeted scenario whose post part
 * asserts the invariant {@link #noValueThrownAway()} instead. Issue 21 items 1 and 2: on the code before the fix, a
 * caller that never cancelled got a CancellationException when another caller joined and cancelled
 * while the first was still starting the load; and a produced value could be thrown away when the
 * last caller cancelled as the load completed (the next call loaded again).
 */
@Param(name = "thread", gen = IntGen.class, conf = "0:1")
public class MemoizedFunctionLincheckTest {

    private final List<CompletableFuture<Integer>> backend = new CopyOnWriteArrayList<>();
    private final MemoizedFunction<Integer, Integer> memo = AsyncCaches.builder()
            .cancelAbandonedLoads()
            .executor(Runnable::run)
            .disableStats()
            .memoize((Integer key) -> {
                var load = new CompletableFuture<Integer>();
                backend.add(load);
                return load;
            });
    private final PerThread<CompletableFuture<Integer>> calls = new PerThread<>();

    @Operation
    public void apply(int thread) {
        calls.add(thread, memo.apply(1));
    }

    /** Cancels this thread's newest call (no effect on a completed one). */
    @Operation
    public void cancelNewest(int thread) {
        List<CompletableFuture<Integer>> mine = calls.of(thread);
        if (!mine.isEmpty()) {
            mine.get(mine.size() - 1).cancel(false);
        }
    }

    /** Completes the oldest backend call still running; false if none runs. */
    @Operation
    public boolean completeLoad() {
        for (int i = 0; i < backend.size(); i++) {
            if (backend.get(i).complete(100 + i)) {
                return true;
            }
        }
        return false;
    }

    /** How this thread's calls ended: the values, "pending", "cancelled" or the failure. */
    @Operation
    public String outcomes(int thread) {
        List<String> out = new ArrayList<>();
        for (CompletableFuture<Integer> f : calls.of(thread)) {
            out.add(AsyncQueueLincheckTest.describe(f));
        }
        return out.toString();
    }

    /** How many times the function was called, and how many of its futures were cancelled. */
    @Operation
    public String backendCalls() {
        int cancelled = 0;
        for (CompletableFuture<Integer> call : backend) {
            if (call.isCancelled()) {
                cancelled++;
            }
        }
        return "calls:" + backend.size() + " cancelled:" + cancelled;
    }

    /**
     * Invariant after a race between the last caller's cancel and the load's completion (issue 21
     * item 2): a value the backend produced is never thrown away, i.e. no backend call was made
     * after one completed normally (nothing here invalidates or expires), and a call that gets the
     * produced value needs no new load. "ok", or what broke.
     */
    @Operation
    public String noValueThrownAway() {
        int firstValue = -1;
        for (int i = 0; i < backend.size(); i++) {
            CompletableFuture<Integer> f = backend.get(i);
            if (f.isDone() && !f.isCompletedExceptionally()) {
                firstValue = i;
                break;
            }
        }
        if (firstValue >= 0 && firstValue < backend.size() - 1) {
            return "load " + firstValue + " produced a value, yet the function was called again "
                    + (backend.size() - 1 - firstValue) + " time(s)";
        }
        return "ok";
    }

    /** The sequential model of single-flight with cancellation of abandoned loads. */
    public static final class Spec {
        private static final class Load {
            final int number;
            Integer value;
            boolean cancelled;
            final List<Call> waiters = new ArrayList<>();

            Load(int number) {
                this.number = number;
            }
        }

        private static final class Call {
            final Load load;
            String outcome = "pending";

            Call(Load load) {
                this.load = load;
            }
        }

        private final List<Load> loads = new ArrayList<>();
        private final List<List<Call>> calls =
                List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        private Load entry;

        public void apply(int thread) {
            if (entry == null) {
                entry = new Load(loads.size());
                loads.add(entry);
            }
            Call call = new Call(entry);
            if (entry.value != null) {
                call.outcome = String.valueOf(entry.value);
            } else {
                entry.waiters.add(call);
            }
            calls.get(thread).add(call);
        }

        public void cancelNewest(int thread) {
            List<Call> mine = calls.get(thread);
            if (mine.isEmpty()) {
                return;
            }
            Call call = mine.get(mine.size() - 1);
            if (!call.outcome.equals("pending")) {
                return;
            }
            call.outcome = "cancelled";
            Load load = call.load;
            load.waiters.remove(call);
            if (load.waiters.isEmpty() && load.value == null) {
                load.cancelled = true; // abandoned: the function's future is cancelled, the entry removed
                if (entry == load) {
                    entry = null;
                }
            }
        }

        public boolean completeLoad() {
            for (Load load : loads) {
                if (load.value == null && !load.cancelled) {
                    load.value = 100 + load.number;
                    for (Call waiter : load.waiters) {
                        waiter.outcome = String.valueOf(load.value);
                    }
                    load.waiters.clear();
                    return true;
                }
            }
            return false;
        }

        public String outcomes(int thread) {
            List<String> out = new ArrayList<>();
            for (Call call : calls.get(thread)) {
                out.add(call.outcome);
            }
            return out.toString();
        }

        public String noValueThrownAway() {
            return "ok";
        }

        public String backendCalls() {
            long cancelled = loads.stream().filter(l -> l.cancelled).count();
            return "calls:" + loads.size() + " cancelled:" + cancelled;
        }
    }

    static Scenarios scenarios() {
        return Scenarios.of(MemoizedFunctionLincheckTest.class, 2, 1)
                .init(mine("apply", 1), op("completeLoad", 1))
                .parallel(mine("apply", 3), mine("cancelNewest", 2))
                // item 1: one caller starts the load while another joins and cancels
                .targeted(new String[0], new String[][] {{"apply(0)"}, {"apply(1)", "cancelNewest(1)"}}, new String[] {
                    "completeLoad()", "outcomes(0)", "outcomes(1)", "backendCalls()"
                })
                // item 2: the last caller cancels while the load completes
                .targeted(
                        new String[] {"apply(0)"},
                        new String[][] {{"cancelNewest(0)"}, {"completeLoad()"}},
                        new String[] {"apply(0)", "noValueThrownAway()"})
                .post("completeLoad", n -> List.<Object[]>of(new Object[0]))
                .postPerThread("outcomes")
                .postOnce("backendCalls")
                .post("apply", n -> List.<Object[]>of(new Object[] {0}))
                .post("outcomes", n -> List.<Object[]>of(new Object[] {0}));
    }

    @Test
    void singleFlightAndAbandon_modelChecked_matchTheModel() {
        LincheckRun.check("memoize-abandon", Mode.MODEL, MemoizedFunctionLincheckTest.class, Spec.class, scenarios());
    }

    @Test
    void singleFlightAndAbandon_stressed_matchTheModel() {
        LincheckRun.check("memoize-abandon", Mode.STRESS, MemoizedFunctionLincheckTest.class, Spec.class, scenarios());
    }
}
