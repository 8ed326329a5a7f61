package dev.asyncpatterns.benchmarks.report;

import dev.asyncpatterns.benchmarks.headline.ScalingBenchmark;
import dev.asyncpatterns.benchmarks.headline.Scenario;
import dev.asyncpatterns.benchmarks.headline.Variant;
import dev.asyncpatterns.benchmarks.pipeline.MapAsyncPipelineBenchmark;
import dev.asyncpatterns.benchmarks.report.JmhResult.Metric;
import dev.asyncpatterns.benchmarks.report.ReportGenerator.Verdict;
import dev.asyncpatterns.benchmarks.sync.ParallelMapBenchmark.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

/**
 * Every performance bar the report judges (DESIGN.md "Performance bars" and issue #20), in one
 * table keyed by benchmark class, method and implementation name, and the rules for a verdict.
 *
 * <p>Two kinds of bar:
 *
 * <ul>
 *   <li>a <b>peer</b> bar: our row over the named peer's row with the same method and every other
 *       parameter equal, as a time ratio (for throughputs, peer / ours), at most {@code factor}
 *       (strictly below it when {@code strict}); a <b>bytes</b> peer bar compares bytes allocated per
 *       operation ({@code gc.alloc.rate.norm} from {@code -prof gc}) instead, with the same rules;
 *   <li>an <b>ideal</b> bar: the row's time over the physical ideal (one latency for N calls all at
 *       once, {@code ceil(N / C)} latencies with C in flight), at most {@code factor}. The ideal is
 *       computed from the benchmark's own constants, never from another measured row.
 *   <li>a <b>limit</b> bar: a row's score (or a SampleTime percentile) against a fixed number,
 *       for bars stated as one (the job store's throughput and pickup p99).
 * </ul>
 *
 * <p>A verdict needs {@value #MIN_FORKS} forks × {@value #MIN_ITERATIONS} measured iterations in
 * every row it compares; otherwise it is {@link Verdict#NOT_ENOUGH_DATA}.
 */
final class Bars {

    /** Forks every compared row needs before it can carry a verdict. */
    static final int MIN_FORKS = 3;
    /** Measured iterations per fork every compared row needs before it can carry a verdict. */
    static final int MIN_ITERATIONS = 5;
    /** All-at-once calls: time at most latency / this (speedup ≥ 0.95 × N for N ≤ 1,000). */
    static final double CONCURRENT_SPEEDUP = 0.95;
    /** Bounded calls: time at most this × ceil(N / C) × latency. */
    static final double BOUNDED_FACTOR = 1.05;
    /** N = 10,000 calls all at once: time at most this × one latency (issue #20 item 3). */
    static final double TEN_THOUSAND_FACTOR = 1.2;
    /** The scaling series holds the 1.05 bar up to this N, the 1.2 bar above it up to 10,000. */
    static final int SCALING_TIGHT_MAX_CALLS = 1_000;

    /** Methods of {@code ScalingBenchmark} that measure the latency model alone (no bar, subtracted for bytes). */
    static final Pattern SCALING_BASELINE = Pattern.compile("(?i).*(baseline|latencyModel|modelOnly|timerOnly).*");

    private static final Pattern ANY = Pattern.compile(".*");
    /** JMH's {@code -prof gc} metric of bytes allocated per operation. */
    private static final String GC_ALLOC_NORM = "gc.alloc.rate.norm";

    private Bars() {}

    /** A bar's kind. */
    enum Kind {
        /** Ours over a peer row of the same case. */
        PEER,
        /** A row's time over the physical ideal. */
        IDEAL,
        /** A row's figure (its score or a percentile) against a fixed limit. */
        LIMIT
    }

    /**
     * The fixed limit of an absolute bar (DESIGN.md bars stated as a number, such as the job store's
     * throughput), applied to the rows whose parameter {@code param} equals {@code paramValue}.
     *
     * @param value the limit, in the row's unit
     * @param unit the unit the limit is stated in; a row in another unit is not judged
     * @param atLeast whether the figure must be at least the limit (else at most)
     * @param percentile the SampleTime percentile judged (e.g. 99), or NaN for the score; a
     *     percentile has no confidence interval, so its verdict is ✓ or ✗ only
     * @param param the parameter that selects the rows judged
     * @param paramValue its value
     */
    record Limit(double value, String unit, boolean atLeast, double percentile, String param, String paramValue) {

