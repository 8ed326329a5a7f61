package dev.asyncpatterns.core.supervision;

import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * An immutable value: kind of growth (fixed / exponential), jitter, cap, attempt limit and an
 * optional seed. All arithmetic is in nanoseconds; the un-jittered exponential delay is computed
 * in double and clamped to the cap before converting, so attempt 1,000,000 yields the cap (or
 * Long.MAX_VALUE ns when uncapped) instead of overflowing or going negative.
 *
 * Randomness: unseeded instances draw from ThreadLocalRandom (no shared state, no contention).
 * Seeded instances are pure: delay(n) draws from a SplittableRandom seeded by (seed, n), so the
 * same Backoff returns the same delay for the same attempt on every call and thread; a Sequence
 * of a seeded Backoff draws from SplittableRandom(seed), so every sequence replays the same
 * delays. Decorrelated jitter needs the previous delay, hence Sequence; delay(n) on its own uses
 * the largest value the previous delay could have had (documented on the method).
 */
/**
 * How long to wait before retrying or restarting: fixed or exponential delays, optionally
 * jittered (full, equal or decorrelated jitter as described in the AWS Architecture Blog post
 * "Exponential Backoff And Jitter"), capped, with an optional limit on attempts.
 *
 * <p>An immutable, thread-safe value: every setter returns a new instance.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.LifecycleSnippets region=backoff}
 *
 * <p>Attempts are numbered from 1: {@code delay(n)} is the wait after attempt {@code n} failed
 * and before attempt {@code n + 1}. With {@code maxAttempts(m)} there are at most {@code m}
 * attempts in total, so {@code delay(n)} is empty for {@code n >= m}.
 *
 * <p>Un-jittered delay for attempt {@code n}: {@code base * multiplier^(n-1)} for exponential,
 * {@code base} for fixed, never more than the cap. Jitter then picks:
 * <ul>
 *   <li>{@link Jitter#NONE}: that delay;</li>
 *   <li>{@link Jitter#FULL}: uniformly in {@code [0, delay]};</li>
 *   <li>{@link Jitter#EQUAL}: {@code delay/2} plus uniformly {@code [0, delay/2]};</li>
 *   <li>{@link Jitter#DECORRELATED}: uniformly in {@code [base, min(cap, 3 * previous)]}, the
 *       previous delay starting at {@code base} (use {@link #sequence()}).</li>
 * </ul>
 *
 * <p>Randomness is deterministic after {@link #seed(long)}: tests get the same delays every run.
 * Without a seed each draw uses {@link ThreadLocalRandom}.
 *
 * @since 0.1.0
 */
public final class Backoff {

    /** How a computed delay is randomised. */
    public enum Jitter {
        /** No randomisation. */
        NONE,
        /** Uniform in {@code [0, delay]}. */
        FULL,
        /** Half the delay plus uniform in {@code [0, delay/2]}. */
        EQUAL,
        /** Uniform in {@code [base, min(cap, 3 * previous delay)]}. */
        DECORRELATED
    }

    /** The multiplier {@link #exponential(Duration)} uses. */
    public static final double DEFAULT_MULTIPLIER = 2.0;

    /** The factor decorrelated jitter grows the previous delay by, as in the AWS formula. */
    public static final int DECORRELATED_FACTOR = 3;

    private final long baseNanos;
    private final double multiplier; // 1.0 for fixed
    private final Jitter jitter;
    private final long capNanos; // Long.MAX_VALUE when uncapped
    private final int maxAttempts; // Integer.MAX_VALUE when unlimited
    private final boolean seeded;
    private final long seed;

    private Backoff(
            long baseNanos,
            double multiplier,
            Jitter jitter,
            long capNanos,
            int maxAttempts,
            boolean seeded,
            long seed) {
        this.baseNanos = baseNanos;
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.capNanos = capNanos;
        this.maxAttempts = maxAttempts;
        this.seeded = seeded;
        this.seed = seed;
    }

    // ---------------------------------------------------------------- factories

    /**
     * The same delay before every retry, unlimited attempts, no jitter.
     *
     * @param delay the delay, zero or positive
     * @return the backoff
     * @throws NullPointerException if {@code delay} is null
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public static Backoff fixed(Duration delay) {
        Durations.requireNonNegative(delay, "delay");
        return new Backoff(
                Durations.toNanosSaturated(delay), 1.0, Jitter.NONE, Long.MAX_VALUE, Integer.MAX_VALUE, false, 0);
    }

    /**
     * Doubling delays starting at {@code base}, unlimited attempts, no jitter, no cap (delays
     * saturate at {@link Long#MAX_VALUE} nanoseconds; set a {@link #cap(Duration)}).
     *
     * @param base the first delay, positive
     * @return the backoff
     * @throws NullPointerException if {@code base} is null
     * @throws IllegalArgumentException if {@code base} is zero or negative
     */
    public static Backoff exponential(Duration base) {
        return exponential(base, DEFAULT_MULTIPLIER);
    }

