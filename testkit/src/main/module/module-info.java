/**
 * async-patterns testkit: a virtual clock implementing {@link dev.asyncpatterns.core.time.TimeSource},
 * so tests of timeouts, retries, rate limits and schedules run deterministically and instantly.
 */
module dev.asyncpatterns.testkit {
    requires transitive dev.asyncpatterns.core;

    exports dev.asyncpatterns.testkit;
}
