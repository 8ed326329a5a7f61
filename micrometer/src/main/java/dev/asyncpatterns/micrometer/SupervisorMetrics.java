package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.core.supervision.Supervisor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds a {@link Supervisor} to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the supervisor weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.supervisor.children}</td><td>gauge</td><td>{@code Stats.children}</td></tr>
 *     <tr><td>{@code asyncpatterns.supervisor.running}</td><td>gauge</td><td>{@code Stats.running}</td></tr>
 *     <tr><td>{@code asyncpatterns.supervisor.restarting}</td><td>gauge</td><td>{@code Stats.restarting}</td></tr>
 *     <tr><td>{@code asyncpatterns.supervisor.active}</td><td>gauge</td><td>{@code Stats.active}</td></tr>
 *     <tr><td>{@code asyncpatterns.supervisor.restarts}</td><td>function counter</td><td>{@code Stats.restarts}</td></tr>
 *     <tr><td>{@code asyncpatterns.supervisor.child.failures}</td><td>function counter</td><td>{@code Stats.failed}</td></tr>
 *     <tr><td>{@code asyncpatterns.supervisor.escalations}</td><td>function counter</td><td>{@code Stats.gaveUp}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=supervisor}
 *
 * @since 0.1.0
 */
public final class SupervisorMetrics extends ComponentMetrics<Supervisor> {

    /**
     * A binder for {@code supervisor}.
     *
     * @param supervisor the supervisor
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public SupervisorMetrics(Supervisor supervisor, Iterable<Tag> tags) {
        super(supervisor, "supervisor", c -> c.name(), tags);
    }

    /**
     * Binds {@code supervisor} to {@code registry}.
     *
     * @param <T> the supervisor's type
     * @param registry the registry
     * @param supervisor the supervisor
     * @param tags extra tags as key/value pairs
     * @return {@code supervisor}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends Supervisor> T monitor(MeterRegistry registry, T supervisor, String... tags) {
        new SupervisorMetrics(supervisor, Tags.of(tags)).bindTo(registry);
        return supervisor;
    }

    @Override
    void bind(Meters<Supervisor> meters) {
        meters.gauge("children", "children", "children", c -> c.stats().children())
                .gauge(
                        "running",
                        "children",
                        "children running now",
                        c -> c.stats().running())
                .gauge(
                        "restarting",
                        "children",
                        "children waiting for their backoff delay",
                        c -> c.stats().restarting())
                .gauge(
                        "active",
                        null,
                        "1 while the supervisor runs, else 0",
                        c -> c.stats().active() ? 1 : 0)
                .counter("restarts", null, "restart decisions", c -> c.stats().restarts())
                .counter(
                        "child.failures",
                        null,
                        "child runs that failed",
                        c -> c.stats().failed())
                .counter(
                        "escalations",
                        null,
                        "times the supervisor gave up",
                        c -> c.stats().gaveUp());
    }
}
