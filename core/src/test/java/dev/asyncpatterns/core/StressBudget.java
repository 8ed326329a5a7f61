package dev.asyncpatterns.core;

/**
 * What core's race and stress tests share: the budget ({@code STRESS=long} runs the long one), the
 * seed of their random schedules ({@code -Dstress.seed=N} replays a run; each test prints the seed
 * it used) and a short busy wait that widens a race window without sleeping.
 */
public final class StressBudget {

    /** Whether {@code STRESS=long} asks for the long budget. */
    public static final boolean LONG = "long".equalsIgnoreCase(System.getenv("STRESS"));

    private StressBudget() {}

    /**
     * The seed for a test's random schedule: {@code -Dstress.seed} when given, else a fresh one.
     *
     * @return the seed
     */
    public static long seed() {
        return Long.getLong("stress.seed", System.nanoTime());
    }

    /**
     * Busy-waits {@code n} spin hints: shifts one side of a race by a random, small amount.
     *
     * @param n how many {@link Thread#onSpinWait()} calls
     */
    public static void spin(int n) {
        for (int i = 0; i < n; i++) {
            Thread.onSpinWait();
        }
    }
}
