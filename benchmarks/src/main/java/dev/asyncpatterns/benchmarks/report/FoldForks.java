package dev.asyncpatterns.benchmarks.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/*
 * Maintainer's note.
 *
 * Why: on a small shared machine a JMH invocation measures its parameter combinations one after
 * another, all forks of one before the next, so a slow spell of the machine (seconds to minutes)
 * lands on whichever implementation runs then, and the ratio between two rows of one run compares
 * a quiet minute with a busy one. benchmarks/run.sh verdict therefore runs an interleaved area as
 * R single-fork invocations in a row (round 1: every combination once; round 2: again; ...), so
 * that fork k of every implementation runs in the same stretch of time, and this class folds the R
 * rows of each combination back into one row of R forks.
 *
 * The folded row is what a single R-fork invocation would have written: rawData is the forks'
 * lists side by side, and score, scoreError, scoreConfidence and scorePercentiles are recomputed
 * from every measured iteration the way JMH's ListStatistics computes them (the mean; the
 * half-width of the 99.9% interval of Student's t with n - 1 degrees of freedom, NaN below 3
 * iterations; commons-math3's Percentile, which JMH uses too, with the minimum for rank 0).
 * FoldForksTest checks this against a real 3-fork row JMH wrote.
 *
 * A SampleTime row's primary metric has no list of scores but a histogram per iteration
 * (rawDataHistogram: [value, count] pairs); those fold side by side too, and the statistics are
 * recomputed over every sample the way JMH's MultisetStatistics does: the count-weighted mean,
 * the t-based half-width with n the number of samples, and the percentile at position
 * rank * (n + 1) / 100 interpolated between the two samples around it (the minimum for rank 0).
 * FoldForksTest checks that against a real 3-fork SampleTime row too.
 *
 * Rows fold only when everything that shapes a measurement is the same (iterations, their times,
 * batch sizes, threads, JVM and its arguments): otherwise it is an error, not a silent average of
 * two different experiments.
 */
/**
 * Folds JMH result rows of the same benchmark, mode and parameters, each from its own
 * single-fork (or few-fork) invocation, into one row whose forks are all of theirs, with JMH's
 * statistics recomputed over every measured iteration (every sample, for SampleTime).
 */
public final class FoldForks {

    /** The fields that must be equal for two rows to be forks of the same experiment. */
    private static final List<String> SAME = List.of(
            "jmhVersion",
            "threads",
            "jvm",
            "jvmArgs",
            "jdkVersion",
            "vmName",
            "vmVersion",
            "warmupIterations",
            "warmupTime",
            "warmupBatchSize",
            "measurementIterations",
            "measurementTime",
            "measurementBatchSize");

    /** JMH's percentile ranks, in the order it writes them. */
    private static final List<Double> RANKS = List.of(0.0, 50.0, 90.0, 95.0, 99.0, 99.9, 99.99, 99.999, 99.9999, 100.0);

    private static final double CONFIDENCE = 0.999;

    private FoldForks() {}

