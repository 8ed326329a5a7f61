package dev.asyncpatterns.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One box on the console page: a component's name, kind, state and figures.
 *
 * <p>The console calls {@link #read()} once per refresh interval on its own refresh thread, never
 * under its locks. A panel that throws is shown as failing (its exception's class only) and the
 * others go on; the exception is logged at debug level.
 *
 * @since 0.1.0
 */
public interface Panel {

    /**
     * The name shown on the panel; unique within a console.
     *
     * @return the name
     */
    String name();

    /**
     * What the component is ({@code "queue"}, {@code "workers"}, {@code "circuit"}, {@code "cache"},
     * {@code "retry-queue"}, …); the page groups and labels panels by it.
     *
     * @return the kind
     */
    String kind();

    /**
     * Reads the component now. Should be cheap: it runs once per refresh.
     *
     * @return the current reading
     */
    Reading read();

    /**
     * A panel's reading.
     *
     * @param state a word for the component's state ({@code "OPEN"}, {@code "RUNNING"}), or empty
     * @param figures the numbers, in display order
     */
    record Reading(String state, List<Figure> figures) {

        /**
         * Checks and copies the arguments.
         *
         * @throws NullPointerException if an argument or a figure is null
         */
        public Reading {
            Objects.requireNonNull(state, "state");
            figures = List.copyOf(figures);
        }

        /**
         * A reading.
         *
         * @param state a word for the state, or empty
         * @param figures the numbers
         * @return the reading
         */
        public static Reading of(String state, Figure... figures) {
            return new Reading(state, List.of(figures));
        }
    }

    /**
     * A panel of gauges read from a map (insertion order kept when the map has one).
     *
     * @param name the panel's name
     * @param kind what it is
     * @param gauges reads the current values
     * @return the panel
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} or {@code kind} is blank
     */
    static Panel gauges(String name, String kind, Supplier<? extends Map<String, ? extends Number>> gauges) {
        Objects.requireNonNull(gauges, "gauges");
        return of(name, kind, () -> {
            List<Figure> figures = new ArrayList<>();
            gauges.get().forEach((figure, value) -> figures.add(Figure.gauge(figure, value.doubleValue())));
            return new Reading("", figures);
        });
    }

    /**
     * A panel whose reading comes from a function.
     *
     * @param name the panel's name
     * @param kind what it is
     * @param reader reads the component
     * @return the panel
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} or {@code kind} is blank
     */
    static Panel of(String name, String kind, Supplier<Reading> reader) {
        Views.requireWord(name, "name");
        Views.requireWord(kind, "kind");
        Objects.requireNonNull(reader, "reader");
        return new Panel() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String kind() {
                return kind;
            }

            @Override
            public Reading read() {
                return reader.get();
            }
        };
    }
}
