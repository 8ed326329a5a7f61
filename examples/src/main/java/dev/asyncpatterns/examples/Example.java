package dev.asyncpatterns.examples;

import java.io.PrintStream;

/** One runnable example program. Implementations are listed in {@link Launcher#EXAMPLES}. */
public interface Example {

    /**
     * The name used on the command line, e.g. {@code sync-vs-async}.
     *
     * @return the example's name
     */
    String name();

    /**
     * One line saying what the example shows.
     *
     * @return the description
     */
    String description();

    /**
     * Runs the example, printing what it shows.
     *
     * @param out where to print
     * @param fast {@code true} to shrink sizes and delays (used by {@code all} and the tests)
     * @throws Exception if the example fails
     */
    void run(PrintStream out, boolean fast) throws Exception;

    /**
     * What this machine lacks to run the example (a server binary it starts), or empty. {@code all}
     * skips such an example and says why; run by name, it explains the same.
     *
     * @return the missing prerequisite, or empty
     */
    default java.util.Optional<String> missingPrerequisite() {
        return java.util.Optional.empty();
    }
}
