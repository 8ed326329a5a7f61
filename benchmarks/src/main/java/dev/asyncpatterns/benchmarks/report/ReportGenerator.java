package dev.asyncpatterns.benchmarks.report;

import dev.asyncpatterns.benchmarks.headline.ScalingBenchmark;
import dev.asyncpatterns.benchmarks.headline.Scenario;
import dev.asyncpatterns.benchmarks.headline.Variant;
import dev.asyncpatterns.benchmarks.report.JmhResult.Metric;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/*
 * Maintainer's note.
 *
 * Input: JMH JSON rows. Output: REPORT.md plus SVG charts in one directory. Three kinds of rows:
 *  - HeadlineBenchmark: rows keyed by (scenario param, method = Variant). Ideal times come from
 *    the Scenario and Variant enums, so the report and the benchmark cannot disagree on them.
 *  - ScalingBenchmark: rows keyed by (calls param, method); ideal is one latency.
 *  - every bar (ours vs a named peer, or a row vs its physical ideal) is in Bars.ALL; a verdict
 *    needs 3 forks x 5 measured iterations in every row it compares ("not enough data" otherwise).
 *  - everything else (the area benchmarks other modules add): a generic table per class. Rows are
 *    grouped by method and every parameter except the "implementation" axis (a parameter named
 *    impl/implementation/library/variant/...); if a class has no such parameter its methods are the
 *    implementations. Each row gets its ratio to the best row in its group, and a group with a
 *    toolkit row and a peer row yields an "ours / best peer" overhead bar.
 * The generator never fails on missing rows: absent cells print as "—" and charts skip them, so
 * a partial run (one scenario, -p filters) still gives a report.
 */
/**
 * Turns JMH JSON result files into {@code REPORT.md} with tables (score, error, ratio to the
 * ideal or peer) and SVG charts (speedup per scenario, speedup vs N, memory per call, toolkit
 * overhead vs peers).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.asyncpatterns.benchmarks.report.ReportGenerator
 * <output-dir> [results.json ...]}; with no files it reads every {@code *.json} in the output
 * directory.
 */
public final class ReportGenerator {

    /** Bar for fully concurrent variants: speedup over the ideal sequential time (N × latency) at least this fraction of N. */
    public static final double CONCURRENT_BAR = Bars.CONCURRENT_SPEEDUP;
    /** Bar for bounded variants: at most this multiple of the ideal time. */
    public static final double BOUNDED_BAR = Bars.BOUNDED_FACTOR;
    /** How the marks read, under every table that has a bar column. */
    static final String VERDICT_LEGEND =
            "Bars are judged against the ideal or the named peer, never against a measured "
                    + "sequential time. ✓ meets it; ≈ misses it by less than the error (the bar lies inside the "
                    + "99.9% interval of this run, so the run cannot tell); ✗ misses it beyond the error; \"not enough data\": "
                    + "a row compared has fewer than " + Bars.MIN_FORKS + " forks × " + Bars.MIN_ITERATIONS
                    + " measured iterations, so no verdict is drawn.";
    /** The scaling series holds the 1.05 × latency bar up to this N (and 1.2 × latency above it, to 10,000). */
    public static final int SCALING_BAR_MAX_CALLS = Bars.SCALING_TIGHT_MAX_CALLS;

    static final String HEADLINE_CLASS = "HeadlineBenchmark";
    static final String SCALING_CLASS = "ScalingBenchmark";

    /** Implementation names that denote a peer (checked first: "caffeineAsyncCache" is a peer). */
    private static final Pattern PEER = Pattern.compile(
            "(?i).*(caffeine|resilience4j|r4j|failsafe|jox|reactor|flux|asyncutil|ibm|jdk|juc|guava|arrayblocking"
                    + "|linkedblocking|synchronousqueue|completablefuture|allof|javastream|stream|raw|baseline|peer).*"
                    + "|(?i)(cf|java|semaphore|virtual.*|platform.*|executor.*)");
    /** Implementation names that denote the toolkit (anything else is a peer). */
    private static final Pattern OURS = Pattern.compile(
            "(?i).*(ours|toolkit|asyncpatterns|async-patterns|futures|parallel|pipeline|asyncqueue|asyncsemaphore|asynclock"
                    + "|asyncevent|asynclatch|asyncbarrier|asynccache|asynccaches|memoize|singleflight|taskscope|workerpool"
                    + "|supervisor|ratelimiter|retryqueue|decorat|scope).*|(?i)ap[A-Z_].*");
    /** Baselines (the bare operation): shown in tables, never counted as the peer to beat. */
    private static final Pattern BASELINE = Pattern.compile("(?i)(raw|baseline|none|noop|plain|direct)");

    private final List<JmhResult> results;
    private final List<String> sources;
    private final Instant generatedAt;
    private final String note;
    private final Map<String, String> charts = new LinkedHashMap<>();

    private ReportGenerator(List<JmhResult> results, List<String> sources, Instant generatedAt, String note) {
        this.results = List.copyOf(results);
        this.sources = List.copyOf(sources);
        this.generatedAt = generatedAt;
        this.note = note;
    }

