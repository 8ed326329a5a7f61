package dev.asyncpatterns.core.queue;

/**
 * What a bounded buffer does with a new item when it is full: the one overflow policy of the
 * toolkit, used by {@link AsyncQueue} (for {@link AsyncQueue#offer offer}) and by the pipeline
 * module's {@code Pipeline.buffer(int, Overflow)}.
 *
 * <p>A producer that can wait ({@code AsyncQueue.put}, a pipeline's upstream) and one that cannot
 * ({@code AsyncQueue.offer}) read each constant as described on it. {@code AsyncQueue.put}
 * always waits for room, whatever the queue's policy. Every item a policy drops is reported to
 * the component's drop listener or counted in its statistics, never lost silently.
 *
 * @since 0.1.0
 */
public enum Overflow {
    /**
     * Nothing is lost (the default): a producer that can wait waits for room; {@code offer}
     * refuses the item by returning {@code false}, and the caller keeps it.
     */
    BACKPRESSURE,
    /** The arriving item is dropped; the producer never waits ({@code offer} returns {@code false}). */
    DROP_NEWEST,
    /**
     * The oldest buffered item is dropped to make room for the arriving one; the producer never
     * waits ({@code offer} returns {@code true}). Not available for priority queues.
     */
    DROP_OLDEST,
    /**
     * The producer fails with an {@link IllegalStateException} saying the buffer is full and
     * naming its capacity ({@code offer} throws it; a pipeline run fails with it).
     */
    FAIL
}