        boolean applies(JmhResult r) {
            return unit.equals(r.primary().unit()) && paramValue.equals(r.param(param));
        }

        /** The figure judged: the score, or the percentile. */
        double figure(JmhResult r) {
            return Double.isNaN(percentile) ? r.primary().score() : r.primary().percentile(percentile);
        }
    }

    /**
     * Whether a judgement lacks its verdict because a row has no B/op (a bytes bar on a run without
     * {@code -prof gc}), rather than because the case has no peer row.
     *
     * @param j the judgement
     * @return true when the peer row exists but the bytes are missing
     */
    static boolean missingBytes(Judgement j) {
        return j.verdict() == null && j.peer() != null && j.bar().bytes();
    }

    /**
     * One bar.
     *
     * @param question what it asks, as the report prints it
     * @param className the benchmark classes it applies to (simple names)
     * @param method the benchmark methods it applies to
     * @param ours the implementation names (the impl parameter, or the method name) it judges
     * @param peer the peer's implementation name (peer bars), or {@code null}
     * @param factor the bar: time ratio at most this
     * @param strict whether the ratio must be strictly below {@code factor}
     * @param idealMs the ideal time in ms for a row (ideal bars), or {@code null}
     * @param text the bar as printed, e.g. {@code ≤ 1.2× asyncutil}
     * @param bytes whether the bar compares bytes allocated per operation ({@code gc.alloc.rate.norm})
     *     instead of time (peer bars only)
     * @param limit the fixed limit of an absolute bar, or {@code null}
     */
    record Bar(
            String question,
            Pattern className,
            Pattern method,
            Pattern ours,
            Pattern peer,
            double factor,
            boolean strict,
            ToDoubleFunction<JmhResult> idealMs,
            String text,
            boolean bytes,
            Limit limit) {

        Kind kind() {
            return limit != null ? Kind.LIMIT : idealMs == null ? Kind.PEER : Kind.IDEAL;
        }

        boolean judges(JmhResult r) {
            return className.matcher(r.className()).matches()
                    && method.matcher(r.method()).matches()
                    && ours.matcher(impl(r)).matches()
                    && (idealMs == null || !Double.isNaN(idealMs.applyAsDouble(r)))
                    && (limit == null || limit.applies(r));
        }
    }

    /**
     * One bar applied to one measured case.
     *
     * @param bar the bar
     * @param ours the row judged
     * @param peer the peer row (peer bars), or {@code null} when the case has none or for ideal bars
     * @param ratio the time ratio (ours / peer, or ours / ideal), or for a bytes bar our B/op over the
     *     peer's; {@code NaN} without a peer row (or, for a bytes bar, without B/op in a row)
     * @param reference the peer's score (its B/op for a bytes bar) or the ideal in ms
     * @param verdict the verdict; {@code null} when the case has no peer row, or for a bytes bar
     *     when a row has no B/op (a run without {@code -prof gc})
     */
    record Judgement(Bar bar, JmhResult ours, JmhResult peer, double ratio, double reference, Verdict verdict) {}

    private static Bar peer(String question, String cls, String ours, String peer, double factor, String text) {
        return peer(question, cls, ours, peer, factor, false, text);
    }

    private static Bar strictPeer(String question, String cls, String ours, String peer, String text) {
        return peer(question, cls, ours, peer, 1.0, true, text);
    }

    private static Bar peer(
            String question, String cls, String ours, String peer, double factor, boolean strict, String text) {
        return peer(question, cls, ours, peer, factor, strict, text, false);
    }

    /** A peer bar on bytes allocated per operation (JMH's {@code gc.alloc.rate.norm}), not on time. */
    private static Bar peerBytes(String question, String cls, String ours, String peer, double factor, String text) {
        return peer(question, cls, ours, peer, factor, false, text, true);
    }

