package dev.asyncpatterns.pipeline;

import org.jspecify.annotations.Nullable;

/**
 * A running stage that downstream pulls from.
 *
 * <p>{@link #poll()} returns the next element, {@link #EMPTY} when none is ready yet (the stage
 * then guarantees a later {@code region.signal()} when that may have changed), or {@link #END}
 * when the stage has no more elements, forever after. A failure is thrown; checked failures of
 * async calls travel wrapped in {@link java.util.concurrent.CompletionException}.
 *
 * <p>A sink that takes every element as it comes (fold, reduce, count, forEach, toList) may
 * instead call {@link #pushTo}: the same elements in the same order, handed down as arguments
 * rather than returned. That is what lets the JIT keep a boxed value that is only unboxed
 * downstream out of the heap: a value returned from {@code poll} merges with the markers, one
 * passed to {@link Downstream#push} does not. Each operator's {@code push} has its own call to
 * its downstream, so each call site sees one receiver type in a given pipeline.
 *
 * @param <T> the element type
 */
abstract class Stage<T> extends Node {

    /** Where push mode hands elements, one call per element. */
    interface Downstream {
        /**
         * Takes one element.
         *
         * @param element an element (never a marker)
         * @return true to be given the next one, false to stop (the run is stopping)
         */
        boolean push(Object element);
    }

    Stage(Ctx ctx, String name) {
        super(ctx, name);
    }

    /**
     * Pulls the next element.
     *
     * @return an element of type {@code T}, {@link #EMPTY} or {@link #END}
     */
    abstract Object poll();

    /**
     * Hands {@code down} every element ready now, in order, until it returns false. This default
     * pulls them with {@link #poll()}; sources and element operators override it to push.
     *
     * @param down where the elements go
     * @return {@link #EMPTY} or {@link #END}, as {@link #poll()} would have returned next, or
     *     {@code null} when {@code down} asked to stop
     */
    @Nullable
    Object pushTo(Downstream down) {
        for (; ; ) {
            Object x = poll();
            if (x == EMPTY || x == END) {
                return x;
            }
            if (!down.push(x)) {
                return null;
            }
        }
    }
}
