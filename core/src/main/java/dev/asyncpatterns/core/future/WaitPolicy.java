package dev.asyncpatterns.core.future;

/**
 * When {@link Futures#waitFor} stops waiting, as in {@code asyncio.wait}'s {@code return_when}.
 * In every case it also stops when all inputs are done, or when its timeout passes.
 *
 * @since 0.1.0
 */
public enum WaitPolicy {
    /** Stop as soon as any input completes in any way. */
    FIRST_COMPLETED,
    /** Stop as soon as any input fails (cancellation does not count as failing). */
    FIRST_EXCEPTION,
    /** Stop when every input is done. */
    ALL_COMPLETED
}
