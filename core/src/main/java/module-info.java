/**
 * async-patterns core: futures combinators, structured task scopes, async coordination
 * primitives, bounded queues, worker pools, supervisors, lifecycle and the injectable
 * {@link dev.asyncpatterns.core.time.TimeSource}.
 */
module dev.asyncpatterns.core {
    requires static com.google.errorprone.annotations;
    requires static transitive org.jspecify;
    requires org.slf4j;
    requires jdk.jfr;
    // optional: request context through io.micrometer:context-propagation when the application
    // resolves it (see dev.asyncpatterns.core.internal.CapturedContext)
    requires static context.propagation;

    exports dev.asyncpatterns.core;
    exports dev.asyncpatterns.core.future;
    exports dev.asyncpatterns.core.scope;
    exports dev.asyncpatterns.core.sync;
    exports dev.asyncpatterns.core.queue;
    exports dev.asyncpatterns.core.pool;
    exports dev.asyncpatterns.core.supervision;
    exports dev.asyncpatterns.core.time;
    // shared helpers for our own modules only
    exports dev.asyncpatterns.core.internal to
            dev.asyncpatterns.pipeline,
            dev.asyncpatterns.resilience,
            dev.asyncpatterns.cache,
            dev.asyncpatterns.redis,
            dev.asyncpatterns.console,
            dev.asyncpatterns.postgres;
}
