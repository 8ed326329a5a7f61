package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.redis.CircuitState;
import java.util.Locale;
import java.util.function.Function;

/**
 * The meters both Redis binders have for their calls to Redis: failures, timeouts, calls refused
 * by the open circuit, and the circuit's state. Loaded only by those binders, so applications
 * without the redis module never touch its types.
 */
final class RedisCallMeters {

    /** The call figures of one stats snapshot. */
    record Figures(long failed, long timedOut, long rejected, CircuitState circuitState) {}

    private RedisCallMeters() {}

    /**
     * Registers the counters of failed, timed-out and refused calls and the gauge
     * {@code circuit.state{state=closed|open|half_open}} (1 for the current state, else 0).
     * {@code figures} must not capture the component.
     */
    static <C> void bind(ComponentMetrics.Meters<C> meters, String calls, Function<C, Figures> figures) {
        meters.counter(
                        "failures",
                        null,
                        calls + " that failed in Redis or in transit, timeouts included",
                        c -> figures.apply(c).failed())
                .counter(
                        "timeouts",
                        null,
                        calls + " that did not answer within the timeout",
                        c -> figures.apply(c).timedOut())
                .counter(
                        "rejections",
                        null,
                        calls + " not sent because the circuit was open",
                        c -> figures.apply(c).rejected());
        for (CircuitState state : CircuitState.values()) {
            meters.gauge(
                    "circuit.state",
                    null,
                    "1 for the circuit breaker's current state, else 0",
                    c -> figures.apply(c).circuitState() == state ? 1 : 0,
                    "state",
                    state.name().toLowerCase(Locale.ROOT));
        }
    }
}
