package dev.asyncpatterns.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * No strong reference to the component, anywhere: the binder keeps a WeakReference (a user may
 * keep the binder), and each meter is built with the component as its state object, which
 * Micrometer's Gauge, FunctionCounter and FunctionTimer hold weakly by default. The functions
 * passed to them must therefore be non-capturing (c -> c.stats().x()): a lambda that captured
 * the component would pin it through the registry. MeterBinderTest checks this with a
 * WeakReference and GC for every binder.
 *
 * Each meter reads stats() itself at scrape time. A scrape therefore takes one snapshot per
 * meter (a brief lock for the lock-based components); the figures of one scrape may come from
 * slightly different moments, as with every Micrometer binder.
 */
/**
 * The shared body of the binders: a weakly held component, its name tag, and builders for
 * gauges, function counters and function timers that read the component's stats.
 *
 * @param <C> the component type
 */
abstract class ComponentMetrics<C> implements MeterBinder {

    private final WeakReference<C> component;
    private final String kind;
    private final Function<C, String> name;
    private final Tags tags;

    /** {@code name} must not capture the component (it is a method reference or static lambda). */
    ComponentMetrics(C component, String kind, Function<C, String> name, Iterable<Tag> tags) {
        this.component = new WeakReference<>(Objects.requireNonNull(component, "component"));
        this.kind = kind;
        this.name = name;
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    /**
     * Registers this component's meters. Does nothing if the component has been collected.
     *
     * @param registry the registry
     * @throws NullPointerException if {@code registry} is null
     */
    @Override
    public final void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        C c = component.get();
        if (c != null) {
            bind(new Meters<>(
                    registry,
                    c,
                    "asyncpatterns." + kind,
                    Tags.of("name", name.apply(c)).and(tags)));
        }
    }

    /** Registers the meters; {@code meters} holds the component weakly. */
    abstract void bind(Meters<C> meters);

    /**
     * The figures of a waiter queue in one stats snapshot (the core sync primitives' {@code Stats}
     * records each carry them, under the same names, with no common type).
     */
    record WaitFigures(int waiters, long waited, long granted, long waitNanos, long timedOut, long cancelled) {}

    /** Meter builders bound to one registry, one component (weakly) and its tags. */
    static final class Meters<C> {
        private final MeterRegistry registry;
        private final C component;
        private final String prefix;
        private final Tags tags;

        Meters(MeterRegistry registry, C component, String prefix, Tags tags) {
            this.registry = registry;
            this.component = component;
            this.prefix = prefix;
            this.tags = tags;
        }

        C component() {
            return component;
        }

        /** A gauge of a current quantity (the function must not capture the component). */
        Meters<C> gauge(
                String name,
                @Nullable String baseUnit,
                String description,
                ToDoubleFunction<C> value,
                String... extraTags) {
            return meter(false, name, baseUnit, description, value, extraTags);
        }

        /** A function counter over a monotonic count, with extra tags as key/value pairs. */
        Meters<C> counter(
                String name,
                @Nullable String baseUnit,
                String description,
                ToDoubleFunction<C> count,
                String... extraTags) {
            return meter(true, name, baseUnit, description, count, extraTags);
        }

        // Gauge.Builder and FunctionCounter.Builder share no type: one branch each
        private Meters<C> meter(
                boolean counter,
                String name,
                @Nullable String baseUnit,
                String description,
                ToDoubleFunction<C> f,
                String[] extraTags) {
            String id = prefix + "." + name;
            Tags all = tags.and(extraTags);
            if (counter) {
                FunctionCounter.builder(id, component, f)
                        .tags(all)
                        .baseUnit(baseUnit)
                        .description(description)
                        .register(registry);
            } else {
                Gauge.builder(id, component, f)
                        .tags(all)
                        .baseUnit(baseUnit)
                        .description(description)
                        .register(registry);
            }
            return this;
        }

        /** A function counter of seconds over a cumulative duration in nanoseconds. */
        Meters<C> seconds(String name, String description, ToDoubleFunction<C> nanos) {
            return counter(name, "seconds", description, c -> nanos.applyAsDouble(c) / 1e9);
        }

        /** A function timer over a count and its cumulative time in nanoseconds. */
        Meters<C> timer(String name, String description, ToLongFunction<C> count, ToDoubleFunction<C> totalNanos) {
            FunctionTimer.builder(prefix + "." + name, component, count, totalNanos, TimeUnit.NANOSECONDS)
                    .tags(tags)
                    .description(description)
                    .register(registry);
            return this;
        }

        /**
         * The five meters of a FIFO waiter queue: {@code waiters} (gauge), {@code waits},
         * {@code wait.duration} (a timer over the granted waits and their time queued),
         * {@code timeouts} and {@code cancellations}. {@code requests} names what queues
         * ("acquire requests"); {@code figures} reads them from one stats snapshot and must not
         * capture the component.
         */
        Meters<C> waitQueue(String requests, Function<C, WaitFigures> figures) {
            // one read now: the semaphore and the locks time queued waits from their first stats()
            var unused = figures.apply(component);
            return gauge(
                            "waiters",
                            "waiters",
                            requests + " queued now",
                            c -> figures.apply(c).waiters())
                    .counter(
                            "waits",
                            null,
                            requests + " that had to queue",
                            c -> figures.apply(c).waited())
                    .timer(
                            "wait.duration",
                            "time granted " + requests + " spent queued",
                            c -> figures.apply(c).granted(),
                            c -> figures.apply(c).waitNanos())
                    .counter(
                            "timeouts",
                            null,
                            "queued " + requests + " that timed out",
                            c -> figures.apply(c).timedOut())
                    .counter(
                            "cancellations",
                            null,
                            "queued " + requests + " cancelled",
                            c -> figures.apply(c).cancelled());
        }

        /** The same counter meter once per value of the tag {@code tagKey}. */
        <E> Meters<C> partition(
                String name,
                @Nullable String baseUnit,
                String description,
                String tagKey,
                E[] values,
                Function<E, String> tag,
                Function<E, ToDoubleFunction<C>> count) {
            for (E value : values) {
                counter(name, baseUnit, description, count.apply(value), tagKey, tag.apply(value));
            }
            return this;
        }
    }
}
