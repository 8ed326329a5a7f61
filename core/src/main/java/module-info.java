/**
 * async-patterns core: futures combinators, structured task scopes, async coordination
 * primitives, bounded queues, worker pools, supervisors, lifecycle and the injectable
 * {@link dev.asyncpatterns.core.TimeSource}.
 */
module dev.asyncpatterns.core {
    requires org.slf4j;

    exports dev.asyncpatterns.core;
    // shared helpers for our own modules only
    exports dev.asyncpatterns.core.internal to
            dev.asyncpatterns.testkit,
            dev.asyncpatterns.pipeline,
            dev.asyncpatterns.resilience,
            dev.asyncpatterns.cache,
            dev.asyncpatterns.redis;
}