    /**
     * Reads the result files and writes {@code REPORT.md} and the charts.
     *
     * @param args the output directory, then zero or more JMH JSON files
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        List<String> positional = new ArrayList<>();
        String note = "";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--note") && i + 1 < args.length) {
                note = args[++i];
            } else {
                positional.add(args[i]);
            }
        }
        if (positional.isEmpty()) {
            System.err.println("usage: ReportGenerator <output-dir> [--note text] [results.json ...]");
            System.exit(2);
        }
        Path outDir = Path.of(positional.get(0));
        List<Path> files = new ArrayList<>();
        for (String file : positional.subList(1, positional.size())) {
            files.add(Path.of(file));
        }
        if (files.isEmpty()) {
            try (Stream<Path> listing = Files.list(outDir)) {
                listing.filter(p -> p.getFileName().toString().endsWith(".json"))
                        .sorted()
                        .forEach(files::add);
            }
        }
        List<Path> written = write(files, outDir, Instant.now(), note);
        written.forEach(p -> System.out.println("wrote " + p));
    }

    /**
     * Generates the report from result files.
     *
     * @param files JMH JSON files
     * @param outDir where to write {@code REPORT.md} and the SVG files
     * @param generatedAt the time stamp printed in the report
     * @param note a line about the machine and run (cores, load), or empty
     * @return the files written
     * @throws IOException if a file cannot be read or written
     */
    public static List<Path> write(List<Path> files, Path outDir, Instant generatedAt, String note) throws IOException {
        List<JmhResult> all = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            all.addAll(JmhResult.parseAll(Files.readString(file, StandardCharsets.UTF_8)));
            names.add(file.getFileName().toString());
        }
        ReportGenerator generator = new ReportGenerator(all, names, generatedAt, note);
        String markdown = generator.markdown();
        Files.createDirectories(outDir);
        List<Path> written = new ArrayList<>();
        Path report = outDir.resolve("REPORT.md");
        Files.writeString(report, markdown, StandardCharsets.UTF_8);
        written.add(report);
        for (Map.Entry<String, String> chart : generator.charts.entrySet()) {
            Path path = outDir.resolve(chart.getKey());
            Files.writeString(path, chart.getValue(), StandardCharsets.UTF_8);
            written.add(path);
        }
        return written;
    }

    /**
     * Renders the report in memory (for tests).
     *
     * @param results the JMH rows
     * @param sources the source file names to cite
     * @param generatedAt the time stamp printed in the report
     * @param note a line about the machine and run, or empty
     * @return the Markdown text and the charts by file name
     */
    static Rendered render(List<JmhResult> results, List<String> sources, Instant generatedAt, String note) {
        ReportGenerator generator = new ReportGenerator(results, sources, generatedAt, note);
        String markdown = generator.markdown();
        return new Rendered(markdown, Map.copyOf(generator.charts));
    }

    /**
     * One block of generated Markdown for a README (see {@link ReadmeBlocks}): a line naming the
     * source files and their run shape, then the block's table and legend.
     *
     * @param kind {@code headline} (the headline matrix), {@code scaling} (the scaling table),
     *     {@code bars} (every bar with ours / peer or ideal and its verdict) or {@code table} (the
     *     full table of every benchmark class in the files, every row)
     * @param results the JMH rows
     * @param sources the source file names to cite
     * @return the Markdown
     * @throws IllegalArgumentException for an unknown kind
     */
    static String block(String kind, List<JmhResult> results, List<String> sources) {
        ReportGenerator generator = new ReportGenerator(results, sources, Instant.EPOCH, "");
        String body = switch (kind) {
            case "headline" -> generator.headlineMatrix(generator.headlineCells());
            case "scaling" -> generator.scalingTable();
            case "bars" -> generator.barsTable();
            case "table" -> generator.classTables();
            default ->
                throw new IllegalArgumentException(
                        "unknown block kind '" + kind + "' (headline, scaling, bars or table)");
        };
        return "Generated from `" + String.join("`, `", sources) + "` (" + generator.runShapes() + ").\n\n" + body;
    }

    /**
     * A rendered report.
     *
     * @param markdown the {@code REPORT.md} text
     * @param charts SVG documents by file name
     */
    record Rendered(String markdown, Map<String, String> charts) {}

    // ---------------------------------------------------------------- document

    private String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# async-patterns benchmark report\n\n");
        md.append(metadata());
        md.append("""
                How to read it: every number comes from the run(s) listed above, on a small shared machine, \
                so compare **ratios** (speedup, efficiency, ours/peer: each is taken within one run), \
                not absolute times across runs or machines. `±` is JMH's 99.9% confidence half-width: two scores whose \
                intervals overlap are not different. Efficiency = ideal time / measured time (1.00 is \
                perfect). Verdicts (✓ ≈ ✗) are drawn only from rows of at least 3 forks × 5 measured \
                iterations (the verdict profile); rows of quicker profiles show their figures with \
                "not enough data".

                """);
        List<OverheadRow> overhead = new ArrayList<>();
        md.append(headline(overhead));
        md.append(scaling(overhead));
        String areas = areas(overhead);
        md.append("## Bars\n\n")
                .append("Every bar of DESIGN.md and issue #20 that these files measure, one line per case, ")
                .append("none left out.\n\n")
                .append(barsTable());
        md.append(overheadSection(overhead));
        md.append(areas);
        return md.toString();
    }

    private String metadata() {
        if (results.isEmpty()) {
            return "No results found in " + String.join(", ", sources) + ".\n\n";
        }
        JmhResult first = results.get(0);
        return "Generated " + generatedAt.truncatedTo(ChronoUnit.SECONDS) + " from `" + String.join("`, `", sources)
                + "`: " + results.size() + " results, JMH " + first.jmhVersion() + ", " + first.vmName() + " "
                + first.jdkVersion() + ", " + runShapes() + "."
                + (note.isBlank() ? "" : " Machine: " + note.strip() + ".") + "\n\n";
    }

    /** The distinct run shapes, e.g. "3 fork(s) × 2 warm-up + 5 measured iterations". */
    private String runShapes() {
        Set<String> shapes = new TreeSet<>();
        for (JmhResult r : results) {
            shapes.add(r.forks() + " fork(s) × " + r.warmupIterations() + " warm-up + " + r.measurementIterations()
                    + " measured iterations");
        }
        return shapes.isEmpty() ? "no results" : String.join("; ", shapes);
    }

    // ---------------------------------------------------------------- headline

    /** How a measured cell stands against its bar, given JMH's confidence interval. */
    enum Verdict {
        /** The score meets the bar. */
        MET("✓"),
        /** The score misses the bar, but the bar lies inside the score's 99.9% interval: not distinguishable in this run. */
        WITHIN_NOISE("≈"),
        /** The score misses the bar by more than its error. */
        MISSED("✗"),
        /** A row compared has fewer than 3 forks × 5 measured iterations: no verdict. */
        NOT_ENOUGH_DATA("not enough data");

        private final String mark;

        Verdict(String mark) {
            this.mark = mark;
        }

        /** @return the mark shown in the report */
        String mark() {
            return mark;
        }

        /**
         * Judges "ratio at most {@code bar}" (strictly below when {@code strict}), where
         * {@code bestRatio} is the ratio at the favourable ends of the scores' error intervals.
         */
        static Verdict ratioAtMost(double bar, boolean strict, double ratio, double bestRatio) {
            if (Double.isNaN(ratio)) {
                return null;
            }
            if (strict ? ratio < bar : ratio <= bar) {
                return MET;
            }
            return (strict ? bestRatio < bar : bestRatio <= bar) ? WITHIN_NOISE : MISSED;
        }
    }

    /**
     * One headline cell. {@code verdict} comes from the ideal bar in {@link Bars} (null for the
     * sequential variant); the speedup over the measured sequential time is shown for reading only.
     */
    private record Cell(
            Scenario scenario,
            Variant variant,
            JmhResult row,
            double ms,
            double idealMs,
            double sequentialMs,
            Verdict verdict) {
        Metric metric() {
            return row.primary();
        }

        double efficiency() {
            return idealMs / ms;
        }

        double speedup() {
            return sequentialMs / ms;
        }
    }

    /** The verdict of the first bar of {@code kind} judging {@code r}, or null when none applies. */
    private Verdict verdictOf(JmhResult r, Bars.Kind kind) {
        return Bars.judge(r, results).stream()
                .filter(j -> j.bar().kind() == kind)
                .map(Bars.Judgement::verdict)
                .findFirst()
                .orElse(null);
    }

    private Map<Scenario, Map<Variant, Cell>> headlineCells() {
        Map<Scenario, Map<Variant, Cell>> cells = new LinkedHashMap<>();
        for (Scenario scenario : Scenario.values()) {
            Map<Variant, Cell> row = new LinkedHashMap<>();
            Optional<JmhResult> sequential =
                    find(HEADLINE_CLASS, Variant.SEQUENTIAL.method(), "scenario", scenario.name());
            // without a sequential row (the verdict profile skips it) the speedup is over its ideal, N x latency
            double sequentialMs = sequential
                    .map(r -> millis(r.primary()))
                    .orElse(Variant.SEQUENTIAL.idealMs(
                            scenario.calls(), scenario.latency().toNanos() / 1e6, scenario.limit()));
            for (Variant variant : Variant.values()) {
                find(HEADLINE_CLASS, variant.method(), "scenario", scenario.name())
                        .ifPresent(r -> {
                            double ms = millis(r.primary());
                            double ideal = variant.idealMs(
                                    scenario.calls(), scenario.latency().toNanos() / 1e6, scenario.limit());
                            row.put(
                                    variant,
                                    new Cell(
                                            scenario,
                                            variant,
                                            r,
                                            ms,
                                            ideal,
                                            sequentialMs,
                                            verdictOf(r, Bars.Kind.IDEAL)));
                        });
            }
            if (!row.isEmpty()) {
                cells.put(scenario, row);
            }
        }
        return cells;
    }

    private String headline(List<OverheadRow> overhead) {
        Map<Scenario, Map<Variant, Cell>> cells = headlineCells();
        if (cells.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Headline: sync vs async on simulated I/O\n\n");
        md.append("""
                Each scenario is a batch of independent calls: over a local JDK `HttpServer` (API calls, page \
                scrapes) or on the timer-based latency model (DB queries, file reads). Cells: wall time of \
                one batch and speedup over sequential blocking calls in the same run. Ideal speedup is N \
                all at once, N / ceil(N / limit) when bounded. The HTTP scenarios warm the client and \
                server up with about 50,000 zero-latency exchanges before JMH measures (steady state, as \
                in a long-running service); what is left over the latency is the JDK HTTP stack's own \
                work, which every variant pays alike — compare a toolkit cell with the JDK cell next to it.

                """);
        md.append(headlineMatrix(cells));
        md.append("![speedup per scenario](headline-speedup.svg)\n\n");
        md.append("![efficiency per scenario](headline-efficiency.svg)\n\n");
        // details
        md.append("<details><summary>Details: score, error, ideal, efficiency, allocation</summary>\n\n");
        md.append(
                "| scenario | variant | ms/op | ± error | ideal ms | efficiency | speedup | ideal speedup | B/op | bar |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|:---:|\n");
        for (Map.Entry<Scenario, Map<Variant, Cell>> row : cells.entrySet()) {
            Scenario s = row.getKey();
            double idealSequential =
                    Variant.SEQUENTIAL.idealMs(s.calls(), s.latency().toNanos() / 1e6, s.limit());
            for (Cell c : row.getValue().values()) {
                md.append("| ")
                        .append(s.title())
                        .append(" | ")
                        .append(c.variant().label())
                        .append(" | ")
                        .append(num(c.ms()))
                        .append(" | ")
                        .append(num(millisError(c.metric())))
                        .append(" | ")
                        .append(num(c.idealMs()))
                        .append(" | ")
                        .append(fixed(c.efficiency()))
                        .append(" | ")
                        .append(num(c.speedup()))
                        .append("× | ")
                        .append(num(idealSequential / c.idealMs()))
                        .append("× | ")
                        .append(bytes(c.row().bytesPerOp()))
                        .append(" | ")
                        .append(c.verdict() == null ? "—" : c.verdict().mark())
                        .append(" |\n");
            }
        }
        md.append("\n</details>\n\n");
        return md.append(headlineCharts(cells, overhead)).toString();
    }

    /** The summary matrix and its bar line (also a README block). */
    private String headlineMatrix(Map<Scenario, Map<Variant, Cell>> cells) {
        Set<Variant> present = new TreeSet<>();
        cells.values().forEach(row -> present.addAll(row.keySet()));
        StringBuilder md = new StringBuilder();
        md.append("| scenario |");
        present.forEach(v -> md.append(' ').append(v.label()).append(" |"));
        md.append("\n|---|");
        present.forEach(v -> md.append("---:|"));
        md.append('\n');
        for (Map.Entry<Scenario, Map<Variant, Cell>> row : cells.entrySet()) {
            Scenario s = row.getKey();
            md.append("| ")
                    .append(s.title())
                    .append(" (")
                    .append(s.latency().toMillis())
                    .append(" ms, limit ")
                    .append(s.limit())
                    .append(") |");
            for (Variant v : present) {
                Cell cell = row.getValue().get(v);
                if (cell == null) {
                    md.append(" — |");
                } else if (v == Variant.SEQUENTIAL) {
                    md.append(' ').append(num(cell.ms())).append(" ms |");
                } else {
                    md.append(' ')
                            .append(num(cell.ms()))
                            .append(" ms (")
                            .append(num(cell.speedup()))
                            .append("×)")
                            .append(mark(cell.verdict()))
                            .append(" |");
                }
            }
            md.append('\n');
        }
        md.append("\nThe bar: time ≤ latency / ")
                .append(CONCURRENT_BAR)
                .append(" (speedup over N × latency ≥ ")
                .append(CONCURRENT_BAR)
                .append(" × N) when fully concurrent; time ≤ ")
                .append(BOUNDED_BAR)
                .append(" × ceil(N / limit) × latency when bounded. The speedup in brackets is over the "
                        + "measured sequential time when that variant ran, otherwise over N × latency (its ideal); "
                        + "for reading only. ")
                .append(VERDICT_LEGEND)
                .append("\n\n");
        return md.toString();
    }

    private String headlineCharts(Map<Scenario, Map<Variant, Cell>> cells, List<OverheadRow> overhead) {
        StringBuilder md = new StringBuilder();
        // chart + overhead rows
        List<Svg.Group> groups = new ArrayList<>();
        List<Svg.Group> efficiencyGroups = new ArrayList<>();
        for (Map.Entry<Scenario, Map<Variant, Cell>> row : cells.entrySet()) {
            Map<String, Double> values = new LinkedHashMap<>();
            Map<String, Double> efficiencies = new LinkedHashMap<>();
            for (Cell c : row.getValue().values()) {
                values.put(c.variant().label(), c.speedup()); // sequential = 1x keeps colours aligned across charts
                efficiencies.put(c.variant().label(), c.efficiency());
                c.variant()
                        .peer()
                        .map(row.getValue()::get)
                        .ifPresent(peer -> overhead.add(new OverheadRow(
                                "headline",
                                row.getKey().title(),
                                c.variant().label(),
                                peer.variant().label(),
                                c.ms(),
                                peer.ms(),
                                false)));
            }
            Scenario s = row.getKey();
            groups.add(new Svg.Group(
                    String.format(
                            Locale.ROOT,
                            "%s (ideal %s× / %s×)",
                            s.title(),
                            compact(s.calls()),
                            compact(s.calls() / Math.ceil(s.calls() / (double) s.limit()))),
                    values));
            efficiencyGroups.add(new Svg.Group(s.title(), efficiencies));
        }
        charts.put(
                "headline-speedup.svg",
                Svg.barChart(
                        "Speedup over sequential blocking calls (higher is better)",
                        "speedup (×)",
                        groups,
                        Double.NaN,
                        "%.1f×"));
        charts.put(
                "headline-efficiency.svg",
                Svg.barChart(
                        "Efficiency = ideal time / measured time (1.0 is perfect)",
                        "efficiency",
                        efficiencyGroups,
                        1.0,
                        "%.2f"));
        return md.toString();
    }

    // ---------------------------------------------------------------- scaling

    private List<JmhResult> scalingRows() {
        return results.stream().filter(r -> r.className().equals(SCALING_CLASS)).toList();
    }

    /** The latency-model-only row at N, when the run has one (its bytes are subtracted per call). */
    private Optional<JmhResult> scalingBaseline(int n) {
        return scalingRows().stream()
                .filter(r -> Bars.SCALING_BASELINE.matcher(r.method()).matches())
                .filter(r -> Integer.toString(n).equals(r.param("calls")))
                .findFirst();
    }

    /** One scaling row with its N. */
    private record ScalingPoint(String method, int n, JmhResult row) {}

    /** The scaling rows, by variant order, then N. */
    private List<ScalingPoint> scalingPoints() {
        Set<Integer> ns = new TreeSet<>();
        Set<String> methods = new LinkedHashSet<>();
        for (JmhResult r : scalingRows()) {
            ns.add(Integer.parseInt(r.param("calls")));
            methods.add(r.method());
        }
        List<ScalingPoint> points = new ArrayList<>();
        for (String method : orderByVariant(methods)) {
            for (int n : ns) {
                find(SCALING_CLASS, method, "calls", Integer.toString(n))
                        .ifPresent(r -> points.add(new ScalingPoint(method, n, r)));
            }
        }
        return points;
    }

    private static double bytesPerCall(JmhResult r, int n) {
        return r.bytesPerOp() / n;
    }

    /** The scaling table and its bar line (also a README block). */
    private String scalingTable() {
        double latency = ScalingBenchmark.LATENCY_MS;
        boolean baseline = scalingRows().stream()
                .anyMatch(r -> Bars.SCALING_BASELINE.matcher(r.method()).matches());
        StringBuilder md = new StringBuilder();
        md.append("| N | variant | ms/op | ± error | efficiency | speedup | bytes/call |");
        if (baseline) {
            md.append(" bytes/call net of the latency model |");
        }
        md.append(" bar |\n|---:|---|---:|---:|---:|---:|---:|");
        if (baseline) {
            md.append("---:|");
        }
        md.append(":---:|\n");
        for (ScalingPoint point : scalingPoints()) {
            String method = point.method();
            int n = point.n();
            JmhResult r = point.row();
            boolean isBaseline = Bars.SCALING_BASELINE.matcher(method).matches();
            double ms = millis(r.primary());
            double perCall = bytesPerCall(r, n);
            Verdict bar = verdictOf(r, Bars.Kind.IDEAL);
            md.append("| ")
                    .append(String.format(Locale.ROOT, "%,d", n))
                    .append(" | ")
                    .append(isBaseline ? label(method) + " (latency model alone: baseline)" : label(method))
                    .append(" | ")
                    .append(num(ms))
                    .append(" | ")
                    .append(num(millisError(r.primary())))
                    .append(" | ")
                    .append(fixed(latency / ms))
                    .append(" | ")
                    .append(num(n * latency / ms))
                    .append("× | ")
                    .append(bytes(perCall))
                    .append(" |");
            if (baseline) {
                double net = isBaseline
                        ? Double.NaN
                        : scalingBaseline(n)
                                .map(b -> perCall - bytesPerCall(b, n))
                                .orElse(Double.NaN);
                md.append(' ').append(bytes(net)).append(" |");
            }
            md.append(' ').append(bar == null ? "—" : bar.mark()).append(" |\n");
        }
        md.append("\nThe bar: time ≤ latency / ")
                .append(CONCURRENT_BAR)
                .append(" (speedup ≥ ")
                .append(CONCURRENT_BAR)
                .append(" × N) for N ≤ ")
                .append(String.format(Locale.ROOT, "%,d", SCALING_BAR_MAX_CALLS))
                .append("; time ≤ ")
                .append(Bars.TEN_THOUSAND_FACTOR)
                .append(" × latency for N = 10,000. ");
        if (baseline) {
            md.append(
                    "Net bytes per call subtract the latency-model-only baseline row's bytes per call at the same N. ");
        }
        md.append(VERDICT_LEGEND).append("\n\n");
        return md.toString();
    }

    private String scaling(List<OverheadRow> overhead) {
        List<JmhResult> rows = scalingRows();
        if (rows.isEmpty()) {
            return "";
        }
        double latency = ScalingBenchmark.LATENCY_MS;
        Set<Integer> ns = new TreeSet<>();
        Set<String> methods = new LinkedHashSet<>();
        for (JmhResult r : rows) {
            ns.add(Integer.parseInt(r.param("calls")));
            methods.add(r.method());
        }
        List<String> ordered = orderByVariant(methods);
        StringBuilder md = new StringBuilder("## Scaling: N concurrent calls of " + (int) latency + " ms\n\n");
        md.append("""
                All N calls in flight at once on the latency model; the ideal is one latency whatever N is. \
                Speedup is measured against N × latency (the ideal sequential time); memory is JMH's \
                `gc.alloc.rate.norm` per batch divided by N (bytes allocated per call). A row that runs the \
                latency model alone (a method named like `latencyModelOnly` or `baseline`) is a baseline: it \
                gets no bar, and its bytes per call are subtracted from the other rows' at the same N.

                """);
        md.append(scalingTable());
        List<Svg.Series> speedups = new ArrayList<>();
        List<Svg.Series> memory = new ArrayList<>();
        Map<Double, Double> ideal = new TreeMap<>();
        for (int n : ns) {
            ideal.put((double) n, (double) n);
        }
        Map<String, Map<Integer, Double>> msBy = new LinkedHashMap<>();
        Map<String, Map<Double, Double>> speedupBy = new LinkedHashMap<>();
        Map<String, Map<Double, Double>> bytesBy = new LinkedHashMap<>();
        for (ScalingPoint point : scalingPoints()) {
            double ms = millis(point.row().primary());
            msBy.computeIfAbsent(point.method(), k -> new TreeMap<>()).put(point.n(), ms);
            speedupBy
                    .computeIfAbsent(point.method(), k -> new TreeMap<>())
                    .put((double) point.n(), point.n() * latency / ms);
            bytesBy.computeIfAbsent(point.method(), k -> new TreeMap<>())
                    .put((double) point.n(), bytesPerCall(point.row(), point.n()));
        }
        speedupBy.forEach((method, points) -> speedups.add(new Svg.Series(label(method), points, false)));
        bytesBy.forEach((method, points) -> memory.add(new Svg.Series(label(method), points, false)));
        speedups.add(new Svg.Series("ideal (= N)", ideal, true));
        md.append("![speedup vs N](speedup-vs-n.svg)\n\n");
        charts.put(
                "speedup-vs-n.svg",
                Svg.logLogChart(
                        "Speedup vs N concurrent calls of " + (int) latency + " ms",
                        "N (concurrent calls)",
                        "speedup (×)",
                        speedups));
        if (memory.stream().anyMatch(s -> s.points().values().stream().anyMatch(v -> v > 0))) {
            md.append("![memory per call](memory-per-call.svg)\n\n");
            charts.put(
                    "memory-per-call.svg",
                    Svg.logLogChart("Bytes allocated per call vs N", "N (concurrent calls)", "bytes / call", memory));
        }
        for (String method : ordered) {
            Variant.byMethod(method).flatMap(Variant::peer).ifPresent(peer -> {
                Map<Integer, Double> ours = msBy.getOrDefault(method, Map.of());
                Map<Integer, Double> theirs = msBy.getOrDefault(peer.method(), Map.of());
                for (int n : ns) {
                    if (ours.containsKey(n) && theirs.containsKey(n)) {
                        overhead.add(new OverheadRow(
                                "scaling",
                                String.format(Locale.ROOT, "N = %,d", n),
                                label(method),
                                peer.label(),
                                ours.get(n),
                                theirs.get(n),
                                false));
                    }
                }
            });
        }
        return md.toString();
    }

    private static List<String> orderByVariant(Set<String> methods) {
        List<String> ordered = new ArrayList<>();
        for (Variant v : Variant.values()) {
            if (methods.contains(v.method())) {
                ordered.add(v.method());
            }
        }
        methods.stream().filter(m -> !ordered.contains(m)).sorted().forEach(ordered::add);
        return ordered;
    }

    private static String label(String method) {
        return Variant.byMethod(method).map(Variant::label).orElse(method);
    }

    // ---------------------------------------------------------------- overhead vs peers

    /**
     * One toolkit-vs-peer comparison.
     *
     * @param section where it comes from
     * @param group the scenario / parameter set
     * @param ours the toolkit row's label
     * @param peer the peer row's label
     * @param oursScore the toolkit score
     * @param peerScore the peer score
     * @param higherIsBetter whether scores are throughputs
     */
    private record OverheadRow(
            String section,
            String group,
            String ours,
            String peer,
            double oursScore,
            double peerScore,
            boolean higherIsBetter) {
        /** How many times slower than the peer (1.0 = parity, below 1 = faster). */
        double ratio() {
            return higherIsBetter ? peerScore / oursScore : oursScore / peerScore;
        }
    }

    private String overheadSection(List<OverheadRow> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Toolkit overhead vs peers\n\n");
        md.append("""
                Each toolkit variant against the JDK or library peer doing the same job in the same run: \
                ratio = our time / peer time (for throughputs, peer / ours), so 1.00 is parity and below 1 \
                is faster.

                """);
        md.append("| where | case | ours | peer | ours | peer | ratio |\n|---|---|---|---|---:|---:|---:|\n");
        List<Svg.Group> groups = new ArrayList<>();
        for (OverheadRow r : rows) {
            md.append("| ")
                    .append(r.section())
                    .append(" | ")
                    .append(r.group())
                    .append(" | ")
                    .append(r.ours())
                    .append(" | ")
                    .append(r.peer())
                    .append(" | ")
                    .append(num(r.oursScore()))
                    .append(" | ")
                    .append(num(r.peerScore()))
                    .append(" | ")
                    .append(fixed(r.ratio()))
                    .append(" |\n");
            groups.add(new Svg.Group(
                    shorten(r.group() + ": " + r.ours() + " / " + r.peer(), 60), Map.of("ours / peer", r.ratio())));
        }
        md.append("\n![overhead vs peers](overhead-vs-peers.svg)\n\n");
        charts.put(
                "overhead-vs-peers.svg",
                Svg.barChart("Toolkit time / peer time (1.0 = parity, lower is better)", "ratio", groups, 1.0, "%.2f"));
        return md.toString();
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    // ---------------------------------------------------------------- area benchmarks

    /** Every class's full table (a README block). */
    private String classTables() {
        StringBuilder md = new StringBuilder();
        byClass().forEach((key, rows) -> md.append(areaTable(key, rows, new ArrayList<>())));
        return md.toString();
    }

    private Map<String, List<JmhResult>> byClass() {
        Map<String, List<JmhResult>> byClass = new TreeMap<>();
        for (JmhResult r : results) {
            if (!r.className().equals(HEADLINE_CLASS) && !r.className().equals(SCALING_CLASS)) {
                byClass.computeIfAbsent(area(r) + "/" + r.className(), k -> new ArrayList<>())
                        .add(r);
            }
        }
        return byClass;
    }

    private String areas(List<OverheadRow> overhead) {
        Map<String, List<JmhResult>> byClass = byClass();
        if (byClass.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Components side by side with their peers\n\n");
        md.append("""
                One table per benchmark class, every row measured. Rows with the same method and parameters \
                (apart from the implementation) form a group; "vs best" is how many times slower a row is \
                than the best of its group (1.00 = the best); "ours / best peer" is a toolkit row's time over \
                the fastest peer of its group (for throughputs, the peer's over ours); "bar" is every bar \
                that judges the row, with its ratio and verdict. B/op is `gc.alloc.rate.norm` from \
                `-prof gc` (a dash: the run had no GC profiler); p50 / p99 come from SampleTime rows.

                """);
        for (Map.Entry<String, List<JmhResult>> entry : byClass.entrySet()) {
            md.append(areaTable(entry.getKey(), entry.getValue(), overhead));
        }
        return md.toString();
    }

    private static String area(JmhResult r) {
        String owner = r.benchmark().substring(0, r.benchmark().lastIndexOf('.'));
        String pkg = owner.contains(".") ? owner.substring(0, owner.lastIndexOf('.')) : "";
        String area = pkg.substring(pkg.lastIndexOf('.') + 1);
        return area.equals("benchmarks") ? "baseline" : area;
    }

    private String areaTable(String key, List<JmhResult> rows, List<OverheadRow> overhead) {
        String implParam = rows.stream()
                .map(Bars::implParam)
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(null);
        // group key: method (unless methods are the implementations) + every other param
        Map<String, List<JmhResult>> groups = new LinkedHashMap<>();
        List<JmhResult> sorted = new ArrayList<>(rows);
        sorted.sort(
                Comparator.comparing((JmhResult r) -> groupKey(r, implParam)).thenComparing(r -> impl(r, implParam)));
        for (JmhResult r : sorted) {
            groups.computeIfAbsent(groupKey(r, implParam), k -> new ArrayList<>())
                    .add(r);
        }
        Set<String> otherParams = new TreeSet<>();
        rows.forEach(r -> otherParams.addAll(r.params().keySet()));
        if (implParam != null) {
            otherParams.remove(implParam);
        }
        boolean sampled = rows.stream().anyMatch(ReportGenerator::sampled);
        StringBuilder md = new StringBuilder("### " + key + "\n\n");
        md.append("| ").append(implParam == null ? "method" : "method | " + implParam);
        otherParams.forEach(p -> md.append(" | ").append(p));
        md.append(" | mode | score | ± error | unit |");
        if (sampled) {
            md.append(" p50 / p99 |");
        }
        md.append(" B/op | vs best | ours / best peer | bar |\n|---|");
        if (implParam != null) {
            md.append("---|");
        }
        otherParams.forEach(p -> md.append("---|"));
        md.append("---|---:|---:|---|");
        if (sampled) {
            md.append("---:|");
        }
        md.append("---:|---:|---:|---|\n");
        for (Map.Entry<String, List<JmhResult>> group : groups.entrySet()) {
            List<JmhResult> members = group.getValue();
            // every member is compared with members of its own mode only (sample and avgt do not mix)
            List<JmhResult> peers = members.stream()
                    .filter(r -> !isOurs(impl(r, implParam))
                            && !BASELINE.matcher(impl(r, implParam)).matches())
                    .toList();
            for (JmhResult r : members) {
                JmhResult best = members.stream()
                        .filter(m -> m.mode().equals(r.mode()))
                        .min(Comparator.comparingDouble(ReportGenerator::badness))
                        .orElseThrow();
                Optional<JmhResult> bestPeer = peers.stream()
                        .filter(m -> m.mode().equals(r.mode()))
                        .min(Comparator.comparingDouble(ReportGenerator::badness));
                boolean ours = isOurs(impl(r, implParam));
                md.append("| ").append(r.method());
                if (implParam != null) {
                    md.append(" | ").append(r.param(implParam));
                }
                otherParams.forEach(p ->
                        md.append(" | ").append(Optional.ofNullable(r.param(p)).orElse("—")));
                md.append(" | ")
                        .append(r.mode())
                        .append(" | ")
                        .append(num(r.primary().score()))
                        .append(" | ")
                        .append(num(r.primary().error()))
                        .append(" | ")
                        .append(r.primary().unit())
                        .append(" |");
                if (sampled) {
                    md.append(' ')
                            .append(sampled(r) ? percentiles(r.primary()) : "—")
                            .append(" |");
                }
                md.append(' ')
                        .append(bytes(r.bytesPerOp()))
                        .append(" | ")
                        .append(fixed(timeRatio(r, best)))
                        .append(" | ")
                        .append(
                                ours && bestPeer.isPresent()
                                        ? fixed(timeRatio(r, bestPeer.get())) + " (" + impl(bestPeer.get(), implParam)
                                                + ")"
                                        : "—")
                        .append(" | ")
                        .append(barCell(r))
                        .append(" |\n");
                if (ours && bestPeer.isPresent()) {
                    String where = key.substring(key.indexOf('/') + 1).replace("Benchmark", "");
                    String params = r.params().entrySet().stream()
                            .filter(e -> !e.getKey().equals(implParam))
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining(", "));
                    String group2 = implParam == null ? params : r.method() + (params.isEmpty() ? "" : " " + params);
                    overhead.add(new OverheadRow(
                            where,
                            group2.isEmpty() ? "—" : group2,
                            impl(r, implParam),
                            impl(bestPeer.get(), implParam),
                            r.primary().score(),
                            bestPeer.get().primary().score(),
                            r.higherIsBetter()));
                }
            }
        }
        md.append('\n');
        return md.toString();
    }

    /** How many times slower {@code r} is than {@code other} (1.0 = the same; throughputs inverted). */
    private static double timeRatio(JmhResult r, JmhResult other) {
        return r.higherIsBetter()
                ? other.primary().score() / r.primary().score()
                : r.primary().score() / other.primary().score();
    }

    /**
     * Whether a row's percentiles are of single operations (SampleTime). JMH writes percentiles for
     * every mode, but for the others they are of iteration scores, not of operations.
     */
    private static boolean sampled(JmhResult r) {
        return r.mode().equals("sample") && !r.primary().percentiles().isEmpty();
    }

    private static String percentiles(Metric metric) {
        double p50 = metric.percentile(50);
        double p99 = metric.percentile(99);
        return Double.isNaN(p50) ? "—" : num(p50) + " / " + num(p99);
    }

    /** The bars that judge a row, each with its ratio and verdict; a dash when none applies. */
    private String barCell(JmhResult r) {
        List<Bars.Judgement> judgements = Bars.judge(r, results);
        if (judgements.isEmpty()) {
            return "—";
        }
        return judgements.stream().map(ReportGenerator::judgementText).collect(Collectors.joining("; "));
    }

    private static String judgementText(Bars.Judgement j) {
        if (Bars.missingBytes(j)) {
            return j.bar().text() + ": no B/op (run without -prof gc)";
        }
        if (j.verdict() == null) {
            return j.bar().text() + ": no peer row";
        }
        return j.bar().text() + ": " + fixed(j.ratio()) + " " + j.verdict().mark();
    }

    // ---------------------------------------------------------------- bars

    /** Every bar with ours / peer (or ideal) and the verdict (also a README block). */
    private String barsTable() {
        List<Bars.Judgement> judgements = Bars.judge(results);
        StringBuilder md = new StringBuilder();
        if (!judgements.isEmpty()) {
            md.append("| bar | case | ours | score | B/op | peer / ideal | score | B/op | ratio | verdict |\n");
            md.append("|---|---|---|---:|---:|---|---:|---:|---:|---|\n");
            for (Bars.Judgement j : judgements) {
                JmhResult o = j.ours();
                boolean ideal = j.bar().kind() == Bars.Kind.IDEAL;
                Bars.Limit limit = j.bar().limit();
                md.append("| ")
                        .append(j.bar().question())
                        .append(" | ")
                        .append(o.className().replace("Benchmark", ""))
                        .append(Bars.caseOf(o).isEmpty() ? "" : " " + Bars.caseOf(o))
                        .append(" | ")
                        .append(Bars.impl(o))
                        .append(" | ")
                        .append(
                                limit != null && !Double.isNaN(limit.percentile())
                                        ? "p" + compact(limit.percentile()) + " " + num(limit.figure(o)) + " "
                                                + o.primary().unit()
                                        : withUnit(o.primary()))
                        .append(" | ")
                        .append(bytes(o.bytesPerOp()))
                        .append(" | ")
                        .append(limit != null ? "bar" : ideal ? "ideal" : j.peer() == null ? "—" : Bars.impl(j.peer()))
                        .append(" | ")
                        .append(
                                limit != null
                                        ? (limit.value() >= 1000 ? num(limit.value()) : compact(limit.value())) + " "
                                                + limit.unit()
                                        : ideal
                                                ? num(j.reference()) + " ms"
                                                : j.peer() == null
                                                        ? "—"
                                                        : withUnit(j.peer().primary()))
                        .append(" | ")
                        .append(j.peer() == null ? "—" : bytes(j.peer().bytesPerOp()))
                        .append(" | ")
                        .append(fixed(j.ratio()))
                        .append(" | ")
                        .append(
                                Bars.missingBytes(j)
                                        ? "no B/op in this run (no -prof gc)"
                                        : j.verdict() == null
                                                ? "no peer row in this run"
                                                : j.verdict().mark())
                        .append(" |\n");
            }
            md.append("\nRatio: our time / the peer's (for throughputs, the peer's / ours) or our time / the ideal; ")
                    .append("for a bar marked B/op, our bytes allocated per operation / the peer's; ")
                    .append("for a fixed limit, our figure / the limit (the limit / ours for an at-least bar; ")
                    .append("a percentile has no error, so it is ✓ or ✗); ")
                    .append("the bar holds when the ratio is at most the factor in the bar's name. ")
                    .append(VERDICT_LEGEND)
                    .append("\n\n");
        }
        List<Bars.Bar> missing = Bars.unmeasured(judgements);
        if (!missing.isEmpty()) {
            md.append("Not measured in ")
                    .append(String.join(", ", sources))
                    .append(": ")
                    .append(missing.stream().map(Bars.Bar::question).collect(Collectors.joining("; ")))
                    .append(".\n\n");
        }
        return md.toString();
    }

    private static String withUnit(Metric m) {
        return num(m.score()) + (Double.isNaN(m.error()) ? "" : " ± " + num(m.error())) + " " + m.unit();
    }

    /**
     * Whether an implementation name (a parameter value or method name) denotes the toolkit.
     *
     * @param name the name
     * @return true for ours, false for a peer
     */
    static boolean isOurs(String name) {
        return !PEER.matcher(name).matches() && OURS.matcher(name).matches();
    }

    private static double badness(JmhResult r) {
        return r.higherIsBetter() ? -r.primary().score() : r.primary().score();
    }

    private static String groupKey(JmhResult r, String implParam) {
        String params = r.params().entrySet().stream()
                .filter(e -> !e.getKey().equals(implParam))
                .map(e -> e.getKey() + "=" + padNumber(e.getValue()))
                .collect(Collectors.joining(","));
        return implParam == null ? params : r.method() + "|" + params;
    }

    private static String impl(JmhResult r, String implParam) {
        return implParam == null ? r.method() : r.param(implParam);
    }

    /** Sorts numeric parameter values numerically. */
    private static String padNumber(String value) {
        return value.matches("\\d{1,18}") ? String.format(Locale.ROOT, "%018d", Long.parseLong(value)) : value;
    }

    // ---------------------------------------------------------------- helpers

    private Optional<JmhResult> find(String className, String method, String param, String value) {
        return results.stream()
                .filter(r ->
                        r.className().equals(className) && r.method().equals(method) && value.equals(r.param(param)))
                .findFirst();
    }

    /** The primary score in milliseconds per operation (time modes only). */
    static double millis(Metric metric) {
        return metric.score() * toMillisFactor(metric.unit());
    }

    static double millisError(Metric metric) {
        return metric.error() * toMillisFactor(metric.unit());
    }

    private static double toMillisFactor(String unit) {
        return switch (unit) {
            case "ns/op" -> 1e-6;
            case "us/op" -> 1e-3;
            case "ms/op" -> 1;
            case "s/op" -> 1e3;
            default -> throw new IllegalArgumentException("not a time-per-operation unit: " + unit);
        };
    }

    /** Three significant digits, no exponent for everyday magnitudes. */
    static String num(double value) {
        if (Double.isNaN(value)) {
            return "—";
        }
        double abs = Math.abs(value);
        if (abs >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (abs >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (abs >= 0.1 || abs == 0) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3g", value);
    }

    /** An integer without decimals, anything else with two. */
    private static String compact(double value) {
        return value == Math.rint(value)
                ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.2f", value);
    }

    /** Bytes as a whole number with thousands separators, or a dash when not measured. */
    static String bytes(double value) {
        return Double.isNaN(value) ? "—" : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String fixed(double value) {
        return Double.isNaN(value) ? "—" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String mark(Verdict verdict) {
        return verdict == null ? "" : " " + verdict.mark();
    }
}
