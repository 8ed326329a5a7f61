package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.core.scope.TaskScope;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds a {@link TaskScope} to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the scope weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.scope.in.flight}</td><td>gauge</td><td>{@code Stats.inFlight}</td></tr>
 *     <tr><td>{@code asyncpatterns.scope.forks.started}</td><td>function counter</td><td>{@code Stats.forked}</td></tr>
 *     <tr><td>{@code asyncpatterns.scope.forks{result=succeeded}}</td><td>function counter</td><td>{@code Stats.succeeded}</td></tr>
 *     <tr><td>{@code asyncpatterns.scope.forks{result=failed}}</td><td>function counter</td><td>{@code Stats.failed}</td></tr>
 *     <tr><td>{@code asyncpatterns.scope.forks{result=cancelled}}</td><td>function counter</td><td>{@code Stats.cancelled}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=scope}
 *
 * @since 0.1.0
 */
public final class TaskScopeMetrics extends ComponentMetrics<TaskScope> {

    /**
     * A binder for {@code scope}.
     *
     * @param scope the scope
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public TaskScopeMetrics(TaskScope scope, Iterable<Tag> tags) {
        super(scope, "scope", c -> c.name(), tags);
    }

    /**
     * Binds {@code scope} to {@code registry}.
     *
     * @param <T> the scope's type
     * @param registry the registry
     * @param scope the scope
     * @param tags extra tags as key/value pairs
     * @return {@code scope}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends TaskScope> T monitor(MeterRegistry registry, T scope, String... tags) {
        new TaskScopeMetrics(scope, Tags.of(tags)).bindTo(registry);
        return scope;
    }

    @Override
    void bind(Meters<TaskScope> meters) {
        meters.gauge(
                        "in.flight",
                        "forks",
                        "forks not finished yet",
                        c -> c.stats().inFlight())
                .counter("forks.started", null, "forks started", c -> c.stats().forked())
                .counter("forks", null, "forks that succeeded", c -> c.stats().succeeded(), "result", "succeeded")
                .counter("forks", null, "forks that failed", c -> c.stats().failed(), "result", "failed")
                .counter("forks", null, "forks cancelled", c -> c.stats().cancelled(), "result", "cancelled");
    }
}
