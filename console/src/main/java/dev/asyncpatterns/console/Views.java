package dev.asyncpatterns.console;

import java.util.Objects;

/** Argument checks shared by the console's public types. */
final class Views {

    private Views() {}

    /** A name shown on the page: not blank, at most 100 characters, no control characters. */
    static String requireWord(String value, String parameter) {
        Objects.requireNonNull(value, parameter);
        if (value.isBlank() || value.length() > 100 || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    parameter + " must be 1-100 characters without control characters, was \"" + value + "\"");
        }
        return value;
    }
}
