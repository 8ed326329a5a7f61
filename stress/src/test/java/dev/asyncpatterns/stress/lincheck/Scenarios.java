package dev.asyncpatterns.stress.lincheck;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;

/**
 * Generates Lincheck scenarios from a seed: an init part, a parallel part of {@code threads}
 * threads drawing from the concurrent operations, and a post part of observation operations run
 * once everything is quiescent. Observation operations that read the completion of futures go in
 * the post part only when a concurrent read of them would see a window that is not linearizable
 * by design (futures are completed outside internal locks); the javadoc of the primitive shows
 * that window's history.
 */
final class Scenarios {

    /** One kind of operation: a method of the test class and how to draw its arguments. */
    record Op(String method, int weight, ArgGen args) {}

    /** Draws the arguments of one call in thread {@code thread} (0-based; -1 for init/post). */
    @FunctionalInterface
    interface ArgGen {
        Object[] draw(Random random, int thread);
    }

    private final Class<?> testClass;
    private final int threads;
    private final int initActors;
    private final List<Op> init = new ArrayList<>();
    private final List<Op> parallel = new ArrayList<>();
    private IntFunction<List<Object[]>> post = threads -> List.of();
    private final List<String> postMethods = new ArrayList<>();
    private final List<String[][]> targeted = new ArrayList<>();

    private Scenarios(Class<?> testClass, int threads, int initActors) {
        this.testClass = testClass;
        this.threads = threads;
        this.initActors = initActors;
    }

    static Scenarios of(Class<?> testClass, int threads, int initActors) {
        return new Scenarios(testClass, threads, initActors);
    }

    static Op op(String method) {
        return new Op(method, 1, (random, thread) -> new Object[0]);
    }

    static Op op(String method, int weight) {
        return new Op(method, weight, (random, thread) -> new Object[0]);
    }

    static Op op(String method, int weight, ArgGen args) {
        return new Op(method, weight, args);
    }

    /** An operation whose only argument is the calling thread's index. */
    static Op mine(String method, int weight) {
        return new Op(method, weight, (random, thread) -> new Object[] {Math.max(0, thread)});
    }

    Scenarios init(Op... ops) {
        init.addAll(Arrays.asList(ops));
        return this;
    }

    Scenarios parallel(Op... ops) {
        parallel.addAll(Arrays.asList(ops));
        return this;
    }

    /** Post part: calls of {@code method} with the argument lists given for the thread count. */
    Scenarios post(String method, IntFunction<List<Object[]>> calls) {
        IntFunction<List<Object[]>> before = post;
        int index = postMethods.size();
        postMethods.add(method);
        post = n -> {
            List<Object[]> all = new ArrayList<>(before.apply(n));
            for (Object[] args : calls.apply(n)) {
                Object[] tagged = Arrays.copyOf(new Object[] {index}, 1 + args.length);
                System.arraycopy(args, 0, tagged, 1, args.length);
                all.add(tagged);
            }
            return all;
        };
        return this;
    }

    /** Post part: {@code method} once per thread index. */
    Scenarios postPerThread(String method) {
        return post(method, n -> {
            List<Object[]> calls = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                calls.add(new Object[] {t});
            }
            return calls;
        });
    }

    /** Post part: {@code method} once, without arguments. */
    Scenarios postOnce(String method) {
        return post(method, n -> List.<Object[]>of(new Object[0]));
    }

    /**
     * Adds a hand-written scenario, run before the generated ones (the history an issue reported,
     * so that it is always explored). Each call is written {@code "method(arg, ...)"} with int
     * arguments; {@code init} and {@code post} may be empty; one array per parallel thread.
     */
    Scenarios targeted(String[] init, String[][] threads, String[] post) {
        String[][] all = new String[threads.length + 2][];
        all[0] = init;
        System.arraycopy(threads, 0, all, 1, threads.length);
        all[all.length - 1] = post;
        targeted.add(all);
        return this;
    }

    int targetedCount() {
        return targeted.size();
    }

    int threads() {
        return threads;
    }

    List<ExecutionScenario> generate(long seed, int count, int actorsPerThread) {
        Random random = new Random(seed);
        List<ExecutionScenario> scenarios = new ArrayList<>(count);
        for (String[][] parts : targeted) {
            List<List<Actor>> parallelPart = new ArrayList<>();
            for (int t = 1; t < parts.length - 1; t++) {
                parallelPart.add(parse(parts[t]));
            }
            scenarios.add(new ExecutionScenario(parse(parts[0]), parallelPart, parse(parts[parts.length - 1]), null));
        }
        for (int i = 0; i < count; i++) {
            List<Actor> initPart = new ArrayList<>();
            if (!init.isEmpty()) {
                for (int a = 0; a < initActors; a++) {
                    initPart.add(actor(pick(init, random), random, -1));
                }
            }
            List<List<Actor>> parallelPart = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<Actor> thread = new ArrayList<>();
                for (int a = 0; a < actorsPerThread; a++) {
                    thread.add(actor(pick(parallel, random), random, t));
                }
                parallelPart.add(thread);
            }
            List<Actor> postPart = new ArrayList<>();
            for (Object[] tagged : post.apply(threads)) {
                String method = postMethods.get((Integer) tagged[0]);
                postPart.add(new Actor(method(method), Arrays.asList(Arrays.copyOfRange(tagged, 1, tagged.length))));
            }
            scenarios.add(new ExecutionScenario(initPart, parallelPart, postPart, null));
        }
        return scenarios;
    }

    private List<Actor> parse(String[] calls) {
        List<Actor> actors = new ArrayList<>();
        for (String call : calls) {
            int open = call.indexOf('(');
            String name = call.substring(0, open).trim();
            String inside = call.substring(open + 1, call.lastIndexOf(')')).trim();
            List<Object> args = new ArrayList<>();
            if (!inside.isEmpty()) {
                for (String arg : inside.split(",")) {
                    args.add(Integer.parseInt(arg.trim()));
                }
            }
            actors.add(new Actor(method(name), args));
        }
        return actors;
    }

    private static Op pick(List<Op> ops, Random random) {
        int total = ops.stream().mapToInt(Op::weight).sum();
        int r = random.nextInt(total);
        for (Op op : ops) {
            r -= op.weight();
            if (r < 0) {
                return op;
            }
        }
        throw new AssertionError();
    }

    private Actor actor(Op op, Random random, int thread) {
        return new Actor(method(op.method()), Arrays.asList(op.args().draw(random, thread)));
    }

    private Method method(String name) {
        Method found = null;
        for (Method m : testClass.getMethods()) {
            if (m.getName().equals(name)) {
                if (found != null) {
                    throw new IllegalArgumentException("operation names must be unique: " + name);
                }
                found = m;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("no public method " + name + " in " + testClass.getName());
        }
        return found;
    }
}
