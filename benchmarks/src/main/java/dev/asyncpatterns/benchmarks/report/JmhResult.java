package dev.asyncpatterns.benchmarks.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One row of a JMH JSON result file: a benchmark method with one combination of parameters.
 *
 * @param benchmark the fully qualified benchmark name ({@code package.Class.method})
 * @param mode the JMH mode ({@code avgt}, {@code thrpt}, {@code sample}, {@code ss})
 * @param params the {@code @Param} values, sorted by name
 * @param primary the primary metric
 * @param secondary the secondary metrics by name (for example {@code gc.alloc.rate.norm})
 * @param forks the number of forks
 * @param warmupIterations warm-up iterations per fork
 * @param measurementIterations measured iterations per fork
 * @param jdkVersion the JDK version the benchmark ran on
 * @param vmName the JVM name
 * @param jmhVersion the JMH version
 */
public record JmhResult(
        String benchmark,
        String mode,
        Map<String, String> params,
        Metric primary,
        Map<String, Metric> secondary,
        int forks,
        int warmupIterations,
        int measurementIterations,
        String jdkVersion,
        String vmName,
        String jmhVersion) {

    /**
     * A score with its error.
     *
     * @param score the mean
     * @param error the half-width of the 99.9% confidence interval ({@code NaN} if unknown)
     * @param unit the unit, e.g. {@code ms/op}
     * @param percentiles SampleTime percentiles by JMH's key ({@code "50.0"}, {@code "99.0"}, ...), in
     *     the score's unit; empty for other modes
     */
    public record Metric(double score, double error, String unit, Map<String, Double> percentiles) {

        /** Copies the percentiles so the record is immutable. */
        public Metric {
            percentiles = Map.copyOf(percentiles);
        }

        /**
         * A metric without percentiles.
         *
         * @param score the mean
         * @param error the half-width of the 99.9% confidence interval ({@code NaN} if unknown)
         * @param unit the unit
         */
        public Metric(double score, double error, String unit) {
            this(score, error, unit, Map.of());
        }

        /**
         * One percentile.
         *
         * @param percentile for example {@code 50} or {@code 99}
         * @return the value, or {@code NaN} when the mode recorded none
         */
        public double percentile(double percentile) {
            Double value = percentiles.get(String.format(java.util.Locale.ROOT, "%.1f", percentile));
            return value == null ? Double.NaN : value;
        }
    }

    /** Copies the maps so the record is immutable. */
    public JmhResult {
        params = Collections.unmodifiableMap(new TreeMap<>(params));
        secondary = Collections.unmodifiableMap(new TreeMap<>(secondary));
    }

    /** @return the simple class name, e.g. {@code HeadlineBenchmark} */
    public String className() {
        String owner = benchmark.substring(0, Math.max(0, benchmark.lastIndexOf('.')));
        return owner.substring(owner.lastIndexOf('.') + 1);
    }

    /** @return the method name, e.g. {@code sequential} */
    public String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /**
     * A parameter's value.
     *
     * @param name the parameter name
     * @return the value, or {@code null} if the benchmark has no such parameter
     */
    public String param(String name) {
        return params.get(name);
    }

    /**
     * Whether this row has enough samples for a verdict: at least {@code minForks} forks of at least
     * {@code minIterations} measured iterations each.
     *
     * @param minForks the forks needed
     * @param minIterations the measured iterations per fork needed
     * @return whether a verdict may be drawn from this row
     */
    public boolean hasAtLeast(int minForks, int minIterations) {
        return forks >= minForks && measurementIterations >= minIterations;
    }

    /**
     * Bytes allocated per benchmark operation ({@code gc.alloc.rate.norm} from {@code -prof gc}).
     *
     * @return the bytes, or {@code NaN} when the run had no GC profiler
     */
    public double bytesPerOp() {
        Metric norm = secondary.get("gc.alloc.rate.norm");
        return norm == null ? Double.NaN : norm.score();
    }

    /** @return whether a higher score is better (throughput modes) */
    public boolean higherIsBetter() {
        return mode.equals("thrpt");
    }

    /**
     * Reads every row of a JMH JSON result file ({@code -rf json}).
     *
     * @param json the file's text
     * @return the rows, in file order
     * @throws IllegalArgumentException if the text is not a JMH result array
     */
    public static List<JmhResult> parseAll(String json) {
        if (!(Json.parse(json) instanceof List<?> rows)) {
            throw new IllegalArgumentException("a JMH result file is a JSON array");
        }
        List<JmhResult> results = new ArrayList<>(rows.size());
        for (Object row : rows) {
            results.add(of(asMap(row, "result row")));
        }
        return results;
    }

    private static JmhResult of(Map<String, Object> row) {
        Map<String, String> params = new TreeMap<>();
        if (row.get("params") instanceof Map<?, ?> map) {
            map.forEach((key, value) -> params.put(String.valueOf(key), String.valueOf(value)));
        }
        Map<String, Metric> secondary = new TreeMap<>();
        if (row.get("secondaryMetrics") instanceof Map<?, ?> map) {
            map.forEach((key, value) -> secondary.put(String.valueOf(key), metric(asMap(value, "metric " + key))));
        }
        return new JmhResult(
                string(row, "benchmark"),
                string(row, "mode"),
                params,
                metric(asMap(row.get("primaryMetric"), "primaryMetric")),
                secondary,
                (int) number(row.get("forks")),
                (int) number(row.get("warmupIterations")),
                (int) number(row.get("measurementIterations")),
                String.valueOf(row.getOrDefault("jdkVersion", "?")),
                String.valueOf(row.getOrDefault("vmName", "?")),
                String.valueOf(row.getOrDefault("jmhVersion", "?")));
    }

    private static Metric metric(Map<String, Object> map) {
        Map<String, Double> percentiles = new TreeMap<>();
        if (map.get("scorePercentiles") instanceof Map<?, ?> p) {
            p.forEach((key, value) -> percentiles.put(String.valueOf(key), number(value)));
        }
        return new Metric(
                number(map.get("score")), number(map.get("scoreError")), string(map, "scoreUnit"), percentiles);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value, String what) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException(what + " is not a JSON object: " + value);
    }

    private static String string(Map<String, Object> map, String key) {
        if (map.get(key) instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("missing string field '" + key + "' in " + map.keySet());
    }

    /** JMH writes NaN and infinities as strings. */
    private static double number(Object value) {
        return switch (value) {
            case Double d -> d;
            case String s ->
                switch (s) {
                    case "NaN" -> Double.NaN;
                    case "Infinity", "+Infinity" -> Double.POSITIVE_INFINITY;
                    case "-Infinity" -> Double.NEGATIVE_INFINITY;
                    default -> Double.parseDouble(s);
                };
            case null -> Double.NaN;
            default -> throw new IllegalArgumentException("not a number: " + value);
        };
    }
}
