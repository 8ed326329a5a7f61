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
     */
    public record Metric(double score, double error, String unit) {}

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
        return new Metric(number(map.get("score")), number(map.get("scoreError")), string(map, "scoreUnit"));
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
