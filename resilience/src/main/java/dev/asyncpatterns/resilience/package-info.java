/**
 * Async resilience: {@link dev.asyncpatterns.resilience.AsyncResilience} decorates calls with
 * resilience4j's circuit breaker, retry and bulkhead plus the toolkit's rate limiter, attempt
 * timeout, deadline, hedging and fallback (each a small policy type the execution consults), and
 * {@link dev.asyncpatterns.resilience.RetryQueue} retries jobs from a
 * {@link dev.asyncpatterns.resilience.JobStore} with dead letters.
 */
@NullMarked
package dev.asyncpatterns.resilience;

import org.jspecify.annotations.NullMarked;