    /**
     * Delays growing by {@code multiplier} per attempt, starting at {@code base}.
     *
     * @param base the first delay, positive
     * @param multiplier growth per attempt, finite and at least 1
     * @return the backoff
     * @throws NullPointerException if {@code base} is null
     * @throws IllegalArgumentException if {@code base} is not positive or {@code multiplier} is
     *     below 1, infinite or NaN
     */
    public static Backoff exponential(Duration base, double multiplier) {
        Durations.requirePositive(base, "base");
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be finite and >= 1, was " + multiplier);
        }
        return new Backoff(
                Durations.toNanosSaturated(base), multiplier, Jitter.NONE, Long.MAX_VALUE, Integer.MAX_VALUE, false, 0);
    }

    // ---------------------------------------------------------------- settings (copies)

    /**
     * This backoff with the given jitter.
     *
     * @param jitter how to randomise delays
     * @return a new backoff
     * @throws NullPointerException if {@code jitter} is null
     */
    public Backoff jitter(Jitter jitter) {
        Objects.requireNonNull(jitter, "jitter");
        return new Backoff(baseNanos, multiplier, jitter, capNanos, maxAttempts, seeded, seed);
    }

    /**
     * This backoff with no delay longer than {@code cap} (applied before jitter, and to
     * decorrelated jitter's upper bound).
     *
     * @param cap the longest delay, positive
     * @return a new backoff
     * @throws NullPointerException if {@code cap} is null
     * @throws IllegalArgumentException if {@code cap} is zero or negative
     */
    public Backoff cap(Duration cap) {
        Durations.requirePositive(cap, "cap");
        return new Backoff(baseNanos, multiplier, jitter, Durations.toNanosSaturated(cap), maxAttempts, seeded, seed);
    }

    /**
     * This backoff allowing at most {@code maxAttempts} attempts in total (the first try
     * included), so {@link #delay(int) delay(n)} is empty for {@code n >= maxAttempts}.
     *
     * @param maxAttempts the attempt limit, at least 1 ({@code 1} means never retry)
     * @return a new backoff
     * @throws IllegalArgumentException if {@code maxAttempts < 1}
     */
    public Backoff maxAttempts(int maxAttempts) {
        Checks.positive(maxAttempts, "maxAttempts");
        return new Backoff(baseNanos, multiplier, jitter, capNanos, maxAttempts, seeded, seed);
    }

    /**
     * This backoff with deterministic jitter: the same seed gives the same delays on every run,
     * for {@link #delay(int)} and for each new {@link #sequence()}.
     *
     * @param seed the random seed
     * @return a new backoff
     */
    public Backoff seed(long seed) {
        return new Backoff(baseNanos, multiplier, jitter, capNanos, maxAttempts, true, seed);
    }

    // ---------------------------------------------------------------- queries

    /**
     * The delay to wait after attempt {@code attempt} failed, before the next attempt.
     *
     * <p>Pure for unjittered or seeded backoffs (same attempt, same answer); thread-safe always.
     * For {@link Jitter#DECORRELATED} this stateless form takes the previous delay to be as long
     * as it could have been ({@code min(cap, base * 3^(attempt-2))}); use {@link #sequence()}
     * for the true decorrelated chain.
     *
     * @param attempt the number of the attempt that just failed, from 1
     * @return the delay, or empty if no attempt may follow (the attempt limit is reached)
     * @throws IllegalArgumentException if {@code attempt < 1}
     */
    public Optional<Duration> delay(int attempt) {
        Checks.positive(attempt, "attempt");
        if (attempt >= maxAttempts) {
            return Optional.empty();
        }
        // NONE draws no number: the thread's generator stands in (no seeded one is made for it)
        RandomGenerator random = jitter == Jitter.NONE ? ThreadLocalRandom.current() : randomFor(attempt);
        long nanos;
        if (jitter == Jitter.DECORRELATED) {
            long previous = attempt == 1 ? baseNanos : grown(baseNanos, DECORRELATED_FACTOR, attempt - 2);
            nanos = decorrelated(previous, random);
        } else {
            nanos = jittered(grown(baseNanos, multiplier, attempt - 1), random);
        }
        return Optional.of(Duration.ofNanos(nanos));
    }

    /**
     * A fresh, stateful walk through the delays of one retry loop; required for true
     * {@link Jitter#DECORRELATED} jitter, convenient for the others.
     *
     * @return a new sequence positioned before the first delay
     */
    public Sequence sequence() {
        return new Sequence();
    }

    /**
     * The attempt limit.
     *
     * @return the most attempts allowed, {@link Integer#MAX_VALUE} if unlimited
     */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * The first (un-jittered) delay.
     *
     * @return the base delay
     */
    public Duration base() {
        return Duration.ofNanos(baseNanos);
    }

    /**
     * The cap.
     *
     * @return the longest delay, or empty if uncapped
     */
    public Optional<Duration> cap() {
        return capNanos == Long.MAX_VALUE ? Optional.empty() : Optional.of(Duration.ofNanos(capNanos));
    }

    /**
     * The jitter.
     *
     * @return how delays are randomised
     */
    public Jitter jitter() {
        return jitter;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Backoff that
                && baseNanos == that.baseNanos
                && Double.compare(multiplier, that.multiplier) == 0
                && jitter == that.jitter
                && capNanos == that.capNanos
                && maxAttempts == that.maxAttempts
                && seeded == that.seeded
                && seed == that.seed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(baseNanos, multiplier, jitter, capNanos, maxAttempts, seeded, seed);
    }

    @Override
    public String toString() {
        return "Backoff[" + (multiplier == 1.0 ? "fixed " : "exponential x" + multiplier + " from ")
                + Duration.ofNanos(baseNanos)
                + ", jitter=" + jitter
                + (capNanos == Long.MAX_VALUE ? "" : ", cap=" + Duration.ofNanos(capNanos))
                + (maxAttempts == Integer.MAX_VALUE ? "" : ", maxAttempts=" + maxAttempts)
                + (seeded ? ", seed=" + seed : "")
                + "]";
    }

    // ---------------------------------------------------------------- sequence

    /**
     * One retry loop's walk through the delays of its {@link Backoff}. Not thread-safe: use one
     * per loop (they are cheap).
     */
    public final class Sequence {
        private final @Nullable RandomGenerator random; // a seeded backoff's; null: the thread's generator
        private int attempt;
        private long previous = baseNanos;

        private Sequence() {
            this.random = jitter == Jitter.NONE ? null : (seeded ? new SplittableRandom(seed) : null);
        }

        /**
         * The delay after the next failed attempt, advancing the sequence.
         *
         * @return the delay, or empty once the attempt limit is reached (and from then on)
         */
        public Optional<Duration> next() {
            if (attempt < Integer.MAX_VALUE) {
                attempt++;
            }
            if (attempt >= maxAttempts) {
                return Optional.empty();
            }
            RandomGenerator rng = random != null ? random : ThreadLocalRandom.current();
            long nanos;
            if (jitter == Jitter.DECORRELATED) {
                nanos = decorrelated(previous, rng);
                previous = nanos;
            } else {
                nanos = jittered(grown(baseNanos, multiplier, attempt - 1), rng);
            }
            return Optional.of(Duration.ofNanos(nanos));
        }

        /**
         * How many delays {@link #next()} has been asked for.
         *
         * @return the number of failed attempts seen so far
         */
        public int attempts() {
            return attempt;
        }
    }

    // ---------------------------------------------------------------- arithmetic

    private RandomGenerator randomFor(int attempt) {
        return seeded ? new SplittableRandom(seed ^ (attempt * 0x9E3779B97F4A7C15L)) : ThreadLocalRandom.current();
    }

    /** {@code min(cap, base * factor^exponent)} without overflow. */
    private long grown(long base, double factor, int exponent) {
        if (exponent <= 0 || factor == 1.0) {
            return Math.min(base, capNanos);
        }
        double value = base * Math.pow(factor, exponent);
        return value >= capNanos ? capNanos : (long) value; // also catches +Infinity
    }

    private long jittered(long nanos, RandomGenerator random) {
        return switch (jitter) {
            case NONE, DECORRELATED -> nanos;
            case FULL -> uniform(random, 0, nanos);
            case EQUAL -> nanos - nanos / 2 + uniform(random, 0, nanos / 2);
        };
    }

    private long decorrelated(long previous, RandomGenerator random) {
        long upper = previous > capNanos / DECORRELATED_FACTOR
                ? capNanos
                : Math.min(capNanos, previous * DECORRELATED_FACTOR);
        long lower = Math.min(baseNanos, capNanos);
        return upper <= lower ? lower : uniform(random, lower, upper);
    }

    /** Uniform in {@code [low, high]} inclusive. */
    private static long uniform(RandomGenerator random, long low, long high) {
        if (high <= low) {
            return low;
        }
        return high == Long.MAX_VALUE ? random.nextLong(low, high) : random.nextLong(low, high + 1);
    }
}