    private static Bar peer(
            String question,
            String cls,
            String ours,
            String peer,
            double factor,
            boolean strict,
            String text,
            boolean bytes) {
        return new Bar(
                question,
                Pattern.compile(cls),
                ANY,
                Pattern.compile(ours),
                Pattern.compile(peer),
                factor,
                strict,
                null,
                text,
                bytes,
                null);
    }

    /** An absolute bar: the rows of {@code cls} whose {@code param} is {@code value} against a fixed limit. */
    private static Bar limit(String question, String cls, Limit limit, String text) {
        return new Bar(question, Pattern.compile(cls), ANY, ANY, null, 1.0, false, null, text, false, limit);
    }

    private static Bar ideal(
            String question,
            String cls,
            Pattern method,
            Pattern impls,
            double factor,
            ToDoubleFunction<JmhResult> ideal) {
        return new Bar(
                question,
                Pattern.compile(cls),
                method,
                impls,
                null,
                factor,
                false,
                ideal,
                String.format(Locale.ROOT, "≤ %.2f× ideal", factor),
                false,
                null);
    }

    /**
     * The bars, in report order. Implementation names are matched whole; a bar whose class was not
     * run is listed as "not measured".
     */
    static final List<Bar> ALL = List.of(
            // ---- latency model: the physical limit
            ideal(
                    "N calls all at once (headline) ≤ latency / 0.95",
                    "HeadlineBenchmark",
                    methodsOfShape(Variant.Shape.CONCURRENT),
                    ANY,
                    1 / CONCURRENT_SPEEDUP,
                    Bars::headlineIdeal),
            ideal(
                    "N calls, C in flight (headline) ≤ 1.05 × ceil(N/C) × latency",
                    "HeadlineBenchmark",
                    methodsOfShape(Variant.Shape.BOUNDED),
                    ANY,
                    BOUNDED_FACTOR,
                    Bars::headlineIdeal),
            ideal(
                    "N ≤ 1,000 calls all at once ≤ latency / 0.95",
                    "ScalingBenchmark",
                    ANY,
                    notBaseline(),
                    1 / CONCURRENT_SPEEDUP,
                    r -> scalingIdeal(r, 1, SCALING_TIGHT_MAX_CALLS)),
            ideal(
                    "10,000 calls all at once ≤ 1.2 × latency",
                    "ScalingBenchmark",
                    ANY,
                    notBaseline(),
                    TEN_THOUSAND_FACTOR,
                    r -> scalingIdeal(r, SCALING_TIGHT_MAX_CALLS + 1, 10_000)),
            // ---- sync
            peer(
                    "AsyncSemaphore acquire+release ≤ 1.2× asyncutil",
                    "Semaphore(Pending)?Benchmark",
                    "asyncPatterns",
                    "asyncutilFair",
                    1.2,
                    "≤ 1.2× asyncutil"),
            ideal(
                    "Parallel.map, 1,000 calls of 1-50 ms, C = 100 ≤ 1.05 × ideal sliding window",
                    "ParallelMapBenchmark",
                    ANY,
                    ANY,
                    BOUNDED_FACTOR,
                    r -> parallelMapIdeal(r, Workload.UNIFORM_1_TO_50_MS)),
            ideal(
                    "N calls of latency L, C in flight (Parallel.map, 100 × 20 ms, C = 10) ≤ 1.05 × ceil(N/C) × L",
                    "ParallelMapBenchmark",
                    ANY,
                    ANY,
                    BOUNDED_FACTOR,
                    r -> parallelMapIdeal(r, Workload.FIXED_20_MS)),
            peer(
                    "Parallel.map ≤ 1.05× Reactor flatMapSequential(…, C)",
                    "ParallelMapBenchmark",
                    "parallelMap",
                    "reactorFlatMapSequential",
                    1.05,
                    "≤ 1.05× Reactor"),
            peer(
                    "Parallel.map ≤ 1.05× hand-written semaphore window",
                    "ParallelMapBenchmark",
                    "parallelMap",
                    "handWrittenWindow",
                    1.05,
                    "≤ 1.05× hand-written window"),
            // ---- futures
            peer(
                    "Futures.all over completed futures ≤ 1.5× allOf",
                    "GatherCompletedBenchmark",
                    "futuresAll",
                    "allOf",
                    1.5,
                    "≤ 1.5× allOf"),
            peer(
                    "Futures.all over pending futures ≤ 1.5× allOf",
                    "GatherPendingBenchmark",
                    "futuresAll",
                    "allOf",
                    1.5,
                    "≤ 1.5× allOf"),
            peer(
                    "Futures.all on real work within 10% of allOf",
                    "GatherDelayedBenchmark", "futuresAll", "allOf", 1.1, "≤ 1.1× allOf"),
            // ---- scope (rows by perf-scope)
            peer(
                    "TaskScope.forkAsync over completed futures ≤ 1.5× allOf",
                    "GatherCompletedBenchmark|.*ForkAsync.*Benchmark",
                    "scopeForkAsync|taskScopeForkAsync|forkAsync|taskScope",
                    "allOf",
                    1.5,
                    "≤ 1.5× allOf"),
            peer(
                    "TaskScope fork/join/close ≤ 1.1× StructuredTaskScope",
                    "TaskScope(?!ForkAsync).*Benchmark|Scope(Fork|Join|Close).*Benchmark",
                    "(?i)(taskScope|ours|scopeFork)",
                    "(?i).*structured.*",
                    1.1,
                    "≤ 1.1× StructuredTaskScope"),
            peerBytes(
                    "TaskScope fork/join/close memory ≤ 1.1× StructuredTaskScope (B/op)",
                    "TaskScope(?!ForkAsync).*Benchmark|Scope(Fork|Join|Close).*Benchmark",
                    "(?i)(taskScope|ours|scopeFork)",
                    "(?i).*structured.*",
                    1.1,
                    "≤ 1.1× StructuredTaskScope B/op"),
            // ---- queues (rows by perf-queue and perf-timer-pool)
            peer(
                    "AsyncQueue ≥ ArrayBlockingQueue (throughput)",
                    "QueueThroughputBenchmark",
                    "asyncQueue",
                    "arrayBlockingQueue",
                    1.0,
                    "≥ ArrayBlockingQueue"),
            peer("AsyncQueue ≥ Jox (throughput)", "QueueThroughputBenchmark", "asyncQueue", "jox", 1.0, "≥ Jox"),
            peer(
                    "AsyncQueue future API ≤ 1.5× its blocking API",
                    "QueueThroughputBenchmark",
                    "asyncQueueFutures",
                    "asyncQueue",
                    1.5,
                    "≤ 1.5× blocking API"),
            peer(
                    "WorkerPool per job ≤ 1.2× ThreadPoolExecutor",
                    "WorkerPoolOverheadBenchmark",
                    "workerPool",
                    "threadPoolExecutor",
                    1.2,
                    "≤ 1.2× ThreadPoolExecutor"),
            // ---- cache (rows by perf-cache)
            peer(
                    "memoized hit ≤ 1.2× Caffeine getIfPresent, same path (both count the hit)",
                    "CacheHit.*Benchmark",
                    "memoized",
                    "caffeineGetIfPresent",
                    1.2,
                    "≤ 1.2× Caffeine getIfPresent"),
            peer(
                    "memoized hit, stats off ≤ 1.2× Caffeine asMap().get (neither counts)",
                    "CacheHit.*Benchmark",
                    "memoizedNoStats",
                    "caffeineAsMapGet",
                    1.2,
                    "≤ 1.2× Caffeine asMap().get"),
            peer(
                    "single-flight miss ≤ 1.2× Caffeine AsyncCache.get",
                    "(?i).*(Miss|SingleFlight).*Benchmark",
                    "(?i)(memoized|singleFlight|ours).*",
                    "(?i)caffeine(Get|AsyncCacheGet|AsyncGet)",
                    1.2,
                    "≤ 1.2× AsyncCache.get"),
            // ---- redis (docs/redis.md)
            peer(
                    "Redis two-level cache, first-level hit ≤ 1.2× Caffeine getIfPresent",
                    "FirstLevelHitBenchmark",
                    "twoLevel",
                    "caffeineGetIfPresent",
                    1.2,
                    "≤ 1.2× Caffeine"),
            peer(
                    "Redis second-level hit ≤ 1.1× raw Lettuce GET",
                    "SecondLevelHitBenchmark",
                    "secondLevelGet",
                    "lettuceGet",
                    1.1,
                    "≤ 1.1× raw GET"),
            // ---- postgres (docs/postgres.md, issue 14): absolute bars on a 2-core machine
            limit(
                    "job store on PostgreSQL ≥ 5,000 jobs/s end to end",
                    "JobThroughputBenchmark",
                    new Limit(5_000, "ops/s", true, Double.NaN, "store", "POSTGRES"),
                    "≥ 5,000 jobs/s"),
            limit(
                    "job pickup on PostgreSQL (NOTIFY), p99 ≤ 50 ms",
                    "JobPickupLatencyBenchmark",
                    new Limit(50, "ms/op", false, 99, "store", "POSTGRES"),
                    "p99 ≤ 50 ms"),
            // ---- resilience
            peer(
                    "resilience happy path ≤ 1.2× resilience4j",
                    "ResilienceHappyPathBenchmark",
                    "ours",
                    "resilience4j",
                    1.2,
                    "≤ 1.2× resilience4j"),
            strictPeer(
                    "resilience happy path < Failsafe",
                    "ResilienceHappyPathBenchmark",
                    "ours",
                    "failsafe",
                    "< Failsafe"),
            strictPeer(
                    "resilience, every policy < Failsafe, every policy",
                    "ResilienceHappyPathBenchmark",
                    "oursAllPolicies",
                    "failsafeAllPolicies",
                    "< Failsafe"),
            // ---- pipeline
            peer(
                    "CPU pipeline map/filter/fold ≤ Reactor",
                    "CpuPipelineBenchmark",
                    "pipeline",
                    "flux",
                    1.0,
                    "≤ Reactor"),
            peer(
                    "mapAsync ordered ≤ Reactor flatMapSequential",
                    "MapAsyncPipelineBenchmark",
                    "pipeline",
                    "flux",
                    1.0,
                    "≤ Reactor"),
            ideal(
                    "mapAsync ordered ≤ 1.05 × ceil(N/C) × latency",
                    "MapAsyncPipelineBenchmark",
                    ANY,
                    ANY,
                    BOUNDED_FACTOR,
                    r -> MapAsyncPipelineBenchmark.idealMs(
                            Integer.parseInt(r.param("calls")),
                            Integer.parseInt(r.param("parallelism")),
                            Integer.parseInt(r.param("latencyMs")))));

