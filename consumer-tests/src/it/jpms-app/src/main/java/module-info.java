/** A user's JPMS application: core on the module path, testkit only in its tests. */
module com.example.app {
    requires dev.asyncpatterns.core;
    requires dev.asyncpatterns.pipeline;
    requires dev.asyncpatterns.cache;
    requires dev.asyncpatterns.resilience;

    exports com.example.app;
}
