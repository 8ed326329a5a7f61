package dev.asyncpatterns.redis;

import java.io.Serial;

/**
 * A call was not sent to Redis because its circuit breaker is open after repeated failures. The
 * circuit lets a probe through once its open time has passed, and closes when Redis answers.
 *
 * @since 0.1.0
 */
public final class RedisUnavailableException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was refused, and why
     */
    public RedisUnavailableException(String message) {
        super(message);
    }
}
