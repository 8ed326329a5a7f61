/**
 * async-patterns cache: async caches, memoization with single-flight, refresh-ahead,
 * stale-if-error and batching loaders, on Caffeine.
 */
module dev.asyncpatterns.cache {
    requires static com.google.errorprone.annotations;
    requires static transitive org.jspecify;
    requires transitive dev.asyncpatterns.core;
    requires transitive com.github.benmanes.caffeine;
    requires org.slf4j;

    exports dev.asyncpatterns.cache;
}
