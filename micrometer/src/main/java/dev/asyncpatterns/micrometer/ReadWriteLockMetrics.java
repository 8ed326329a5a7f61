package dev.asyncpatterns.micrometer;

import dev.asyncpatterns.core.sync.AsyncReadWriteLock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Binds an {@link AsyncReadWriteLock} to a Micrometer registry: the meters below, tagged {@code name} = the
 * component's name plus the given tags. Holds the lock weakly: binding never keeps it alive.
 *
 * <table class="striped">
 *   <caption>Meters</caption>
 *   <thead><tr><th>meter</th><th>type</th><th>from</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code asyncpatterns.rwlock.readers}</td><td>gauge</td><td>{@code Stats.readers}</td></tr>
 *     <tr><td>{@code asyncpatterns.rwlock.write.locked}</td><td>gauge</td><td>{@code Stats.writeLocked}</td></tr>
 *     <tr><td>{@code asyncpatterns.rwlock.waiters}</td><td>gauge</td><td>{@code Stats.waiters}</td></tr>
 *     <tr><td>{@code asyncpatterns.rwlock.waits}</td><td>function counter</td><td>{@code Stats.waited}</td></tr>
 *     <tr><td>{@code asyncpatterns.rwlock.wait.duration}</td><td>function timer</td><td>{@code Stats.granted()}, {@code Stats.waitTime}</td></tr>
 *     <tr><td>{@code asyncpatterns.rwlock.timeouts}</td><td>function counter</td><td>{@code Stats.timedOut}</td></tr>
 *     <tr><td>{@code asyncpatterns.rwlock.cancellations}</td><td>function counter</td><td>{@code Stats.cancelled}</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet class=dev.asyncpatterns.micrometer.MetricsSnippets region=readWriteLock}
 *
 * @since 0.1.0
 */
public final class ReadWriteLockMetrics extends ComponentMetrics<AsyncReadWriteLock> {

    /**
     * A binder for {@code lock}.
     *
     * @param lock the lock
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public ReadWriteLockMetrics(AsyncReadWriteLock lock, Iterable<Tag> tags) {
        super(lock, "rwlock", c -> c.name(), tags);
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
    public static <T extends AsyncReadWriteLock> T monitor(MeterRegistry registry, T lock, String... tags) {
        new ReadWriteLockMetrics(lock, Tags.of(tags)).bindTo(registry);
        return lock;
    }

    @Override
    void bind(Meters<AsyncReadWriteLock> meters) {
        meters.gauge(
                        "readers",
                        "readers",
                        "readers holding the lock now",
                        c -> c.stats().readers())
                .gauge(
                        "write.locked",
                        null,
                        "1 while a writer holds the lock, else 0",
                        c -> c.stats().writeLocked() ? 1 : 0)
                .waitQueue("read and write requests", c -> {
                    AsyncReadWriteLock.Stats s = c.stats();
                    return new WaitFigures(
                            s.waiters(), s.waited(), s.granted(), s.waitTime().toNanos(), s.timedOut(), s.cancelled());
                });
    }
}
