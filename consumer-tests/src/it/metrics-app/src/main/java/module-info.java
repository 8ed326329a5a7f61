/** A user's JPMS application: core and the Micrometer binders, no other toolkit module. */
module com.example.metrics {
    requires dev.asyncpatterns.core;
    requires dev.asyncpatterns.micrometer;

    exports com.example.metrics;
}
