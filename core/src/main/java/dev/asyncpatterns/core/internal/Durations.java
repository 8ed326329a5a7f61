package dev.asyncpatterns.core.internal;

import java.time.Duration;
import java.util.Objects;

/** Duration helpers shared by the modules. Not part of the API. */
public final class Durations {

    private Durations() {}

    /**
     * Converts to nanoseconds, saturating at {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE}
     * instead of throwing {@link ArithmeticException} on overflow.
     *
     * @param duration the duration
     * @return its length in nanoseconds, saturated
     */
    public static long toNanosSaturated(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        try {
            return duration.toNanos();
        } catch (ArithmeticException overflow) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * Adds nanoseconds to a monotonic reading without wrapping around.
     *
     * @param now a reading of {@code nanoTime()}
     * @param nanos a non-negative amount to add
     * @return {@code now + nanos}, or {@link Long#MAX_VALUE} if that would overflow
     */
    public static long saturatedAdd(long now, long nanos) {
        long sum = now + nanos;
        return ((now ^ sum) & (nanos ^ sum)) < 0 ? (nanos > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : sum;
    }

    /**
     * Checks that a duration is strictly positive.
     *
     * @param duration the duration to check
     * @param name the parameter name to report
     * @return the duration
     * @throws NullPointerException if it is null
     * @throws IllegalArgumentException if it is zero or negative
     */
    public static Duration requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
        return duration;
    }

    /**
     * Checks that a duration is zero or positive.
     *
     * @param duration the duration to check
     * @param name the parameter name to report
     * @return the duration
     * @throws NullPointerException if it is null
     * @throws IllegalArgumentException if it is negative
     */
    public static Duration requireNonNegative(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + duration);
        }
        return duration;
    }
}
