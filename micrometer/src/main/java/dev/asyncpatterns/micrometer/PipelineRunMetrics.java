package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.pipeline.PipelineRun;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds a {@link PipelineRun} to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the pipeline run weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.pipeline.elements.in}</td><td>function counter</td><td>{@code Stats.elementsIn}</td></tr>
 *     <tr><td>{@code asyncpatterns.pipeline.elements.out}</td><td>function counter</td><td>{@code Stats.elementsOut}</td></tr>
 *     <tr><td>{@code asyncpatterns.pipeline.failures}</td><td>function counter</td><td>{@code Stats.failures}</td></tr>
 *     <tr><td>{@code asyncpatterns.pipeline.depth}</td><td>gauge</td><td>{@code Stats.depth}</td></tr>
 *     <tr><td>{@code asyncpatterns.pipeline.done}</td><td>gauge</td><td>{@code Stats.done}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=pipeline}
 *
 * @since 0.1.0
 */
public final class PipelineRunMetrics extends ComponentMetrics<PipelineRun<?>> {

    /**
     * A binder for {@code run}.
     *
     * @param run the pipeline run
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public PipelineRunMetrics(PipelineRun<?> run, Iterable<Tag> tags) {
        super(run, "pipeline", c -> c.name(), tags);
    }

    /**
     * Binds {@code run} to {@code registry}.
     *
     * @param <T> the pipeline run's type
     * @param registry the registry
     * @param run the pipeline run
     * @param tags extra tags as key/value pairs
     * @return {@code run}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends PipelineRun<?>> T monitor(MeterRegistry registry, T run, String... tags) {
        new PipelineRunMetrics(run, Tags.of(tags)).bindTo(registry);
        return run;
    }

    @Override
    void bind(Meters<PipelineRun<?>> meters) {
        meters.counter(
                        "elements.in",
                        null,
                        "elements the source emitted",
                        c -> c.stats().elementsIn())
                .counter(
                        "elements.out",
                        null,
                        "elements the sink consumed",
                        c -> c.stats().elementsOut())
                .counter(
                        "failures",
                        null,
                        "element failures and drops over all stages",
                        c -> c.stats().failures())
                .gauge(
                        "depth",
                        "elements",
                        "elements held in buffers and calls in flight now",
                        c -> c.stats().depth())
                .gauge(
                        "done",
                        null,
                        "1 once the run has completed, else 0",
                        c -> c.stats().done() ? 1 : 0);
    }
}
