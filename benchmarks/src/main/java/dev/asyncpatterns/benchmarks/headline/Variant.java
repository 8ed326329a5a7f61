package dev.asyncpatterns.benchmarks.headline;

import java.util.Optional;

/**
 * The ways the headline suite runs a batch of calls: the {@code @Benchmark} method name, what the
 * ideal time is, and which peer each toolkit variant is compared with. The report generator reads
 * this table, so a new variant needs one line here and one method in {@link HeadlineBenchmark}.
 */
public enum Variant {

    /** One call after another on the benchmark thread (blocking client). */
    SEQUENTIAL("sequential", "sequential (blocking)", Shape.SEQUENTIAL, false, null),
    /** Every call started at once, joined with {@code CompletableFuture.allOf} (JDK peer). */
    COMPLETABLE_FUTURE_ALL("completableFutureAll", "CompletableFuture.allOf", Shape.CONCURRENT, false, null),
    /** Every call started at once with {@code Futures.all} (toolkit). */
    FUTURES_ALL("futuresAll", "Futures.all", Shape.CONCURRENT, true, COMPLETABLE_FUTURE_ALL),
    /** One virtual thread per blocking call (JDK peer). */
    VIRTUAL_THREADS("virtualThreads", "virtual thread per call", Shape.CONCURRENT, false, null),
    /** One virtual thread per blocking call, at most {@code limit} inside a {@code Semaphore} (JDK peer). */
    VIRTUAL_THREADS_SEMAPHORE("virtualThreadsSemaphore", "virtual threads + Semaphore", Shape.BOUNDED, false, null),
    /** Async calls gated by IBM asyncutil's {@code FairAsyncSemaphore} (library peer). */
    ASYNCUTIL_SEMAPHORE("asyncutilSemaphore", "asyncutil FairAsyncSemaphore", Shape.BOUNDED, false, null),
    /** {@code Parallel.map} with the scenario's limit (toolkit). */
    PARALLEL_MAP("parallelMap", "Parallel.map", Shape.BOUNDED, true, ASYNCUTIL_SEMAPHORE),
    /** A pipeline source → {@code mapAsync(limit)} → list (toolkit). */
    PIPELINE("pipeline", "Pipeline.mapAsync", Shape.BOUNDED, true, ASYNCUTIL_SEMAPHORE),
    /**
     * Scaling only: every call started at once on the JDK's timer
     * ({@code CompletableFuture.delayedExecutor}), joined with {@code allOf} (JDK peer of the timer).
     */
    JDK_TIMER_ALL_OF("jdkTimerAllOf", "allOf on the JDK timer (delayedExecutor)", Shape.CONCURRENT, false, null),
    /**
     * Scaling only: the latency model alone, calls joined one by one with no combinator; its bytes
     * per call are the model's own cost (baseline).
     */
    BASELINE("baseline", "latency model alone (baseline)", Shape.CONCURRENT, false, null);

    /** What the ideal time of a variant is. */
    public enum Shape {
        /** calls x latency */
        SEQUENTIAL,
        /** one latency */
        CONCURRENT,
        /** ceil(calls / limit) x latency */
        BOUNDED
    }

    private final String method;
    private final String label;
    private final Shape shape;
    private final boolean ours;
    private final Variant peer;

    Variant(String method, String label, Shape shape, boolean ours, Variant peer) {
        this.method = method;
        this.label = label;
        this.shape = shape;
        this.ours = ours;
        this.peer = peer;
    }

    /** @return the {@code @Benchmark} method name */
    public String method() {
        return method;
    }

    /** @return the label used in the report */
    public String label() {
        return label;
    }

    /** @return how the ideal time is computed */
    public Shape shape() {
        return shape;
    }

    /** @return whether this variant uses the toolkit (rather than being a JDK peer or baseline) */
    public boolean ours() {
        return ours;
    }

    /** @return the peer a toolkit variant is compared with, if any */
    public Optional<Variant> peer() {
        return Optional.ofNullable(peer);
    }

    /**
     * The ideal time of a batch in milliseconds.
     *
     * @param calls the number of calls
     * @param latencyMs the latency of one call
     * @param limit the concurrency limit of bounded variants
     * @return the ideal time
     */
    public double idealMs(int calls, double latencyMs, int limit) {
        return switch (shape) {
            case SEQUENTIAL -> calls * latencyMs;
            case CONCURRENT -> latencyMs;
            case BOUNDED -> Math.ceil(calls / (double) limit) * latencyMs;
        };
    }

    /**
     * Finds a variant by its method name.
     *
     * @param method a {@code @Benchmark} method name
     * @return the variant, or empty
     */
    public static Optional<Variant> byMethod(String method) {
        for (Variant variant : values()) {
            if (variant.method.equals(method)) {
                return Optional.of(variant);
            }
        }
        return Optional.empty();
    }
}
