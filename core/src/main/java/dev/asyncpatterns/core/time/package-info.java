/**
 * Injectable time: {@link dev.asyncpatterns.core.time.TimeSource} (now, timers, delays) that
 * every component which waits, expires or measures takes, so tests run on the testkit's virtual
 * clock; {@link dev.asyncpatterns.core.time.Cancellable} (a timer handle) and
 * {@link dev.asyncpatterns.core.time.LagProbe} (how late an executor runs work).
 */
package dev.asyncpatterns.core.time;
