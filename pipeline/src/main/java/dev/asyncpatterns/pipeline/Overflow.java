package dev.asyncpatterns.pipeline;

/**
 * What a {@link Pipeline#buffer(int, Overflow) buffer} does when upstream produces while it is
 * full.
 */
public enum Overflow {
    /** Upstream pauses until downstream has made room: nothing is lost (the default). */
    BACKPRESSURE,
    /** The oldest queued element is discarded to make room: upstream never waits. */
    DROP_OLDEST,
    /** The arriving element is discarded: upstream never waits. */
    DROP_NEWEST,
    /** The run fails with an {@link IllegalStateException} saying the buffer overflowed. */
    FAIL
}
