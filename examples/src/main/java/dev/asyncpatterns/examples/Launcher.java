package dev.asyncpatterns.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs the example programs: {@code list} prints them, {@code <name>} runs one, {@code all} runs
 * every one in fast mode.
 *
 * <pre>
 * java -jar examples/target/examples.jar list
 * java -jar examples/target/examples.jar sync-vs-async
 * java -jar examples/target/examples.jar sync-vs-async --fast
 * java -jar examples/target/examples.jar all
 * </pre>
 */
public final class Launcher {

    /** Every example, in the order {@code list} prints them. */
    public static final List<Example> EXAMPLES = List.of(
            new SyncVsAsync(),
            new ConcurrentScraper(),
            new QueueWorkers(),
            new EtlPipeline(),
            new RealTimeAggregation(),
            new RetryCircuitBreaker(),
            new SupervisedHeartbeat(),
            new CachedEnrichment(),
            new RateLimitedClient(),
            new RetryQueueDemo(),
            new TaskSystem(),
            new OrderStateMachine(),
            new HealthCheck(),
            new SharedCache(),
            new DistributedTasks(),
            new Metrics());

    private static volatile List<String> arguments = List.of();

    private Launcher() {}

    /**
     * An option given on the command line after the example's name, as {@code --name value} or
     * {@code --name=value} (for example {@code distributed-tasks --jdbc-url jdbc:postgresql://...}).
     *
     * @param name the option, with its dashes
     * @return its value, if given
     */
    static Optional<String> option(String name) {
        List<String> args = arguments;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals(name) && i + 1 < args.size()) {
                return Optional.of(args.get(i + 1));
            }
            if (arg.startsWith(name + "=")) {
                return Optional.of(arg.substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a flag without a value (such as {@code --console}) was given after the example's name.
     *
     * @param name the flag, with its dashes
     * @return true if given
     */
    static boolean flag(String name) {
        return arguments.contains(name);
    }

    /**
     * Entry point.
     *
     * @param args {@code list}, {@code all}, or an example's name (default {@code sync-vs-async}),
     *     optionally followed by {@code --fast} and {@code --redis-uri=redis://host:port} (for
     *     {@code shared-cache}, which otherwise starts its own {@code redis-server})
     * @throws Exception if the example fails
     */
    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "sync-vs-async" : args[0];
        for (String arg : args) {
            if (arg.startsWith("--redis-uri=")) {
                System.setProperty(SharedCache.REDIS_URI_PROPERTY, arg.substring("--redis-uri=".length()));
            }
        }
        boolean fast = List.of(args).contains("--fast");
        arguments = List.of(args);
        System.exit(run(command, fast, System.out));
    }

    /**
     * Runs one launcher command.
     *
     * @param command {@code list}, {@code all} or an example's name
     * @param out where to print
     * @return the process exit code
     * @throws Exception if an example fails
     */
    public static int run(String command, PrintStream out) throws Exception {
        return run(command, false, out);
    }

    /**
     * Runs one launcher command.
     *
     * @param command {@code list}, {@code all} or an example's name
     * @param fast {@code true} to run a named example in fast mode ({@code all} always is)
     * @param out where to print
     * @return the process exit code
     * @throws Exception if the named example fails
     */
    public static int run(String command, boolean fast, PrintStream out) throws Exception {
        switch (command) {
            case "list" -> {
                out.println("Examples (run one with: java -jar examples/target/examples.jar <name>):");
                for (Example example : EXAMPLES) {
                    out.printf("  %-22s %s%n", example.name(), example.description());
                }
                return 0;
            }
            case "all" -> {
                // every example in fast mode; one that fails is reported and the others still run
                List<String> failed = new ArrayList<>();
                List<String> skipped = new ArrayList<>();
                for (Example example : EXAMPLES) {
                    out.println("=== " + example.name() + " ===");
                    Optional<String> missing = example.missingPrerequisite();
                    if (missing.isPresent()) {
                        skipped.add(example.name());
                        out.println("SKIPPED " + example.name() + ": " + missing.get());
                        continue;
                    }
                    try {
                        example.run(out, true);
                    } catch (Exception e) {
                        failed.add(example.name());
                        out.println("FAILED " + example.name() + ": " + e);
                    }
                }
                out.println(
                        failed.isEmpty()
                                ? (skipped.isEmpty()
                                        ? "all " + EXAMPLES.size() + " examples ran"
                                        : (EXAMPLES.size() - skipped.size()) + " of " + EXAMPLES.size()
                                                + " examples ran, skipped " + skipped + " (missing prerequisites)")
                                : failed.size() + " of " + EXAMPLES.size() + " examples failed: " + failed);
                return failed.isEmpty() ? 0 : 1;
            }
            default -> {
                Optional<Example> example = find(command);
                if (example.isEmpty()) {
                    out.println("unknown example '" + command + "'; try 'list'");
                    return 2;
                }
                example.get().run(out, fast);
                return 0;
            }
        }
    }

    static Optional<Example> find(String name) {
        return EXAMPLES.stream().filter(e -> e.name().equals(name)).findFirst();
    }
}
