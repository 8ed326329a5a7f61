package dev.asyncpatterns.stress.lincheck;

import java.util.Locale;

/**
 * How much checking a run does: a short configuration on every build ({@code ./mvnw verify}), a
 * long one with {@code -Dstress=long} or the environment variable {@code STRESS=long}. The seed of
 * the generated scenarios is printed and can be replayed with {@code -Dstress.seed=N}.
 *
 * @param name "short" or "long"
 * @param scenarios generated scenarios per test and mode
 * @param modelInvocations model-checking invocations (interleavings) per scenario
 * @param stressInvocations stress invocations (real concurrent runs) per scenario
 * @param actorsPerThread operations per thread in the parallel part
 */
record Budget(String name, int scenarios, int modelInvocations, int stressInvocations, int actorsPerThread) {

    static final Budget SHORT = new Budget("short", 4, 60, 200, 3);
    static final Budget LONG = new Budget("long", 60, 2_000, 10_000, 4);

    /** The budget asked for by {@code -Dstress} or {@code STRESS}; short by default. */
    static Budget current() {
        String asked = System.getProperty("stress");
        if (asked == null || asked.isBlank()) {
            asked = System.getenv("STRESS");
        }
        return asked != null && asked.trim().toLowerCase(Locale.ROOT).equals("long") ? LONG : SHORT;
    }

    /** The scenario seed: {@code -Dstress.seed} if given, else fresh (and printed by the caller). */
    static long seed() {
        String given = System.getProperty("stress.seed");
        if (given != null && !given.isBlank()) {
            return Long.parseLong(given.trim());
        }
        return System.nanoTime() ^ Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L;
    }
}
