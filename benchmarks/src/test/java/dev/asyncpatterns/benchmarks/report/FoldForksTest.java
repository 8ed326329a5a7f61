package dev.asyncpatterns.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FoldForksTest {

    /** One real row JMH 1.37 wrote for 3 forks x 5 iterations (the queue verdict, turn 7). */
    private static Map<String, Object> jmhThreeForks() throws IOException {
        return firstRow("/jmh-three-forks.json");
    }

    /** One real SampleTime row JMH 1.37 wrote for 3 forks x 5 iterations (the cache verdict, turn 8). */
    private static Map<String, Object> jmhThreeForksSample() throws IOException {
        return firstRow("/jmh-three-forks-sample.json");
    }

    private static Map<String, Object> firstRow(String resource) throws IOException {
        try (InputStream in = FoldForksTest.class.getResourceAsStream(resource)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return map(((List<?>) Json.parse(text)).get(0));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    /** The row as fork {@code k} alone would have written it (its statistics left stale on purpose). */
    private static Map<String, Object> fork(Map<String, Object> row, int k) {
        Map<String, Object> one = new LinkedHashMap<>(row);
        one.put("forks", 1.0);
        one.put("primaryMetric", forkMetric(map(row.get("primaryMetric")), k));
        Map<String, Object> secondary = new LinkedHashMap<>();
        map(row.get("secondaryMetrics")).forEach((name, metric) -> secondary.put(name, forkMetric(map(metric), k)));
        one.put("secondaryMetrics", secondary);
        return one;
    }

    private static Map<String, Object> forkMetric(Map<String, Object> metric, int k) {
        Map<String, Object> one = new LinkedHashMap<>(metric);
        String raw = metric.containsKey("rawDataHistogram") ? "rawDataHistogram" : "rawData";
        one.put(raw, List.of(((List<?>) metric.get(raw)).get(k)));
        one.put("score", -1.0);
        one.put("scoreError", -1.0);
        return one;
    }

    private static void assertSameStatistics(Map<String, Object> actual, Map<String, Object> expected) {
        assertSameStatistics(actual, expected, 1e-12);
    }

    private static void assertSameStatistics(
            Map<String, Object> actual, Map<String, Object> expected, double relativeTolerance) {
        double score = (Double) expected.get("score");
        double tolerance = Math.abs(score) * relativeTolerance;
        assertThat((Double) actual.get("score")).isCloseTo(score, within(tolerance));
        assertThat((Double) actual.get("scoreError")).isCloseTo((Double) expected.get("scoreError"), within(tolerance));
        List<?> ci = (List<?>) actual.get("scoreConfidence");
        List<?> expectedCi = (List<?>) expected.get("scoreConfidence");
        assertThat((Double) ci.get(0)).isCloseTo((Double) expectedCi.get(0), within(tolerance));
        assertThat((Double) ci.get(1)).isCloseTo((Double) expectedCi.get(1), within(tolerance));
        Map<String, Object> percentiles = map(actual.get("scorePercentiles"));
        Map<String, Object> expectedPercentiles = map(expected.get("scorePercentiles"));
        assertThat(percentiles.keySet()).containsExactlyElementsOf(expectedPercentiles.keySet());
        expectedPercentiles.forEach((rank, value) -> assertThat((Double) percentiles.get(rank))
                .as("percentile %s", rank)
                .isCloseTo((Double) value, within(tolerance)));
        String raw = expected.containsKey("rawDataHistogram") ? "rawDataHistogram" : "rawData";
        assertThat(actual.get(raw)).isEqualTo(expected.get(raw));
    }

    @Test
    void fold_threeSingleForkRows_areTheRowJmhWroteForThreeForks() throws IOException {
        Map<String, Object> jmh = jmhThreeForks();
        List<Map<String, Object>> rows = List.of(fork(jmh, 0), fork(jmh, 1), fork(jmh, 2));

        List<Map<String, Object>> folded = FoldForks.fold(rows);

        assertThat(folded).hasSize(1);
        Map<String, Object> row = folded.get(0);
        assertThat(row.get("forks")).isEqualTo(3.0);
        assertSameStatistics(map(row.get("primaryMetric")), map(jmh.get("primaryMetric")));
        Map<String, Object> norm = map(map(row.get("secondaryMetrics")).get("gc.alloc.rate.norm"));
        assertSameStatistics(norm, map(map(jmh.get("secondaryMetrics")).get("gc.alloc.rate.norm")));
        assertThat(row.get("params")).isEqualTo(jmh.get("params"));
    }

    @Test
    void mergeFolded_writesJsonTheReportReads() throws IOException {
        Map<String, Object> jmh = jmhThreeForks();
        List<String> texts = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            texts.add(Json.write(List.of(fork(jmh, k))));
        }

        List<JmhResult> results = JmhResult.parseAll(MergeResults.mergeFolded(texts));

        assertThat(results).hasSize(1);
        JmhResult result = results.get(0);
        assertThat(result.hasAtLeast(3, 5)).isTrue();
        assertThat(result.primary().score())
                .isCloseTo((Double) map(jmh.get("primaryMetric")).get("score"), within(1e-3));
    }

    @Test
    void fold_differentParameters_keptApartInFirstSeenOrder() throws IOException {
        Map<String, Object> a = fork(jmhThreeForks(), 0);
        Map<String, Object> b = new LinkedHashMap<>(a);
        Map<String, Object> params = new LinkedHashMap<>(map(a.get("params")));
        params.put("capacity", "1024");
        b.put("params", params);

        List<Map<String, Object>> folded = FoldForks.fold(List.of(b, a, b));

        assertThat(folded).hasSize(2);
        assertThat(map(folded.get(0).get("params")).get("capacity")).isEqualTo("1024");
        assertThat(folded.get(0).get("forks")).isEqualTo(2.0);
        assertThat(folded.get(1)).isSameAs(a); // alone in its group: untouched
    }

    @Test
    void fold_twoIterations_errorIsNaNAsInJmh() throws IOException {
        Map<String, Object> a = fork(jmhThreeForks(), 0);
        Map<String, Object> metric = new LinkedHashMap<>(map(a.get("primaryMetric")));
        metric.put("rawData", List.of(List.of(2.0)));
        a.put("primaryMetric", metric);
        a.remove("secondaryMetrics");
        Map<String, Object> b = new LinkedHashMap<>(a);
        Map<String, Object> metricB = new LinkedHashMap<>(metric);
        metricB.put("rawData", List.of(List.of(4.0)));
        b.put("primaryMetric", metricB);

        Map<String, Object> folded = map(FoldForks.fold(List.of(a, b)).get(0).get("primaryMetric"));

        assertThat(folded.get("score")).isEqualTo(3.0);
        assertThat(folded.get("scoreError")).isEqualTo("NaN");
        assertThat(folded.get("rawData")).isEqualTo(List.of(List.of(2.0), List.of(4.0)));
    }

    @Test
    void fold_differentSettings_rejectedNamingTheField() throws IOException {
        Map<String, Object> a = fork(jmhThreeForks(), 0);
        Map<String, Object> b = fork(jmhThreeForks(), 1);
        b.put("measurementTime", "1 s");

        assertThatThrownBy(() -> FoldForks.fold(List.of(a, b)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'measurementTime' differs (500 ms vs 1 s)");
    }

    @Test
    void fold_threeSingleForkSampleTimeRows_areTheRowJmhWroteForThreeForks() throws IOException {
        Map<String, Object> jmh = jmhThreeForksSample();
        List<Map<String, Object>> rows = List.of(fork(jmh, 0), fork(jmh, 1), fork(jmh, 2));

        Map<String, Object> row = FoldForks.fold(rows).get(0);

        assertThat(row.get("forks")).isEqualTo(3.0);
        // JMH sums the samples in its own order: the mean may differ in the last bits
        assertSameStatistics(map(row.get("primaryMetric")), map(jmh.get("primaryMetric")), 1e-9);
        Map<String, Object> norm = map(map(row.get("secondaryMetrics")).get("gc.alloc.rate.norm"));
        assertSameStatistics(norm, map(map(jmh.get("secondaryMetrics")).get("gc.alloc.rate.norm")));
    }

    @Test
    void fold_metricWithoutRawData_rejected() throws IOException {
        Map<String, Object> a = fork(jmhThreeForks(), 0);
        Map<String, Object> metric = new LinkedHashMap<>(map(a.get("primaryMetric")));
        metric.remove("rawData");
        a.put("primaryMetric", metric);

        assertThatThrownBy(() -> FoldForks.fold(List.of(a, new LinkedHashMap<>(a))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without rawData");
    }
}
