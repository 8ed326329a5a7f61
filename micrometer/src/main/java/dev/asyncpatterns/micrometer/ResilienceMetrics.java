package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.resilience.AsyncResilience;
import dev.asyncpatterns.resilience.FailureKind;
import dev.asyncpatterns.resilience.ResilienceEvent;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Binds an {@link AsyncResilience} decorator to a Micrometer registry, and records its call and
 * attempt durations from its events. Meters are tagged {@code name} = the decorator's name plus the
 * given tags. Holds the decorator weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.resilience.calls{result=succeeded|failed|cancelled}}</td><td>function counter</td><td>{@code Stats.succeeded/failed/cancelled}</td></tr>
 *     <tr><td>{@code asyncpatterns.resilience.in.flight}</td><td>gauge</td><td>{@code Stats.inFlight()}</td></tr>
 *     <tr><td>{@code asyncpatterns.resilience.attempts}</td><td>function counter</td><td>{@code Stats.attempts}</td></tr>
 *     <tr><td>{@code asyncpatterns.resilience.attempt.failures{kind=error|circuit_open|...}}</td><td>function counter</td><td>{@code Stats.attemptFailures}</td></tr>
 *     <tr><td>{@code asyncpatterns.resilience.retries}</td><td>function counter</td><td>{@code Stats.retries}</td></tr>
 *     <tr><td>{@code asyncpatterns.resilience.hedges}</td><td>function counter</td><td>{@code Stats.hedges}</td></tr>
 *     <tr><td>{@code asyncpatterns.resilience.hedge.wins}</td><td>function counter</td><td>{@code Stats.hedgeWins}</td></tr>
 *     <tr><td>{@code asyncpatterns.resilience.fallbacks}</td><td>function counter</td><td>{@code Stats.fallbacks}</td></tr>
 *     <tr><td>{@code asyncpatterns.resilience.circuit.transitions}</td><td>function counter</td><td>{@code Stats.circuitTransitions}</td></tr>
 *     <tr><td>{@code asyncpatterns.resilience.circuit.state{state=closed|open|half_open|...}}</td><td>gauge (1 for the current state), only with a circuit breaker</td><td>{@code Stats.circuitState}</td></tr>
 *     <tr><td>{@code asyncpatterns.resilience.call.duration{result=succeeded|error|timeout|...}}</td><td>timer, from {@link #timers}</td><td>{@link ResilienceEvent.CallFinished}</td></tr>
 *     <tr><td>{@code asyncpatterns.resilience.attempt.duration{result=succeeded|error|timeout|...}}</td><td>timer, from {@link #timers}</td><td>{@link ResilienceEvent.AttemptSucceeded}, {@link ResilienceEvent.AttemptFailed}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=resilience}
 *
 * @since 0.1.0
 */
public final class ResilienceMetrics extends ComponentMetrics<AsyncResilience<?>> {

    private static final String[] CALL_RESULTS = {"succeeded", "failed", "cancelled"};

    /**
     * A binder for {@code decorator}.
     *
     * @param decorator the decorator
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public ResilienceMetrics(AsyncResilience<?> decorator, Iterable<Tag> tags) {
        super(decorator, "resilience", c -> c.name(), tags);
    }

    /**
     * Binds {@code decorator}'s counters and gauges to {@code registry} (for the duration timers,
     * give {@link #timers} to its builder's {@code onEvent} too).
     *
     * @param <T> the decorator's type
     * @param registry the registry
     * @param decorator the decorator
     * @param tags extra tags as key/value pairs
     * @return {@code decorator}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends AsyncResilience<?>> T monitor(MeterRegistry registry, T decorator, String... tags) {
        new ResilienceMetrics(decorator, Tags.of(tags)).bindTo(registry);
        return decorator;
    }

    /**
     * An event listener that records {@code asyncpatterns.resilience.call.duration} and
     * {@code asyncpatterns.resilience.attempt.duration} timers, tagged {@code name} = the event's
     * decorator name, {@code result} = {@code succeeded} or the {@link FailureKind} in lower case
     * (a call rescued by a fallback is tagged with the kind it replaced), plus {@code tags}.
     * Register it on a decorator's builder ({@code .onEvent(ResilienceMetrics.timers(registry))},
     * combined with another listener through {@link Consumer#andThen}); one listener may serve many
     * decorators. It
     * holds the registry, never a decorator. Attempts refused before they started (open circuit,
     * full bulkhead) are recorded with their zero latency.
     *
     * @param registry the registry
     * @param tags extra tags as key/value pairs
     * @return the listener
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static Consumer<ResilienceEvent> timers(MeterRegistry registry, String... tags) {
        Objects.requireNonNull(registry, "registry");
        Tags extra = Tags.of(tags);
        Map<String, Timer> timers = new ConcurrentHashMap<>();
        return event -> {
            switch (event) {
                case ResilienceEvent.CallFinished e ->
                    record(registry, extra, timers, "call", e.name(), result(e.kind()), e.elapsed());
                case ResilienceEvent.AttemptSucceeded e ->
                    record(registry, extra, timers, "attempt", e.name(), "succeeded", e.latency());
                case ResilienceEvent.AttemptFailed e ->
                    record(registry, extra, timers, "attempt", e.name(), result(e.kind()), e.latency());
                default -> {}
            }
        };
    }

    private static void record(
            MeterRegistry registry,
            Tags extra,
            Map<String, Timer> timers,
            String what,
            String name,
            String result,
            Duration duration) {
        Timer timer = timers.computeIfAbsent(
                what + '\u0000' + name + '\u0000' + result,
                key -> Timer.builder("asyncpatterns.resilience." + what + ".duration")
                        .description(
                                "call".equals(what)
                                        ? "calls through the decorator, from call to end"
                                        : "attempts, from start to outcome")
                        .tags(Tags.of("name", name, "result", result).and(extra))
                        .register(registry));
        timer.record(duration);
    }

    private static String result(@Nullable FailureKind kind) { // null: a call that succeeded
        return kind == null ? "succeeded" : kind.name().toLowerCase(Locale.ROOT);
    }

    @Override
    void bind(Meters<AsyncResilience<?>> meters) {
        meters.partition(
                        "calls",
                        null,
                        "calls through the decorator, by how they ended",
                        "result",
                        CALL_RESULTS,
                        result -> result,
                        ResilienceMetrics::callCount)
                .gauge(
                        "in.flight",
                        "calls",
                        "calls not finished yet",
                        c -> c.stats().inFlight())
                .counter(
                        "attempts",
                        null,
                        "attempts started, hedges included",
                        c -> c.stats().attempts())
                .partition(
                        "attempt.failures",
                        null,
                        "attempt failures by kind",
                        "kind",
                        FailureKind.values(),
                        kind -> kind.name().toLowerCase(Locale.ROOT),
                        kind -> c -> c.stats().attemptFailures(kind))
                .counter("retries", null, "retries scheduled", c -> c.stats().retries())
                .counter(
                        "hedges",
                        null,
                        "hedged backup attempts started",
                        c -> c.stats().hedges())
                .counter(
                        "hedge.wins",
                        null,
                        "calls won by a hedged backup",
                        c -> c.stats().hedgeWins())
                .counter(
                        "fallbacks",
                        null,
                        "calls whose failure a fallback replaced",
                        c -> c.stats().fallbacks())
                .counter(
                        "circuit.transitions",
                        null,
                        "circuit breaker state changes observed",
                        c -> c.stats().circuitTransitions());
        if (meters.component().stats().circuitState().isPresent()) {
            for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
                meters.gauge(
                        "circuit.state",
                        null,
                        "1 for the circuit breaker's current state, else 0",
                        c -> c.stats().circuitState().orElse(null) == state ? 1 : 0,
                        "state",
                        state.name().toLowerCase(Locale.ROOT));
            }
        }
    }

    private static java.util.function.ToDoubleFunction<AsyncResilience<?>> callCount(String result) {
        return switch (result) {
            case "succeeded" -> c -> c.stats().succeeded();
            case "failed" -> c -> c.stats().failed();
            default -> c -> c.stats().cancelled();
        };
    }
}
