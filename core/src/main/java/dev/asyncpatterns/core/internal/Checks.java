package dev.asyncpatterns.core.internal;

/**
 * Argument checks that name the parameter and the bad value (contract rule 8). Not part of the
 * API. Use {@link java.util.Objects#requireNonNull(Object, String)} for nulls.
 */
public final class Checks {

    private Checks() {}

    /**
     * Checks that {@code value} is at least 1.
     *
     * @param value the value to check
     * @param name the parameter name to report
     * @return the value
     * @throws IllegalArgumentException if {@code value < 1}
     */
    public static int positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }

    /**
     * Checks that {@code value} is at least 1.
     *
     * @param value the value to check
     * @param name the parameter name to report
     * @return the value
     * @throws IllegalArgumentException if {@code value < 1}
     */
    public static long positive(long value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }

    /**
     * Checks that {@code value} is zero or more.
     *
     * @param value the value to check
     * @param name the parameter name to report
     * @return the value
     * @throws IllegalArgumentException if {@code value < 0}
     */
    public static int nonNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }

    /**
     * Checks that {@code value} is zero or more.
     *
     * @param value the value to check
     * @param name the parameter name to report
     * @return the value
     * @throws IllegalArgumentException if {@code value < 0}
     */
    public static long nonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }

    /**
     * Checks that {@code value} is a finite number above zero.
     *
     * @param value the value to check
     * @param name the parameter name to report
     * @return the value
     * @throws IllegalArgumentException if {@code value} is not finite or is {@code <= 0}
     */
    public static double positive(double value, String name) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be positive and finite, was " + value);
        }
        return value;
    }

    /**
     * Checks that a builder setting is given only once.
     *
     * @param alreadySet whether the setting was given before
     * @param setting the setting's name to report
     * @throws IllegalStateException ({@code "<setting> was already set"}) if {@code alreadySet}
     */
    public static void once(boolean alreadySet, String setting) {
        if (alreadySet) {
            throw new IllegalStateException(setting + " was already set");
        }
    }

    /**
     * Checks that a builder setting is given only once, naming the value it already has.
     *
     * @param current the setting's current value, {@code null} if it was not given
     * @param setting the setting's name to report
     * @throws IllegalStateException ({@code "<setting> was already set to <current>"}) if
     *     {@code current} is not null
     */
    public static void unset(Object current, String setting) {
        if (current != null) {
            throw new IllegalStateException(setting + " was already set to " + current);
        }
    }
}
