package dev.asyncpatterns.redis;

/**
 * The state of the circuit breaker that guards a Redis-backed component's calls.
 *
 * @since 0.1.0
 */
public enum CircuitState {
    /** Calls go to Redis. */
    CLOSED,
    /** Redis failed repeatedly: calls are refused without a round trip until the open time ends. */
    OPEN,
    /** The open time ended: one probe call goes to Redis; its outcome closes or re-opens the circuit. */
    HALF_OPEN
}
