package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.core.sync.AsyncLock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds an {@link AsyncLock} to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the lock weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.lock.locked}</td><td>gauge</td><td>{@code Stats.locked}</td></tr>
 *     <tr><td>{@code asyncpatterns.lock.waiters}</td><td>gauge</td><td>{@code Stats.waiters}</td></tr>
 *     <tr><td>{@code asyncpatterns.lock.waits}</td><td>function counter</td><td>{@code Stats.waited}</td></tr>
 *     <tr><td>{@code asyncpatterns.lock.wait.duration}</td><td>function timer</td><td>{@code Stats.granted()}, {@code Stats.waitTime}</td></tr>
 *     <tr><td>{@code asyncpatterns.lock.timeouts}</td><td>function counter</td><td>{@code Stats.timedOut}</td></tr>
 *     <tr><td>{@code asyncpatterns.lock.cancellations}</td><td>function counter</td><td>{@code Stats.cancelled}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=lock}
 *
 * @since 0.1.0
 */
public final class LockMetrics extends ComponentMetrics<AsyncLock> {

    /**
     * A binder for {@code lock}.
     *
     * @param lock the lock
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public LockMetrics(AsyncLock lock, Iterable<Tag> tags) {
        super(lock, "lock", c -> c.name(), tags);
    }

    /**
     * Binds {@code lock} to {@code registry}.
     *
     * @param <T> the lock's type
     * @param registry the registry
     * @param lock the lock
     * @param tags extra tags as key/value pairs
     * @return {@code lock}, for chaining
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code tags} has an odd length
     */
    public static <T extends AsyncLock> T monitor(MeterRegistry registry, T lock, String... tags) {
        new LockMetrics(lock, Tags.of(tags)).bindTo(registry);
        return lock;
    }

    @Override
    void bind(Meters<AsyncLock> meters) {
        meters.gauge(
                        "locked",
                        null,
                        "1 while somebody holds the lock, else 0",
                        c -> c.stats().locked() ? 1 : 0)
                .waitQueue("lock requests", c -> {
                    AsyncLock.Stats s = c.stats();
                    return new WaitFigures(
                            s.waiters(), s.waited(), s.granted(), s.waitTime().toNanos(), s.timedOut(), s.cancelled());
                });
    }
}