    /**
     * Folds every group of rows with the same benchmark, mode and parameters into one row; a row
     * alone in its group is kept as it is. Groups keep the order of their first row.
     *
     * @param rows JMH result rows ({@code -rf json}), as {@link Json#parse} reads them
     * @return the folded rows
     * @throws IllegalArgumentException if rows to fold differ in a setting that shapes the
     *     measurement, or a metric has neither rawData nor rawDataHistogram
     */
    public static List<Map<String, Object>> fold(List<Map<String, Object>> rows) {
        Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            groups.computeIfAbsent(key(row), k -> new ArrayList<>()).add(row);
        }
        List<Map<String, Object>> out = new ArrayList<>(groups.size());
        for (List<Map<String, Object>> group : groups.values()) {
            out.add(group.size() == 1 ? group.get(0) : foldGroup(group));
        }
        return out;
    }

    private static String key(Map<String, Object> row) {
        Object params = row.get("params") instanceof Map<?, ?> p ? new TreeMap<>(p) : Map.of();
        return row.get("benchmark") + "|" + row.get("mode") + "|" + params;
    }

    private static Map<String, Object> foldGroup(List<Map<String, Object>> group) {
        Map<String, Object> first = group.get(0);
        for (Map<String, Object> row : group) {
            for (String field : SAME) {
                if (!Objects.equals(first.get(field), row.get(field))) {
                    throw new IllegalArgumentException(
                            "cannot fold " + first.get("benchmark") + " " + first.get("params") + ": '" + field
                                    + "' differs (" + first.get(field) + " vs " + row.get(field) + ")");
                }
            }
        }
        Map<String, Object> folded = new LinkedHashMap<>(first);
        double forks = 0;
        List<Map<String, Object>> primaries = new ArrayList<>();
        for (Map<String, Object> row : group) {
            forks += number(row.get("forks"), "forks");
            primaries.add(map(row.get("primaryMetric"), "primaryMetric"));
        }
        folded.put("forks", forks);
        folded.put("primaryMetric", foldMetric(primaries));
        if (first.get("secondaryMetrics") instanceof Map<?, ?> firstSecondary) {
            Map<String, Object> secondary = new LinkedHashMap<>();
            for (Object name : firstSecondary.keySet()) {
                List<Map<String, Object>> metrics = new ArrayList<>();
                for (Map<String, Object> row : group) {
                    if (row.get("secondaryMetrics") instanceof Map<?, ?> s && s.get(name) != null) {
                        metrics.add(map(s.get(name), "secondary metric " + name));
                    }
                }
                // a metric some forks did not report (a profiler's counter that stayed empty) is
                // folded over the forks that did: its rawData shows which, as JMH's own would
                secondary.put(String.valueOf(name), foldMetric(metrics));
            }
            folded.put("secondaryMetrics", secondary);
        }
        return folded;
    }

    /**
     * Folds one metric: rawData side by side, statistics over every iteration.
     *
     * @param metrics the metric of each row, each with {@code rawData} (a list of forks, each a
     *     list of iteration scores)
     * @return the folded metric
     */
    static Map<String, Object> foldMetric(List<Map<String, Object>> metrics) {
        if (metrics.get(0).containsKey("rawDataHistogram")) {
            return foldHistograms(metrics);
        }
        Map<String, Object> folded = new LinkedHashMap<>(metrics.get(0));
        List<Object> rawData = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (Map<String, Object> metric : metrics) {
            if (!(metric.get("rawData") instanceof List<?> forks)) {
                throw new IllegalArgumentException("a metric without rawData cannot be folded: " + metric.keySet());
            }
            for (Object fork : forks) {
                if (!(fork instanceof List<?> iterations)) {
                    throw new IllegalArgumentException("rawData holds a list per fork: " + fork);
                }
                rawData.add(fork);
                for (Object v : iterations) {
                    values.add(number(v, "an iteration score"));
                }
            }
        }
        double[] data = values.stream().mapToDouble(Double::doubleValue).toArray();
        double mean = mean(data);
        double error = meanError(data, mean);
        folded.put("score", json(mean));
        folded.put("scoreError", json(error));
        folded.put("scoreConfidence", List.of(json(mean - error), json(mean + error)));
        Map<String, Object> percentiles = new LinkedHashMap<>();
        for (double rank : RANKS) {
            percentiles.put(Double.toString(rank), json(percentile(data, rank)));
        }
        folded.put("scorePercentiles", percentiles);
        folded.put("rawData", rawData);
        return folded;
    }

    /**
     * Folds a SampleTime metric: rawDataHistogram side by side, statistics over every sample.
     *
     * @param metrics the metric of each row, each with {@code rawDataHistogram} (a list of forks,
     *     each a list of iterations, each a list of [value, count] pairs)
     * @return the folded metric
     */
    private static Map<String, Object> foldHistograms(List<Map<String, Object>> metrics) {
        Map<String, Object> folded = new LinkedHashMap<>(metrics.get(0));
        List<Object> histograms = new ArrayList<>();
        TreeMap<Double, Long> samples = new TreeMap<>();
        for (Map<String, Object> metric : metrics) {
            if (!(metric.get("rawDataHistogram") instanceof List<?> forks)) {
                throw new IllegalArgumentException("every row of a SampleTime group needs rawDataHistogram");
            }
            for (Object fork : forks) {
                histograms.add(fork);
                for (Object iteration : list(fork, "a fork's histograms")) {
                    for (Object pair : list(iteration, "an iteration's histogram")) {
                        List<?> valueCount = list(pair, "a [value, count] pair");
                        if (valueCount.size() != 2) {
                            throw new IllegalArgumentException("a histogram entry is [value, count]: " + pair);
                        }
                        double count = number(valueCount.get(1), "a count");
                        samples.merge(number(valueCount.get(0), "a sample value"), (long) count, Long::sum);
                    }
                }
            }
        }
        long n = 0;
        double sum = 0;
        for (Map.Entry<Double, Long> e : samples.entrySet()) {
            n += e.getValue();
            sum += e.getKey() * e.getValue();
        }
        double mean = n == 0 ? Double.NaN : sum / n;
        double error = Double.NaN;
        if (n > 2) {
            double squares = 0;
            for (Map.Entry<Double, Long> e : samples.entrySet()) {
                squares += (e.getKey() - mean) * (e.getKey() - mean) * e.getValue();
            }
            double sd = Math.sqrt(squares / (n - 1));
            error = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - CONFIDENCE) / 2) * sd / Math.sqrt(n);
        }
        folded.put("score", json(mean));
        folded.put("scoreError", json(error));
        folded.put("scoreConfidence", List.of(json(mean - error), json(mean + error)));
        Map<String, Object> percentiles = new LinkedHashMap<>();
        for (double rank : RANKS) {
            percentiles.put(Double.toString(rank), json(histogramPercentile(samples, n, rank)));
        }
        folded.put("scorePercentiles", percentiles);
        folded.put("rawDataHistogram", histograms);
        return folded;
    }

    /** JMH's MultisetStatistics.getPercentile over sorted (value, count) samples. */
    private static double histogramPercentile(TreeMap<Double, Long> samples, long n, double rank) {
        if (n == 0) {
            return Double.NaN;
        }
        if (rank == 0) {
            return samples.firstKey();
        }
        double position = rank * (n + 1) / 100;
        double floor = Math.floor(position);
        double lower = nthSample(samples, (long) floor);
        double upper = nthSample(samples, (long) floor + 1);
        return lower + (upper - lower) * (position - floor);
    }

    /** The first value whose running count reaches {@code k} (1-based), else the largest value. */
    private static double nthSample(TreeMap<Double, Long> samples, long k) {
        long seen = 0;
        for (Map.Entry<Double, Long> e : samples.entrySet()) {
            seen += e.getValue();
            if (seen >= k) {
                return e.getKey();
            }
        }
        return samples.lastKey();
    }

    private static List<?> list(Object value, String what) {
        if (value instanceof List<?> l) {
            return l;
        }
        throw new IllegalArgumentException(what + " is not a JSON array: " + value);
    }

    private static double mean(double[] data) {
        if (data.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (double d : data) {
            sum += d;
        }
        return sum / data.length;
    }

    /** JMH's ListStatistics.getMeanErrorAt(0.999): NaN below 3 values. */
    private static double meanError(double[] data, double mean) {
        int n = data.length;
        if (n <= 2) {
            return Double.NaN;
        }
        double squares = 0;
        for (double d : data) {
            squares += (d - mean) * (d - mean);
        }
        double sd = Math.sqrt(squares / (n - 1));
        double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - CONFIDENCE) / 2);
        return t * sd / Math.sqrt(n);
    }

    private static double percentile(double[] data, double rank) {
        if (data.length == 0) {
            return Double.NaN;
        }
        if (rank == 0) {
            double min = Double.POSITIVE_INFINITY;
            for (double d : data) {
                min = Math.min(min, d);
            }
            return min;
        }
        return new Percentile().evaluate(data, rank);
    }

    /** JMH writes NaN and infinities as strings. */
    private static Object json(double d) {
        return Double.isFinite(d) ? (Object) d : Double.toString(d);
    }

    private static double number(Object value, String what) {
        return switch (value) {
            case Double d -> d;
            case String s when s.equals("NaN") -> Double.NaN;
            default -> throw new IllegalArgumentException(what + " is not a number: " + value);
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException(what + " is not a JSON object: " + value);
    }
}
