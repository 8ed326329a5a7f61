package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.internal.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * When to start backup ("hedged") attempts of a slow call: after a fixed delay, or after the
 * given percentile of the latencies observed so far ("p95 so far"). The first attempt to succeed
 * wins and the others are cancelled. At most {@link #maxHedges()} backups run per attempt, each
 * one {@code delay} after the previous.
 *
 * <p>Hedging is for slowness, not for failures: an attempt that fails does not start a backup at
 * once (that is what retry is for). When every attempt started so far has failed, the hedged
 * attempt fails with the first failure (the others attached as suppressed) and retry decides.
 *
 * <p>An immutable value.
 *
 * @param delay the fixed delay, or the delay used until {@link #minSamples()} latencies are
 *     known when {@link #percentile()} is set
 * @param percentile the latency percentile in {@code (0, 1)} that triggers a hedge, or
 *     {@code 0} for a fixed delay
 * @param maxHedges how many backup attempts at most, per attempt, in {@code [1, 16]}
 * @param minSamples how many successful latencies must be known before the percentile is used
 * @since 0.1.0
 */
public record Hedging(Duration delay, double percentile, int maxHedges, int minSamples) {

    /** The most backups one attempt may start: hedging multiplies load, so it is kept small. */
    public static final int MAX_HEDGES = 16;

    /** Latencies needed before {@link #afterPercentile} trusts its percentile. */
    public static final int DEFAULT_MIN_SAMPLES = 20;

    /** How many recent successful latencies the percentile is computed over. */
    public static final int LATENCY_WINDOW = 128;

    /**
     * Validates the components.
     *
     * @throws NullPointerException if {@code delay} is null
     * @throws IllegalArgumentException if {@code delay} is not positive, {@code percentile} is
     *     not {@code 0} or in {@code (0, 1)}, {@code maxHedges} is outside {@code [1, 16]} or
     *     {@code minSamples} is below 1
     */
    public Hedging {
        Durations.requirePositive(delay, "delay");
        if (percentile != 0 && !(percentile > 0 && percentile < 1)) {
            throw new IllegalArgumentException(
                    "percentile must be in (0, 1), e.g. 0.95, or 0 for a fixed delay, was " + percentile);
        }
        if (maxHedges < 1 || maxHedges > MAX_HEDGES) {
            throw new IllegalArgumentException("maxHedges must be in [1, " + MAX_HEDGES + "], was " + maxHedges);
        }
        if (minSamples < 1) {
            throw new IllegalArgumentException("minSamples must be positive, was " + minSamples);
        }
    }

    /**
     * Hedges after a fixed delay.
     *
     * @param delay how long an attempt may run before a backup starts, positive
     * @param maxHedges how many backups at most, in {@code [1, 16]}
     * @return the hedging policy
     * @throws NullPointerException if {@code delay} is null
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static Hedging afterDelay(Duration delay, int maxHedges) {
        return new Hedging(Objects.requireNonNull(delay, "delay"), 0, maxHedges, 1);
    }

    /**
     * Hedges when an attempt has run longer than the given percentile of the recent successful
     * latencies (the last {@value #LATENCY_WINDOW}), for example {@code 0.95}; until
     * {@value #DEFAULT_MIN_SAMPLES} latencies are known, after {@code initialDelay}.
     *
     * @param percentile the percentile, in {@code (0, 1)}
     * @param initialDelay the delay used until enough latencies are known, positive
     * @param maxHedges how many backups at most, in {@code [1, 16]}
     * @return the hedging policy
     * @throws NullPointerException if {@code initialDelay} is null
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static Hedging afterPercentile(double percentile, Duration initialDelay, int maxHedges) {
        Objects.requireNonNull(initialDelay, "initialDelay");
        if (percentile == 0) {
            throw new IllegalArgumentException("percentile must be in (0, 1), e.g. 0.95, was 0.0");
        }
        return new Hedging(initialDelay, percentile, maxHedges, DEFAULT_MIN_SAMPLES);
    }

    /**
     * The same policy with a different number of latencies required before the percentile is used.
     *
     * @param minSamples at least 1
     * @return the new policy
     * @throws IllegalArgumentException if {@code minSamples} is below 1
     */
    public Hedging minSamples(int minSamples) {
        return new Hedging(delay, percentile, maxHedges, minSamples);
    }
}
