/**
 * Micrometer {@link io.micrometer.core.instrument.binder.MeterBinder}s for the async-patterns
 * components, one per component type ({@link dev.asyncpatterns.micrometer.SemaphoreMetrics},
 * {@link dev.asyncpatterns.micrometer.QueueMetrics}, {@link dev.asyncpatterns.micrometer.ResilienceMetrics},
 * {@link dev.asyncpatterns.micrometer.MemoizedFunctionMetrics}, ...).
 *
 * <p>Every binder follows the same rules (ADR core-0003, README "Operating it"):
 * <ul>
 *   <li>meter names are {@code asyncpatterns.<component>.<quantity>}, dot-separated, in base units
 *       (seconds, no {@code _total}: the registry adds its own suffixes);
 *   <li>every meter carries the tag {@code name} = the component's {@code name()}, plus the tags
 *       given to the binder;
 *   <li>gauges and function counters read the component's {@code stats()} snapshot at scrape
 *       time and hold the component through a weak reference only: binding never keeps a
 *       component alive, and the meters of a collected component report {@code NaN} (gauges) or
 *       their last value (counters), as Micrometer's own binders do;
 *   <li>counters are function counters over the monotonic counts of the snapshot; counts that
 *       partition one kind of event share a meter with a {@code result} tag;
 *   <li>timers come from the component's events where it reports durations
 *       ({@link dev.asyncpatterns.micrometer.ResilienceMetrics#timers}) or from its cumulative
 *       time ({@code asyncpatterns.cache.load.duration}).
 * </ul>
 *
 * <p>Usage: {@code new SemaphoreMetrics(semaphore, Tags.empty()).bindTo(registry)} or
 * {@code SemaphoreMetrics.monitor(registry, semaphore)}.
 */
@NullMarked
package dev.asyncpatterns.micrometer;

import org.jspecify.annotations.NullMarked;
