package dev.asyncpatterns.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.benchmarks.sync.ParallelMapBenchmark;
import dev.asyncpatterns.benchmarks.sync.ParallelMapBenchmark.Workload;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** Runs the generator on a small JMH JSON fixture (src/test/resources/jmh-sample.json). */
class ReportGeneratorTest {

    private static final Instant NOW = Instant.parse("2026-11-23T04:00:00Z");

    private static String fixture() throws IOException {
        try (InputStream in = ReportGeneratorTest.class.getResourceAsStream("/jmh-sample.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static ReportGenerator.Rendered render() throws IOException {
        return ReportGenerator.render(
                JmhResult.parseAll(fixture()), List.of("jmh-sample.json"), NOW, "2 cores, load 1.0");
    }

    // ---------------------------------------------------------------- parsing JMH rows

    @Test
    void parseAll_fixture_readsEveryRowWithParamsAndMetrics() throws IOException {
        List<JmhResult> rows = JmhResult.parseAll(fixture());

        assertThat(rows).hasSize(17);
        JmhResult first = rows.get(0);
        assertThat(first.className()).isEqualTo("HeadlineBenchmark");
        assertThat(first.method()).isEqualTo("sequential");
        assertThat(first.param("scenario")).isEqualTo("FILE_READS");
        assertThat(first.primary().score()).isEqualTo(2040.0);
        assertThat(first.primary().unit()).isEqualTo("ms/op");
        assertThat(rows.get(7).primary().error()).isNaN(); // JMH writes "NaN" as a string
        assertThat(rows.get(9).secondary().get("gc.alloc.rate.norm").score()).isEqualTo(4000.0);
        JmhResult real = rows.get(16); // copied from a real JMH 1.37 run with -prof gc
        assertThat(real.benchmark())
                .isEqualTo("dev.asyncpatterns.benchmarks.CompletableFutureBaselineBenchmark.allOfCompleted");
        assertThat(real.jmhVersion()).isEqualTo("1.37");
        assertThat(real.secondary()).containsKeys("gc.alloc.rate", "gc.alloc.rate.norm", "gc.count", "gc.time");
        assertThat(rows.get(13).higherIsBetter()).isTrue();
    }

    @Test
    void parseAll_notAnArray_rejected() {
        assertThatThrownBy(() -> JmhResult.parseAll("{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("array");
        assertThatThrownBy(() -> JmhResult.parseAll("[{\"mode\":\"avgt\"}]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("benchmark");
    }

    // ---------------------------------------------------------------- headline

    @Test
    void render_headline_summaryCellsHaveTimeSpeedupAndBar() throws IOException {
        String md = render().markdown();

        assertThat(md).contains("## Headline: sync vs async on simulated I/O");
        // 2040 ms sequential / 20.5 ms = 99.5x >= 0.95 x 100
        assertThat(md)
                .contains("| 100 file reads (20 ms, limit 10) | 2,040 ms | 20.5 ms (99.5×) ✓ | 20.6 ms (99.0×) ✓ |");
        // bounded: 204 <= 1.05 x 200 passes, 230 does not
        assertThat(md).contains("204 ms (10.0×) ✓").contains("205 ms (9.95×) ✓").contains("230 ms (8.87×) ✗");
        // a scenario with only two variants still renders, missing cells as a dash
        assertThat(md).contains("| 5 DB queries (20 ms, limit 2) | 101 ms | 20.4 ms (4.95×) ✓ | — |");
    }

    @Test
    void render_headlineDetails_idealAndEfficiency() throws IOException {
        String md = render().markdown();

        assertThat(md).contains("| 100 file reads | Parallel.map | 230 | 5.00 | 200 | 0.87 | 8.87× | 10.0× | — | ✗ |");
        assertThat(md)
                .contains(
                        "| 100 file reads | sequential (blocking) | 2,040 | 12.0 | 2,000 | 0.98 | 1.00× | 1.00× | — | — |");
        assertThat(md).contains("| 5 DB queries | sequential (blocking) | 101 | — |");
    }

    @Test
    void verdict_ratioAtMost_metWithinNoiseOrMissed() {
        // bar 1.2: 1.15 meets it; 1.25 whose favourable end is 1.18 cannot be told apart; 1.25 / 1.22 misses
        assertThat(ReportGenerator.Verdict.ratioAtMost(1.2, false, 1.15, 1.10)).isEqualTo(ReportGenerator.Verdict.MET);
        assertThat(ReportGenerator.Verdict.ratioAtMost(1.2, false, 1.25, 1.18))
                .isEqualTo(ReportGenerator.Verdict.WITHIN_NOISE);
        assertThat(ReportGenerator.Verdict.ratioAtMost(1.2, false, 1.25, 1.22))
                .isEqualTo(ReportGenerator.Verdict.MISSED);
        // strict: equal is not below
        assertThat(ReportGenerator.Verdict.ratioAtMost(1.0, true, 1.0, 1.0)).isEqualTo(ReportGenerator.Verdict.MISSED);
        assertThat(ReportGenerator.Verdict.ratioAtMost(1.0, false, 1.0, 1.0)).isEqualTo(ReportGenerator.Verdict.MET);
        assertThat(ReportGenerator.Verdict.ratioAtMost(1.2, false, Double.NaN, Double.NaN))
                .isNull();
    }

    @Test
    void render_barLegend_explainsTheThreeMarks() throws IOException {
        String md = render().markdown();

        assertThat(md).contains("≈ misses it by less than the error");
    }

    // ---------------------------------------------------------------- scaling

    @Test
    void render_scaling_speedupEfficiencyAndBytesPerCall() throws IOException {
        String md = render().markdown();

        // 10 x 20 ms / 20.3 ms = 9.85x; 4000 B / 10 calls = 400 B per call
        assertThat(md).contains("| 10 | CompletableFuture.allOf | 20.3 | 0.10 | 0.99 | 9.85× | 400 | ✓ |");
        assertThat(md).contains("| 100 | Futures.all | 21.0 | 0.30 | 0.95 | 95.2× | 460 | ✓ |");
    }

    // ---------------------------------------------------------------- overhead and areas

    @Test
    void render_overhead_oursOverPeerInEverySection() throws IOException {
        String md = render().markdown();

        assertThat(md)
                .contains("| headline | 100 file reads | Futures.all | CompletableFuture.allOf | 20.6 | 20.5 | 1.00 |");
        assertThat(md)
                .contains(
                        "| headline | 100 file reads | Parallel.map | asyncutil FairAsyncSemaphore | 230 | 205 | 1.12 |");
        assertThat(md).contains("| scaling | N = 100 | Futures.all | CompletableFuture.allOf | 21.0 | 20.6 | 1.02 |");
        // throughput: the best peer (Jox, 3.0 ops/us) over ours (1.5 ops/us)
        assertThat(md).contains("| QueueHandoff | handoff capacity=16 | AsyncQueue | Jox | 1.50 | 3.00 | 2.00 |");
    }

    @Test
    void isOurs_implementationNames_toolkitVersusPeers() {
        assertThat(List.of(
                        "asyncQueue",
                        "asyncQueueFutures",
                        "ours",
                        "oursAllPolicies",
                        "parallelMap",
                        "taskScope",
                        "apCache",
                        "asyncSemaphore",
                        "asyncPatterns",
                        "memoized",
                        "futuresAll",
                        "scopeForkAsync",
                        "pipelineDirect",
                        "workerPool"))
                .allMatch(ReportGenerator::isOurs);
        assertThat(List.of(
                        "arrayBlockingQueue",
                        "jox",
                        "caffeineAsyncCache",
                        "resilience4j",
                        "failsafe",
                        "asyncutil",
                        "completableFutureAll",
                        "semaphore",
                        "virtualThreads",
                        "reactorFlux",
                        "javaStream",
                        "allOf",
                        "vtExecutor",
                        "caffeineGetIfPresent",
                        "concurrentHashMap",
                        "threadPoolExecutor",
                        "asyncutilFair",
                        "jdkNonFair",
                        "failsafeAllPolicies",
                        "stream",
                        "flux",
                        "raw"))
                .noneMatch(ReportGenerator::isOurs);
    }

    @Test
    void render_rawBaselineInGroup_oursComparedWithTheBestRealPeer() {
        List<JmhResult> rows =
                List.of(row("raw", 50), row("ours", 240), row("resilience4j", 200), row("failsafe", 900));

        String md = ReportGenerator.render(rows, List.of("r.json"), NOW, "").markdown();

        assertThat(md).contains("| ResilienceHappyPath | call | ours | resilience4j | 240 | 200 | 1.20 |");
        assertThat(md)
                .contains("| call | raw | avgt | 50.0 | 1.00 | ns/op | — | 1.00 | — | — |")
                .contains("| call | failsafe | avgt | 900 | 1.00 | ns/op | — | 18.00 | — | — |")
                .contains("| call | ours | avgt | 240 | 1.00 | ns/op | — | 4.80 | 1.20 (resilience4j) | "
                        + "≤ 1.2× resilience4j: 1.20 not enough data; < Failsafe: 0.27 not enough data |");
    }

    private static JmhResult row(String impl, double nanos) {
        return new JmhResult(
                "dev.asyncpatterns.benchmarks.resilience.ResilienceHappyPathBenchmark.call",
                "avgt",
                Map.of("impl", impl),
                new JmhResult.Metric(nanos, 1.0, "ns/op"),
                Map.of(),
                1,
                1,
                3,
                "25",
                "vm",
                "1.37");
    }

    @Test
    void render_areaTables_ratioToBestOfGroup() throws IOException {
        String md = render().markdown();

        assertThat(md).contains("### queues/QueueHandoffBenchmark");
        assertThat(md)
                .contains("| handoff | ArrayBlockingQueue | 16 | thrpt | 1.00 | 0.10 | ops/us | — | 3.00 | — | — |");
        assertThat(md).contains("| handoff | Jox | 16 | thrpt | 3.00 | 0.20 | ops/us | — | 1.00 | — | — |");
        assertThat(md)
                .contains("| handoff | AsyncQueue | 16 | thrpt | 1.50 | 0.10 | ops/us | — | 2.00 | 2.00 (Jox) | — |");
        assertThat(md).contains("### baseline/CompletableFutureBaselineBenchmark");
    }

    @Test
    void render_metadata_namesSourceJdkAndRunShape() throws IOException {
        String md = render().markdown();

        assertThat(md).contains("Generated 2026-11-23T04:00:00Z from `jmh-sample.json`: 17 results, JMH 1.37");
        assertThat(md)
                .contains("25.0.3")
                .contains("1 fork(s) × 1 warm-up + 3 measured iterations")
                .contains("Machine: 2 cores, load 1.0.");
    }

    @Test
    void render_noResults_saysSo() {
        var rendered = ReportGenerator.render(List.of(), List.of("empty.json"), NOW, "");

        assertThat(rendered.markdown()).contains("No results found in empty.json");
        assertThat(rendered.charts()).isEmpty();
    }

    // ---------------------------------------------------------------- report rules (issue #20)

    private static JmhResult result(
            String benchmark,
            String mode,
            Map<String, String> params,
            double score,
            double error,
            String unit,
            int forks,
            int iterations,
            double bytesPerOp) {
        return new JmhResult(
                "dev.asyncpatterns.benchmarks." + benchmark,
                mode,
                params,
                new JmhResult.Metric(score, error, unit),
                Double.isNaN(bytesPerOp)
                        ? Map.of()
                        : Map.of("gc.alloc.rate.norm", new JmhResult.Metric(bytesPerOp, 0.0, "B/op")),
                forks,
                2,
                iterations,
                "25",
                "vm",
                "1.37");
    }

    private static JmhResult resilience(String impl, double nanos, int forks, int iterations) {
        return result(
                "resilience.ResilienceHappyPathBenchmark.call",
                "avgt",
                Map.of("impl", impl),
                nanos,
                1.0,
                "ns/op",
                forks,
                iterations,
                Double.NaN);
    }

    private static String bars(List<JmhResult> rows) {
        return ReportGenerator.block("bars", rows, List.of("r.json"));
    }

    @Test
    void bars_fewerThanThreeForksOrFiveIterations_notEnoughData() {
        // 100 vs 200 ns would be a clear pass; the sample sizes decide whether it may be said
        assertThat(bars(List.of(resilience("ours", 100, 2, 5), resilience("resilience4j", 200, 3, 5))))
                .contains("| resilience happy path ≤ 1.2× resilience4j | ResilienceHappyPath call | ours | "
                        + "100 ± 1.00 ns/op | — | resilience4j | 200 ± 1.00 ns/op | — | 0.50 | not enough data |");
        assertThat(bars(List.of(resilience("ours", 100, 3, 5), resilience("resilience4j", 200, 3, 4))))
                .contains("| 0.50 | not enough data |");
        assertThat(bars(List.of(resilience("ours", 100, 3, 5), resilience("resilience4j", 200, 3, 5))))
                .contains("| 0.50 | ✓ |")
                .doesNotContain("not enough data |");
    }

    @Test
    void bars_peerRatio_metWithinNoiseMissedAgainstTheNamedPeer() {
        // 250 / 200 = 1.25 > 1.2, but (250 - 10) / (200 + 10) = 1.14: inside the error
        List<JmhResult> noisy = List.of(
                result(
                        "resilience.ResilienceHappyPathBenchmark.call",
                        "avgt",
                        Map.of("impl", "ours"),
                        250,
                        10,
                        "ns/op",
                        3,
                        5,
                        Double.NaN),
                result(
                        "resilience.ResilienceHappyPathBenchmark.call",
                        "avgt",
                        Map.of("impl", "resilience4j"),
                        200,
                        10,
                        "ns/op",
                        3,
                        5,
                        Double.NaN));
        assertThat(bars(noisy)).contains("| 1.25 | ≈ |");
        assertThat(bars(List.of(resilience("ours", 300, 3, 5), resilience("resilience4j", 200, 3, 5))))
                .contains("| 1.50 | ✗ |");
        // strict bar: equal to Failsafe is not "< Failsafe"
        assertThat(bars(List.of(resilience("ours", 200, 3, 5), resilience("failsafe", 200, 3, 5))))
                .contains("| resilience happy path < Failsafe | ResilienceHappyPath call | ours | 200 ± 1.00 ns/op | — "
                        + "| failsafe | 200 ± 1.00 ns/op | — | 1.00 | ≈ |");
        // the semaphore bar names asyncutil: a faster JDK semaphore in the same run does not change it
        List<JmhResult> semaphore = List.of(
                result(
                        "sync.SemaphoreBenchmark.uncontended",
                        "avgt",
                        Map.of("impl", "asyncPatterns"),
                        11,
                        0.1,
                        "ns/op",
                        3,
                        5,
                        0),
                result(
                        "sync.SemaphoreBenchmark.uncontended",
                        "avgt",
                        Map.of("impl", "asyncutilFair"),
                        10,
                        0.1,
                        "ns/op",
                        3,
                        5,
                        0),
                result(
                        "sync.SemaphoreBenchmark.uncontended",
                        "avgt",
                        Map.of("impl", "jdkFair"),
                        5,
                        0.1,
                        "ns/op",
                        3,
                        5,
                        0));
        assertThat(bars(semaphore)).contains("| asyncutilFair | 10.0 ± 0.10 ns/op | 0 | 1.10 | ✓ |");
    }

    @Test
    void bars_throughput_oursAtLeastEachPeer() {
        List<JmhResult> rows = List.of(
                queue("asyncQueue", 8.0),
                queue("arrayBlockingQueue", 6.0),
                queue("jox", 10.0),
                queue("asyncQueueFutures", 4.0));

        String md = bars(rows);

        assertThat(md)
                .contains(
                        "| AsyncQueue ≥ ArrayBlockingQueue (throughput) | QueueThroughput transfer capacity=16 "
                                + "| asyncQueue | 8.00 ± 0.10 ops/us | — | arrayBlockingQueue | 6.00 ± 0.10 ops/us | — | 0.75 | ✓ |")
                .contains("| AsyncQueue ≥ Jox (throughput) | QueueThroughput transfer capacity=16 | asyncQueue "
                        + "| 8.00 ± 0.10 ops/us | — | jox | 10.0 ± 0.10 ops/us | — | 1.25 | ✗ |")
                // future API: 8 / 4 = 2.0x the blocking API's time per item
                .contains(
                        "| asyncQueueFutures | 4.00 ± 0.10 ops/us | — | asyncQueue | 8.00 ± 0.10 ops/us | — | 2.00 | ✗ |");
    }

    private static JmhResult queue(String impl, double opsPerUs) {
        return result(
                "queues.QueueThroughputBenchmark.transfer",
                "thrpt",
                Map.of("impl", impl, "capacity", "16"),
                opsPerUs,
                0.1,
                "ops/us",
                3,
                5,
                Double.NaN);
    }

    @Test
    void headline_allAtOnce_judgedAgainstOneLatencyNotTheMeasuredSequentialTime() {
        // a slow sequential run (4,400 ms for 100 x 20 ms) makes 22 ms look like 200x; the ideal is 20 ms,
        // and 22 ± 0.5 ms is more than 20 / 0.95 = 21.05 ms
        List<JmhResult> rows = List.of(
                headline("sequential", "FILE_READS", 4_400, 10),
                headline("futuresAll", "FILE_READS", 22, 0.5),
                headline("parallelMap", "FILE_READS", 209, 1));

        String md = ReportGenerator.block("headline", rows, List.of("h.json"));

        assertThat(md).contains("| 4,400 ms | 22.0 ms (200×) ✗ | 209 ms (21.1×) ✓ |");
        // bounded: ceil(100 / 10) x 20 ms = 200 ms, bar 210 ms; without a sequential row the speedup is
        // over its ideal, 100 x 20 ms = 2,000 ms
        assertThat(ReportGenerator.block("headline", List.of(headline("parallelMap", "FILE_READS", 215, 1)), List.of()))
                .contains("215 ms (9.30×) ✗");
    }

    private static JmhResult headline(String method, String scenario, double ms, double error) {
        return result(
                "headline.HeadlineBenchmark." + method,
                "avgt",
                Map.of("scenario", scenario),
                ms,
                error,
                "ms/op",
                3,
                5,
                Double.NaN);
    }

    @Test
    void scaling_tenThousandCalls_barIsOnePointTwoLatencies_andBaselineBytesSubtracted() {
        List<JmhResult> rows = List.of(
                scaling("futuresAll", 10_000, 23.5, 9_000_000),
                scaling("completableFutureAll", 10_000, 26, 8_000_000),
                scaling("latencyModelOnly", 10_000, 20.5, 6_000_000),
                scaling("futuresAll", 1_000, 21.5, 900_000));

        String md = ReportGenerator.block("scaling", rows, List.of("s.json"));

        // 23.5 <= 1.2 x 20 = 24 ms; 26 ms is not; bytes per call 900 - 600 = 300 net of the latency model
        assertThat(md)
                .contains("| 10,000 | Futures.all | 23.5 | 0.10 | 0.85 | 8,511× | 900 | 300 | ✓ |")
                .contains("| 10,000 | CompletableFuture.allOf | 26.0 | 0.10 | 0.77 | 7,692× | 800 | 200 | ✗ |")
                .contains("| 10,000 | latencyModelOnly (latency model alone: baseline) | 20.5 | 0.10 | 0.98 | 9,756× "
                        + "| 600 | — | — |")
                // N = 1,000: 21.5 > 20 / 0.95 = 21.05 ms; no baseline row at that N, so no net figure
                .contains("| 1,000 | Futures.all | 21.5 | 0.10 | 0.93 | 930× | 900 | — | ✗ |")
                .contains("bytes/call net of the latency model")
                .contains("time ≤ 1.2 × latency for N = 10,000");
    }

    private static JmhResult scaling(String method, int calls, double ms, double bytesPerOp) {
        return result(
                "headline.ScalingBenchmark." + method,
                "avgt",
                Map.of("calls", Integer.toString(calls)),
                ms,
                0.1,
                "ms/op",
                3,
                5,
                bytesPerOp);
    }

    @Test
    void render_everyRowShown_unfavourableRowsAndCasesWithoutAPeerIncluded() {
        List<JmhResult> rows = List.of(
                gather("futuresAll", "10", 300, 400),
                gather("allOf", "10", 100, 160),
                gather("futuresAll", "1000", 9_000, 40_000)); // no allOf row at size 1,000

        String md = ReportGenerator.render(rows, List.of("g.json"), NOW, "").markdown();

        assertThat(md)
                .contains("| gather | futuresAll | 10 | avgt | 300 | 1.00 | ns/op | 400 | 3.00 | 3.00 (allOf) | "
                        + "≤ 1.5× allOf: 3.00 ✗ |")
                .contains("| gather | allOf | 10 | avgt | 100 | 1.00 | ns/op | 160 | 1.00 | — | — |")
                .contains("| gather | futuresAll | 1000 | avgt | 9,000 | 1.00 | ns/op | 40,000 | 1.00 | — | "
                        + "≤ 1.5× allOf: no peer row |")
                .contains(
                        "| Futures.all over completed futures ≤ 1.5× allOf | GatherCompleted gather size=10 | futuresAll "
                                + "| 300 ± 1.00 ns/op | 400 | allOf | 100 ± 1.00 ns/op | 160 | 3.00 | ✗ |")
                .contains(
                        "| GatherCompleted gather size=1000 | futuresAll | 9,000 ± 1.00 ns/op | 40,000 | — | — | — | — "
                                + "| no peer row in this run |")
                .contains("Not measured in g.json: ");
        assertThat(Bars.judge(rows)).hasSize(2);
    }

    private static JmhResult gather(String impl, String size, double nanos, double bytes) {
        return result(
                "futures.GatherCompletedBenchmark.gather",
                "avgt",
                Map.of("impl", impl, "size", size),
                nanos,
                1.0,
                "ns/op",
                3,
                5,
                bytes);
    }

    @Test
    void render_sampleTime_showsP50AndP99() {
        String json = """
                [{"benchmark": "dev.asyncpatterns.benchmarks.sync.SemaphoreBenchmark.contended", "mode": "sample",
                  "forks": 3, "warmupIterations": 2, "measurementIterations": 5, "params": {"impl": "asyncPatterns"},
                  "primaryMetric": {"score": 120.5, "scoreError": 4.0, "scoreUnit": "ns/op",
                    "scorePercentiles": {"0.0": 20.0, "50.0": 80.0, "90.0": 150.0, "99.0": 2100.0, "100.0": 90000.0}},
                  "secondaryMetrics": {}}]
                """;

        List<JmhResult> rows = JmhResult.parseAll(json);
        String md = ReportGenerator.render(rows, List.of("s.json"), NOW, "").markdown();

        assertThat(rows.get(0).primary().percentile(50)).isEqualTo(80.0);
        assertThat(rows.get(0).primary().percentile(99)).isEqualTo(2100.0);
        assertThat(md)
                .contains("| mode | score | ± error | unit | p50 / p99 | B/op |")
                .contains("| contended | asyncPatterns | sample | 121 | 4.00 | ns/op | 80.0 / 2,100 | — |");
    }

    @Test
    void bars_rowNamesOfTheScopeCacheAndScalingBenchmarks_meetTheirBars() {
        List<JmhResult> rows = List.of(
                timed("scope.TaskScopeForkBenchmark.trivial", "taskScope", 105),
                timed("scope.TaskScopeForkBenchmark.trivial", "jdkStructuredTaskScope", 100),
                timed("scope.TaskScopeForkBenchmark.trivial", "virtualThreadExecutor", 90),
                timed("scope.TaskScopeForkAsyncBenchmark.gather", "taskScope", 140),
                timed("scope.TaskScopeForkAsyncBenchmark.gather", "allOf", 100),
                timed("cache.CacheHitBenchmark.hit", "memoized", 30),
                timed("cache.CacheHitBenchmark.hit", "caffeineGetIfPresent", 20),
                timed("cache.CacheHitBenchmark.hit", "memoizedNoStats", 22),
                timed("cache.CacheHitBenchmark.hit", "caffeineAsMapGet", 20),
                timed("cache.CacheHitBenchmark.hit", "caffeineGet", 40),
                timed("cache.SingleFlightMissBenchmark.miss", "memoized", 1_100),
                timed("cache.SingleFlightMissBenchmark.miss", "caffeineGet", 1_000),
                timed("cache.SingleFlightMissBenchmark.miss", "caffeineLoadingGet", 900),
                timed("queues.WorkerPoolOverheadBenchmark.submitAndAwait", "workerPool", 110),
                timed("queues.WorkerPoolOverheadBenchmark.submitAndAwait", "threadPoolExecutor", 100));

        String md = bars(rows);

        assertThat(md)
                .contains("| TaskScope fork/join/close ≤ 1.1× StructuredTaskScope | TaskScopeFork trivial | taskScope "
                        + "| 105 ± 1.00 ns/op | — | jdkStructuredTaskScope | 100 ± 1.00 ns/op | — | 1.05 | ✓ |")
                .contains("| TaskScope.forkAsync over completed futures ≤ 1.5× allOf | TaskScopeForkAsync gather | "
                        + "taskScope | 140 ± 1.00 ns/op | — | allOf | 100 ± 1.00 ns/op | — | 1.40 | ✓ |")
                // each pair on its own bar: a counted hit against Caffeine's counted hit (getIfPresent),
                // an uncounted one against asMap().get; never memoizedNoStats against getIfPresent
                .contains(
                        "| memoized | 30.0 ± 1.00 ns/op | — | caffeineGetIfPresent | 20.0 ± 1.00 ns/op | — | 1.50 | ✗ |")
                .contains(
                        "| memoizedNoStats | 22.0 ± 1.00 ns/op | — | caffeineAsMapGet | 20.0 ± 1.00 ns/op | — | 1.10 | ✓ |")
                .doesNotContain("| memoizedNoStats | 22.0 ± 1.00 ns/op | — | caffeineGetIfPresent")
                .doesNotContain("| memoized | 30.0 ± 1.00 ns/op | — | caffeineAsMapGet")
                .contains("| memoized | 1,100 ± 1.00 ns/op | — | caffeineGet | 1,000 ± 1.00 ns/op | — | 1.10 | ✓ |")
                .contains(
                        "| workerPool | 110 ± 1.00 ns/op | — | threadPoolExecutor | 100 ± 1.00 ns/op | — | 1.10 | ✓ |")
                .doesNotContain("no peer row")
                // the memory bar needs -prof gc, which these rows lack
                .contains(
                        "| TaskScope fork/join/close memory ≤ 1.1× StructuredTaskScope (B/op) | TaskScopeFork trivial "
                                + "| taskScope | 105 ± 1.00 ns/op | — | jdkStructuredTaskScope | 100 ± 1.00 ns/op | — | — "
                                + "| no B/op in this run (no -prof gc) |");
        assertThat(Bars.judge(rows)).hasSize(7);
    }

    private static JmhResult timed(String benchmark, String impl, double nanos) {
        return result(benchmark, "avgt", Map.of("impl", impl), nanos, 1.0, "ns/op", 3, 5, Double.NaN);
    }

    @Test
    void bars_table_coversEveryBarOfTheIssueKeyedByClass() {
        assertThat(Bars.ALL)
                .extracting(Bars.Bar::question)
                .anyMatch(q -> q.contains("≤ 1.2× asyncutil"))
                .anyMatch(q -> q.contains("≥ ArrayBlockingQueue"))
                .anyMatch(q -> q.contains("≥ Jox"))
                .anyMatch(q -> q.contains("future API ≤ 1.5× its blocking API"))
                .anyMatch(q -> q.contains("≤ 1.1× StructuredTaskScope"))
                .anyMatch(q -> q.contains("forkAsync over completed futures ≤ 1.5× allOf"))
                .anyMatch(q -> q.contains("memoized hit ≤ 1.2× Caffeine"))
                .anyMatch(q -> q.contains("single-flight miss ≤ 1.2×"))
                .anyMatch(q -> q.contains("WorkerPool per job ≤ 1.2× ThreadPoolExecutor"))
                .anyMatch(q -> q.contains("≤ 1.2× resilience4j"))
                .anyMatch(q -> q.contains("< Failsafe"))
                .anyMatch(q -> q.contains("≤ Reactor"))
                .anyMatch(q -> q.contains("10,000 calls all at once ≤ 1.2 × latency"));
        // a bar whose rows are absent is named, not silently dropped
        assertThat(bars(List.of(resilience("ours", 100, 3, 5)))).contains("no peer row in this run");
    }

    @Test
    void idealWindowMs_unequalLatencies_eachCallStartsWhenTheEarliestSlotFrees() {
        // C = 2: call 0 holds a slot 0-5; calls 1, 2, 3 run 0-1, 1-2, 2-3 in the other; call 4 runs 3-7.
        // max(sum / C, max) would say 6 ms, which no in-order window can reach.
        assertThat(ParallelMapBenchmark.idealWindowMs(new long[] {5, 1, 1, 1, 4}, 2))
                .isEqualTo(7);
        assertThat(ParallelMapBenchmark.idealWindowMs(new long[] {20, 20, 20}, 5))
                .isEqualTo(20);
        assertThatThrownBy(() -> ParallelMapBenchmark.idealWindowMs(new long[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConcurrency");
    }

    @Test
    void idealMs_workloads_fixedIsCeilNOverCTimesLatencyAndUniformIsAtLeastTheSpreadTotal() {
        Workload uniform = Workload.UNIFORM_1_TO_50_MS;

        assertThat(Workload.FIXED_20_MS.idealMs()).isEqualTo(Math.ceil(100 / 10.0) * 20);
        assertThat(uniform.calls()).isEqualTo(1_000);
        assertThat(uniform.idealMs()).isGreaterThanOrEqualTo(uniform.calls() * 1.0 / uniform.maxConcurrency());
        assertThat(uniform.idealMs()).isLessThanOrEqualTo(uniform.calls() * 50.0 / uniform.maxConcurrency() + 50);
    }

    @Test
    void bars_parallelMapRows_judgedAgainstTheSlidingWindowIdealOfTheirWorkload() {
        double uniformIdeal = Workload.UNIFORM_1_TO_50_MS.idealMs();
        List<JmhResult> rows = List.of(
                parallelMap("UNIFORM_1_TO_50_MS", "parallelMap", uniformIdeal * 1.03),
                parallelMap("UNIFORM_1_TO_50_MS", "handWrittenWindow", uniformIdeal * 1.10),
                parallelMap("FIXED_20_MS", "parallelMap", 205),
                parallelMap("FIXED_20_MS", "handWrittenWindow", 215));

        List<Bars.Judgement> ideal = Bars.judge(rows).stream()
                .filter(j -> j.bar().kind() == Bars.Kind.IDEAL)
                .toList();

        assertThat(ideal)
                .extracting(j -> Bars.impl(j.ours()) + " " + j.ours().param("workload") + " " + j.verdict())
                .containsExactly(
                        "parallelMap UNIFORM_1_TO_50_MS MET",
                        "handWrittenWindow UNIFORM_1_TO_50_MS MISSED",
                        "parallelMap FIXED_20_MS MET",
                        "handWrittenWindow FIXED_20_MS MISSED");
        assertThat(ideal.get(0).reference()).isEqualTo(uniformIdeal);
        assertThat(ideal.get(2).reference()).isEqualTo(200);
        assertThat(bars(rows))
                .contains(
                        "| N calls of latency L, C in flight (Parallel.map, 100 × 20 ms, C = 10) ≤ 1.05 × ceil(N/C) × L "
                                + "| ParallelMap run workload=FIXED_20_MS | handWrittenWindow | 215 ± 1.00 ms/op | — | ideal "
                                + "| 200 ms | — | 1.08 | ✗ |");
    }

    @Test
    void bars_parallelMapRowOfTheOldMatrix_judgedAsTheUniformWorkload() {
        JmhResult old = result(
                "sync.ParallelMapBenchmark.run",
                "ss",
                Map.of("impl", "parallelMap", "maxConcurrency", "100"),
                293,
                0.7,
                "ms/op",
                3,
                5,
                Double.NaN);

        List<Bars.Judgement> judged = Bars.judge(List.of(old)).stream()
                .filter(j -> j.bar().kind() == Bars.Kind.IDEAL)
                .toList();

        assertThat(judged).hasSize(1);
        assertThat(judged.get(0).bar().question()).contains("1,000 calls of 1-50 ms");
        assertThat(judged.get(0).reference()).isEqualTo(Workload.UNIFORM_1_TO_50_MS.idealMs());
    }

    private static JmhResult parallelMap(String workload, String impl, double ms) {
        return result(
                "sync.ParallelMapBenchmark.run",
                "ss",
                Map.of("impl", impl, "workload", workload),
                ms,
                1.0,
                "ms/op",
                3,
                5,
                Double.NaN);
    }

    @Test
    void bars_taskScopeBytesPerOp_judgedAgainstStructuredTaskScopeLikeTime() {
        List<JmhResult> rows = List.of(
                scope("trivial", "taskScope", 100, 1_050),
                scope("trivial", "jdkStructuredTaskScope", 100, 1_000),
                scope("parked", "taskScope", 100, 1_300),
                scope("parked", "jdkStructuredTaskScope", 100, 1_000),
                scope("cancelBlocked", "taskScope", 100, Double.NaN),
                scope("cancelBlocked", "jdkStructuredTaskScope", 100, 1_000));

        List<Bars.Judgement> memory =
                Bars.judge(rows).stream().filter(j -> j.bar().bytes()).toList();

        assertThat(memory)
                .extracting(j -> j.ours().method() + " " + j.verdict())
                .containsExactly("trivial MET", "parked MISSED", "cancelBlocked null");
        assertThat(memory.get(1).ratio()).isEqualTo(1.3);
        assertThat(memory.get(1).reference()).isEqualTo(1_000);
        assertThat(bars(rows))
                .contains(
                        "| TaskScope fork/join/close memory ≤ 1.1× StructuredTaskScope (B/op) | TaskScopeFork trivial forks=1000 "
                                + "| taskScope | 100 ± 1.00 us/op | 1,050 | jdkStructuredTaskScope | 100 ± 1.00 us/op | 1,000 "
                                + "| 1.05 | ✓ |")
                .contains("| 1,300 | jdkStructuredTaskScope | 100 ± 1.00 us/op | 1,000 | 1.30 | ✗ |")
                .contains("| no B/op in this run (no -prof gc) |")
                // time is judged on its own: equal times meet the time bar whatever the bytes
                .contains(
                        "| TaskScope fork/join/close ≤ 1.1× StructuredTaskScope | TaskScopeFork parked forks=1000 | taskScope "
                                + "| 100 ± 1.00 us/op | 1,300 | jdkStructuredTaskScope | 100 ± 1.00 us/op | 1,000 | 1.00 | ✓ |");
    }

    @Test
    void bars_bytesWithinTheError_withinNoise() {
        JmhResult ours = withBytesError(scope("trivial", "taskScope", 100, 1_200), 200);
        JmhResult peer = withBytesError(scope("trivial", "jdkStructuredTaskScope", 100, 1_000), 10);

        List<Bars.Judgement> memory = Bars.judge(List.of(ours, peer)).stream()
                .filter(j -> j.bar().bytes())
                .toList();

        // 1.20 misses 1.1, but (1,200 - 200) / (1,000 + 10) = 0.99 meets it: the run cannot tell
        assertThat(memory).extracting(Bars.Judgement::verdict).containsExactly(ReportGenerator.Verdict.WITHIN_NOISE);
    }

    private static JmhResult scope(String method, String impl, double micros, double bytes) {
        return result(
                "scope.TaskScopeForkBenchmark." + method,
                "avgt",
                Map.of("impl", impl, "forks", "1000"),
                micros,
                1.0,
                "us/op",
                3,
                5,
                bytes);
    }

    private static JmhResult withBytesError(JmhResult r, double error) {
        return new JmhResult(
                r.benchmark(),
                r.mode(),
                r.params(),
                r.primary(),
                Map.of("gc.alloc.rate.norm", new JmhResult.Metric(r.bytesPerOp(), error, "B/op")),
                r.forks(),
                r.warmupIterations(),
                r.measurementIterations(),
                r.jdkVersion(),
                r.vmName(),
                r.jmhVersion());
    }

    @Test
    void bars_jobStoreOnPostgres_judgedAgainstItsFixedLimits() {
        List<JmhResult> rows = List.of(
                jobs("POSTGRES", "16", 6_000, 500),
                jobs("POSTGRES", "128", 4_000, 300),
                jobs("POSTGRES", "1", 4_800, 500),
                jobs("IN_MEMORY", "16", 900_000, 1_000),
                pickup("POSTGRES", 1.8, 5.6),
                pickup("IN_MEMORY", 0.002, 0.016));

        List<Bars.Judgement> limits = Bars.judge(rows).stream()
                .filter(j -> j.bar().kind() == Bars.Kind.LIMIT)
                .toList();

        // 5,000 / 4,000 = 1.25 even at 4,300; 5,000 / 4,800 = 1.04 but 5,000 / 5,300 < 1: the run cannot tell
        assertThat(limits)
                .extracting(j -> j.ours().param("store") + " " + j.ours().param("batch") + " " + j.verdict())
                .containsExactly(
                        "POSTGRES 16 MET", "POSTGRES 128 MISSED", "POSTGRES 1 WITHIN_NOISE", "POSTGRES null MET");
        assertThat(bars(rows))
                .contains(
                        "| job store on PostgreSQL ≥ 5,000 jobs/s end to end | JobThroughput batch=128 store=POSTGRES "
                                + "workers=2 | submitAndRunAll | 4,000 ± 300 ops/s | — | bar | 5,000 ops/s | — "
                                + "| 1.25 | ✗ |")
                .contains("| job pickup on PostgreSQL (NOTIFY), p99 ≤ 50 ms | JobPickupLatency store=POSTGRES "
                        + "| submitToHandlerStart | p99 5.60 ms/op | — | bar | 50 ms/op | — | 0.11 | ✓ |");
    }

    @Test
    void bars_pickupP99OverTheLimit_missedWhateverTheMean() {
        List<Bars.Judgement> limits = Bars.judge(List.of(pickup("POSTGRES", 12, 58.3))).stream()
                .filter(j -> j.bar().kind() == Bars.Kind.LIMIT)
                .toList();

        assertThat(limits).extracting(Bars.Judgement::verdict).containsExactly(ReportGenerator.Verdict.MISSED);
    }

    private static JmhResult jobs(String store, String batch, double perSecond, double error) {
        return result(
                "postgres.JobThroughputBenchmark.submitAndRunAll",
                "thrpt",
                Map.of("store", store, "batch", batch, "workers", "2"),
                perSecond,
                error,
                "ops/s",
                3,
                5,
                Double.NaN);
    }

    private static JmhResult pickup(String store, double meanMs, double p99Ms) {
        return new JmhResult(
                "dev.asyncpatterns.benchmarks.postgres.JobPickupLatencyBenchmark.submitToHandlerStart",
                "sample",
                Map.of("store", store),
                new JmhResult.Metric(meanMs, meanMs / 10, "ms/op", Map.of("50.0", meanMs, "99.0", p99Ms)),
                Map.of(),
                3,
                3,
                5,
                "25",
                "vm",
                "1.37");
    }

    // ---------------------------------------------------------------- charts and files

    @Test
    void render_charts_wellFormedSvgWithExpectedLabels() throws Exception {
        Map<String, String> charts = render().charts();

        assertThat(charts)
                .containsOnlyKeys(
                        "headline-speedup.svg",
                        "headline-efficiency.svg",
                        "speedup-vs-n.svg",
                        "memory-per-call.svg",
                        "overhead-vs-peers.svg");
        for (Map.Entry<String, String> chart : charts.entrySet()) {
            Document doc = parseXml(chart.getValue());
            assertThat(doc.getDocumentElement().getTagName()).as(chart.getKey()).isEqualTo("svg");
            assertThat(doc.getDocumentElement().getAttribute("xmlns")).isEqualTo("http://www.w3.org/2000/svg");
            assertThat(chart.getValue())
                    .as(chart.getKey())
                    .doesNotContain("NaN")
                    .doesNotContain("<script");
        }
        assertThat(charts.get("headline-speedup.svg"))
                .contains("100 file reads (ideal 100× / 10×)")
                .contains("Futures.all");
        assertThat(charts.get("headline-efficiency.svg"))
                .contains("100 file reads")
                .contains("sequential (blocking)");
        assertThat(charts.get("speedup-vs-n.svg")).contains("ideal (= N)").contains("<path");
        assertThat(charts.get("overhead-vs-peers.svg")).contains("Parallel.map / asyncutil FairAsyncSemaphore");
    }

    @Test
    void write_filesFromDisk_writesReportAndCharts(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("quick.json");
        Files.writeString(json, fixture());
        Path out = dir.resolve("out");

        List<Path> written = ReportGenerator.write(List.of(json), out, NOW, "");

        assertThat(written)
                .extracting(p -> p.getFileName().toString())
                .contains("REPORT.md", "speedup-vs-n.svg", "overhead-vs-peers.svg");
        assertThat(Files.readString(out.resolve("REPORT.md")))
                .contains("from `quick.json`")
                .contains("![speedup vs N](speedup-vs-n.svg)");
    }

    @Test
    void main_noFilesGiven_readsJsonInOutputDirectory(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.json"), fixture());

        ReportGenerator.main(new String[] {dir.toString(), "--note", "test box"});

        assertThat(Files.readString(dir.resolve("REPORT.md")))
                .contains("from `a.json`")
                .contains("Machine: test box.");
    }

    private static Document parseXml(String xml) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}