    /** Parameters that name the implementation under test (the rest of a row's parameters form its case). */
    static final Set<String> IMPL_PARAMS = Set.of(
            "impl",
            "implementation",
            "library",
            "lib",
            "variant",
            "flavor",
            "flavour",
            "kind",
            "type",
            "peer",
            "queue",
            "cache",
            "engine",
            "strategy",
            "policy",
            "which",
            "subject");

    /** The implementation parameter's name in a row, or {@code null} when its methods are the implementations. */
    static String implParam(JmhResult r) {
        return r.params().keySet().stream()
                .filter(p -> IMPL_PARAMS.contains(p.toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElse(null);
    }

    /** The implementation a row measures: its impl parameter, or its method name. */
    static String impl(JmhResult r) {
        String param = implParam(r);
        return param == null ? r.method() : r.param(param);
    }

    /** The row's case: method (when an impl parameter exists) and every other parameter. */
    static String caseOf(JmhResult r) {
        String param = implParam(r);
        StringBuilder sb = new StringBuilder(param == null ? "" : r.method());
        r.params().forEach((k, v) -> {
            if (!k.equals(param)) {
                sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v);
            }
        });
        return sb.toString();
    }

    /**
     * Whether a row carries enough samples for a verdict.
     *
     * @param r the row
     * @return at least {@value #MIN_FORKS} forks × {@value #MIN_ITERATIONS} measured iterations
     */
    static boolean enough(JmhResult r) {
        return r.hasAtLeast(MIN_FORKS, MIN_ITERATIONS);
    }

    /**
     * Applies every bar to every row it judges. A peer bar whose case has no peer row yields a
     * judgement without a verdict (shown as "no peer row"), so nothing measured is dropped.
     *
     * @param results the rows (of one run, or of runs of different areas)
     * @return the judgements, in bar order, then row order
     */
    static List<Judgement> judge(List<JmhResult> results) {
        List<Judgement> out = new ArrayList<>();
        for (Bar bar : ALL) {
            for (JmhResult r : results) {
                if (bar.judges(r)) {
                    out.add(judge(bar, r, results));
                }
            }
        }
        return out;
    }

    /**
     * The judgements for one row.
     *
     * @param r the row
     * @param results every row (to find peers)
     * @return the judgements of the bars that apply to it
     */
    static List<Judgement> judge(JmhResult r, List<JmhResult> results) {
        List<Judgement> out = new ArrayList<>();
        for (Bar bar : ALL) {
            if (bar.judges(r)) {
                out.add(judge(bar, r, results));
            }
        }
        return out;
    }

    /**
     * The bars that no row in {@code results} matched.
     *
     * @param judgements the judgements made
     * @return bars not measured
     */
    static List<Bar> unmeasured(List<Judgement> judgements) {
        return ALL.stream()
                .filter(b -> judgements.stream().noneMatch(j -> j.bar() == b))
                .toList();
    }

    private static Judgement judge(Bar bar, JmhResult r, List<JmhResult> results) {
        if (bar.kind() == Kind.LIMIT) {
            return judgeLimit(bar, r);
        }
        if (bar.kind() == Kind.IDEAL) {
            double ideal = bar.idealMs().applyAsDouble(r);
            double ms = ReportGenerator.millis(r.primary());
            double err = ReportGenerator.millisError(r.primary());
            double ratio = ms / ideal;
            double best = (ms - (Double.isNaN(err) ? 0 : err)) / ideal;
            Verdict verdict =
                    enough(r) ? Verdict.ratioAtMost(bar.factor(), bar.strict(), ratio, best) : Verdict.NOT_ENOUGH_DATA;
            return new Judgement(bar, r, null, ratio, ideal, verdict);
        }
        Optional<JmhResult> peer = results.stream()
                .filter(p -> p != r
                        && p.className().equals(r.className())
                        && bar.peer().matcher(impl(p)).matches()
                        && sameCase(p, r))
                .findFirst();
        if (peer.isEmpty()) {
            return new Judgement(bar, r, null, Double.NaN, Double.NaN, null);
        }
        JmhResult p = peer.get();
        if (bar.bytes()) {
            return judgeBytes(bar, r, p);
        }
        double o = r.primary().score();
        double eo = zeroIfNaN(r.primary().error());
        double s = p.primary().score();
        double es = zeroIfNaN(p.primary().error());
        double ratio;
        double best;
        if (r.higherIsBetter()) {
            ratio = s / o;
            best = (s - es) / (o + eo);
        } else {
            ratio = o / s;
            best = (o - eo) / (s + es);
        }
        Verdict verdict = enough(r) && enough(p)
                ? Verdict.ratioAtMost(bar.factor(), bar.strict(), ratio, best)
                : Verdict.NOT_ENOUGH_DATA;
        return new Judgement(bar, r, p, ratio, s, verdict);
    }

    /**
     * An absolute bar: the row's figure over the limit (the limit over the figure for an at-least
     * bar), at most 1; the best case takes the score's 99.9% interval in our favour (a percentile
     * has none).
     */
    private static Judgement judgeLimit(Bar bar, JmhResult r) {
        Limit limit = bar.limit();
        double figure = limit.figure(r);
        double err = Double.isNaN(limit.percentile()) ? zeroIfNaN(r.primary().error()) : 0;
        double ratio = limit.atLeast() ? limit.value() / figure : figure / limit.value();
        double best = limit.atLeast() ? limit.value() / (figure + err) : (figure - err) / limit.value();
        Verdict verdict = enough(r) ? Verdict.ratioAtMost(1.0, false, ratio, best) : Verdict.NOT_ENOUGH_DATA;
        return new Judgement(bar, r, null, ratio, limit.value(), verdict);
    }

    /**
     * A bytes bar: our {@code gc.alloc.rate.norm} over the peer's, with the same verdict rules as
     * time (the best case takes both 99.9% intervals in our favour). Without the GC profiler in
     * either row the judgement has the peer but no verdict (shown as "no B/op"). Two rows that
     * allocate nothing are equal (ratio 1).
     */
    private static Judgement judgeBytes(Bar bar, JmhResult r, JmhResult p) {
        Metric ours = r.secondary().get(GC_ALLOC_NORM);
        Metric peer = p.secondary().get(GC_ALLOC_NORM);
        if (ours == null || peer == null || Double.isNaN(ours.score()) || Double.isNaN(peer.score())) {
            return new Judgement(bar, r, p, Double.NaN, Double.NaN, null);
        }
        double o = ours.score();
        double s = peer.score();
        double ratio = o == 0 && s == 0 ? 1.0 : o / s;
        double best = o == 0 && s == 0 ? 1.0 : (o - zeroIfNaN(ours.error())) / (s + zeroIfNaN(peer.error()));
        Verdict verdict = enough(r) && enough(p)
                ? Verdict.ratioAtMost(bar.factor(), bar.strict(), ratio, best)
                : Verdict.NOT_ENOUGH_DATA;
        return new Judgement(bar, r, p, ratio, s, verdict);
    }

    private static boolean sameCase(JmhResult a, JmhResult b) {
        return a.method().equals(b.method()) && a.mode().equals(b.mode()) && Objects.equals(without(a), without(b));
    }

    private static Map<String, String> without(JmhResult r) {
        String param = implParam(r);
        Map<String, String> params = new java.util.TreeMap<>(r.params());
        if (param != null) {
            params.remove(param);
        }
        return params;
    }

    private static double zeroIfNaN(double value) {
        return Double.isNaN(value) ? 0 : value;
    }

    private static Pattern methodsOfShape(Variant.Shape shape) {
        List<String> methods = new ArrayList<>();
        for (Variant v : Variant.values()) {
            if (v.shape() == shape) {
                methods.add(Pattern.quote(v.method()));
            }
        }
        return Pattern.compile(String.join("|", methods));
    }

    private static Pattern notBaseline() {
        return Pattern.compile("(?!" + SCALING_BASELINE.pattern() + "$).*");
    }

    private static double headlineIdeal(JmhResult r) {
        String name = r.param("scenario");
        Optional<Variant> variant = Variant.byMethod(r.method());
        if (name == null || variant.isEmpty()) {
            return Double.NaN;
        }
        Scenario s = Scenario.valueOf(name);
        return variant.get().idealMs(s.calls(), s.latency().toNanos() / 1e6, s.limit());
    }

    /**
     * The zero-overhead sliding-window ideal of a {@code ParallelMapBenchmark} row of {@code workload};
     * NaN (no bar) for a row of another workload. Rows from before the workload parameter ran the
     * uniform workload with {@code maxConcurrency} in flight.
     */
    private static double parallelMapIdeal(JmhResult r, Workload workload) {
        String name = r.param("workload");
        if (name == null) {
            String c = r.param("maxConcurrency");
            return workload == Workload.UNIFORM_1_TO_50_MS
                            && c != null
                            && Integer.parseInt(c) == workload.maxConcurrency()
                    ? workload.idealMs()
                    : Double.NaN;
        }
        return name.equals(workload.name()) ? workload.idealMs() : Double.NaN;
    }

    /** One latency for N in {@code [min, max]}; NaN (no bar) outside. */
    private static double scalingIdeal(JmhResult r, int min, int max) {
        String calls = r.param("calls");
        if (calls == null) {
            return Double.NaN;
        }
        int n = Integer.parseInt(calls);
        return n >= min && n <= max ? ScalingBenchmark.LATENCY_MS : Double.NaN;
    }
}
