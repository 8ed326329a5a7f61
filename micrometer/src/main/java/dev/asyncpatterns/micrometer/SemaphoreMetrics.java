package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.core.sync.AsyncSemaphore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds an {@link AsyncSemaphore} to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the semaphore weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.semaphore.available}</td><td>gauge</td><td>{@code Stats.available}</td></tr>
 *     <tr><td>{@code asyncpatterns.semaphore.waiters}</td><td>gauge</td><td>{@code Stats.waiters}</td></tr>
 *     <tr><td>{@code asyncpatterns.semaphore.waits}</td><td>function counter</td><td>{@code Stats.waited}</td></tr>
 *     <tr><td>{@code asyncpatterns.semaphore.wait.duration}</td><td>function timer</td><td>{@code Stats.granted()}, {@code Stats.waitTime}</td></tr>
 *     <tr><td>{@code asyncpatterns.semaphore.timeouts}</td><td>function counter</td><td>{@code Stats.timedOut}</td></tr>
 *     <tr><td>{@code asyncpatterns.semaphore.cancellations}</td><td>function counter</td><td>{@code Stats.cancelled}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=semaphore}
 *
 * @since 0.1.0
 */
public final class SemaphoreMetrics extends ComponentMetrics<AsyncSemaphore> {

    /**
     * A binder for {@code semaphore}.
     *
     * @param semaphore the semaphore
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public SemaphoreMetrics(AsyncSemaphore semaphore, Iterable<Tag> tags) {
        super(semaphore, "semaphore", c -> c.name(), tags);
    }

    /**
     * Binds {@code semaphore} to {@code registry}.
     *
     * @param <T> the semaphore's type
     * @param registry the registry
     * @param semaphore the semaphore
     * @param tags extra tags as key/value pairs
     * @return {@code semaphore}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends AsyncSemaphore> T monitor(MeterRegistry registry, T semaphore, String... tags) {
        new SemaphoreMetrics(semaphore, Tags.of(tags)).bindTo(registry);
        return semaphore;
    }

    @Override
    void bind(Meters<AsyncSemaphore> meters) {
        meters.gauge("available", "permits", "permits free now", c -> c.stats().available())
                .waitQueue("acquire requests", c -> {
                    AsyncSemaphore.Stats s = c.stats();
                    return new WaitFigures(
                            s.waiters(), s.waited(), s.granted(), s.waitTime().toNanos(), s.timedOut(), s.cancelled());
                });
    }
}
