/**
 * Keeping background work alive and stopping it cleanly:
 * {@link dev.asyncpatterns.core.supervision.Supervisor} (restart a crashing loop with backoff until a
 * restart-intensity limit gives up), {@link dev.asyncpatterns.core.supervision.Backoff} (retry
 * delays: fixed, exponential, jittered, capped) and {@link dev.asyncpatterns.core.supervision.Lifecycle}
 * (ordered graceful shutdown with a grace period, optionally on JVM exit).
 */
package dev.asyncpatterns.core.supervision;
