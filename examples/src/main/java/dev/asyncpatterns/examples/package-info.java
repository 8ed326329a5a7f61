/**
 * Runnable programs, one per pattern, and the {@link dev.asyncpatterns.examples.Launcher} that
 * lists and starts them. Not published; NullAway checks them like library code.
 */
@NullMarked
package dev.asyncpatterns.examples;

import org.jspecify.annotations.NullMarked;
