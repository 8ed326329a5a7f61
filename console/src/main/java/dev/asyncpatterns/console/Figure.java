package dev.asyncpatterns.console;

import java.util.Objects;

/**
 * One number on a panel.
 *
 * @param name what it counts, e.g. {@code "depth"}; shown as is
 * @param value its current value ({@code NaN} when unknown)
 * @param kind how the page shows it: a gauge's chart shows its value, a counter's chart its rate
 *     per second, a ratio is shown as a percentage
 * @since 0.1.0
 */
public record Figure(String name, double value, Kind kind) {

    /** How a figure is read and charted. */
    public enum Kind {
        /** A level that goes up and down (depth, in flight, waiters). */
        GAUGE,
        /** A monotonic count (succeeded, failed); charted as a rate per second. */
        COUNTER,
        /** A fraction between 0 and 1 (hit ratio); shown as a percentage. */
        RATIO
    }

    /**
     * Checks the arguments.
     *
     * @throws NullPointerException if {@code name} or {@code kind} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Figure {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
    }

    /**
     * A gauge.
     *
     * @param name the figure's name
     * @param value its value
     * @return the figure
     */
    public static Figure gauge(String name, double value) {
        return new Figure(name, value, Kind.GAUGE);
    }

    /**
     * A counter (monotonic).
     *
     * @param name the figure's name
     * @param value its value
     * @return the figure
     */
    public static Figure counter(String name, double value) {
        return new Figure(name, value, Kind.COUNTER);
    }

    /**
     * A ratio between 0 and 1.
     *
     * @param name the figure's name
     * @param value its value
     * @return the figure
     */
    public static Figure ratio(String name, double value) {
        return new Figure(name, value, Kind.RATIO);
    }
}
