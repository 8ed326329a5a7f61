package dev.asyncpatterns.core.internal;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

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
    public static void unset(@Nullable Object current, String setting) {
        if (current != null) {
            throw new IllegalStateException(setting + " was already set to " + current);
        }
    }

    /**
     * A builder setting that may be given once, in one call: checks that {@code value} is not
     * null and that the setting was not given before ({@link #unset}), and returns {@code value}
     * for the builder to store.
     *
     * @param <T> the setting's type
     * @param current the setting's current value, {@code null} if it was not given
     * @param value the value given
     * @param parameter the parameter's name, for the {@link NullPointerException}
     * @param setting the setting's name, for the {@link IllegalStateException}
     * @return {@code value}
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalStateException if the setting was already given
     */
    public static <T> T setOnce(@Nullable Object current, T value, String parameter, String setting) {
        Objects.requireNonNull(value, parameter);
        unset(current, setting);
        return value;
    }

    /** The longest component name {@link #name} accepts. */
    public static final int MAX_NAME_LENGTH = 200;

    /**
     * Checks a component name given to a builder (ADR core-0003): it becomes a log word and a
     * metrics tag value, so it must be non-blank, at most {@value #MAX_NAME_LENGTH} characters,
     * and free of control characters.
     *
     * @param name the name
     * @return {@code name}
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if it is blank, too long or holds a control character
     */
    public static String name(String name) {
        java.util.Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, was \"" + name + "\"");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(
                    "name must be at most " + MAX_NAME_LENGTH + " characters, was " + name.length());
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    "name must not contain control characters, was \"" + name.replaceAll("\\p{Cntrl}", "?") + "\"");
        }
        return name;
    }

    /**
     * The default name of an unnamed component: {@code <kind>@<identity hash>}.
     *
     * @param kind the component kind, e.g. {@code "semaphore"}
     * @param component the component
     * @return the name
     */
    public static String defaultName(String kind, Object component) {
        return kind + "@" + Integer.toHexString(System.identityHashCode(component));
    }
}
