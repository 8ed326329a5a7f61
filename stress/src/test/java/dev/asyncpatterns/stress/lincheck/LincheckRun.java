package dev.asyncpatterns.stress.lincheck;

import java.util.List;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Options;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * Runs a Lincheck check (model checking or stress) over generated scenarios and prints one line
 * of figures: test, mode, budget, seed, scenarios, threads, operations, invocations, time, result.
 */
final class LincheckRun {

    enum Mode {
        MODEL,
        STRESS
    }

    /**
     * Runs a check that must fail (a window that is not linearizable by design, documented in the
     * primitive's javadoc), prints the invalid results Lincheck found and returns the failure.
     */
    static Throwable expectWindow(Runnable check) {
        try {
            check.run();
        } catch (AssertionError found) {
            String message = String.valueOf(found.getMessage());
            int end = message.indexOf("\n---\n");
            System.out.println("documented window found:" + (end > 0 ? message.substring(0, end) : message));
            return found;
        }
        return null;
    }

    private LincheckRun() {}

    /**
     * Checks {@code testClass} against {@code spec} (the test class itself, run sequentially, when
     * null). Throws Lincheck's {@code LincheckAssertionError}, with the failing history, if a run is
     * not linearizable.
     */
    static void check(String name, Mode mode, Class<?> testClass, Class<?> spec, Scenarios scenarios) {
        check(name, mode, testClass, spec, scenarios, Budget.current().scenarios());
    }

    /** As above, with {@code generatedScenarios} generated scenarios besides the targeted ones. */
    static void check(
            String name, Mode mode, Class<?> testClass, Class<?> spec, Scenarios scenarios, int generatedScenarios) {
        Budget budget = Budget.current();
        long seed = Budget.seed();
        List<ExecutionScenario> generated = scenarios.generate(seed, generatedScenarios, budget.actorsPerThread());
        int invocations = mode == Mode.MODEL ? budget.modelInvocations() : budget.stressInvocations();
        Options<?, ?> options = mode == Mode.MODEL
                ? new ModelCheckingOptions().iterations(0).invocationsPerIteration(invocations)
                : new StressOptions().iterations(0).invocationsPerIteration(invocations);
        for (ExecutionScenario scenario : generated) {
            options.addCustomScenario(scenario);
        }
        if (spec != null) {
            options.sequentialSpecification(spec);
        }
        long started = System.nanoTime();
        String result = "FAILED";
        try {
            options.check(testClass);
            result = "linearizable";
        } finally {
            System.out.printf(
                    "lincheck %s mode=%s budget=%s seed=%d scenarios=%d threads=%d actorsPerThread=%d "
                            + "(targeted=%d) invocationsPerScenario=%d invocationsMax=%d timeMs=%d result=%s%n",
                    name,
                    mode.name().toLowerCase(java.util.Locale.ROOT),
                    budget.name(),
                    seed,
                    generated.size(),
                    scenarios.threads(),
                    budget.actorsPerThread(),
                    scenarios.targetedCount(),
                    invocations,
                    (long) invocations * generated.size(),
                    (System.nanoTime() - started) / 1_000_000,
                    result);
        }
    }
}
