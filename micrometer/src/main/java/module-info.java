/**
 * async-patterns micrometer: meter binders for every async-patterns component.
 *
 * <p>The toolkit's modules are {@code requires static}: a binder touches only the module of the
 * component it binds, so an application needs only the modules it uses (plus Micrometer).
 * {@code micrometer.core} is an automatic module (its {@code Automatic-Module-Name}); its types
 * ({@code MeterBinder}, {@code MeterRegistry}, {@code Tag}) appear in this module's API, hence
 * {@code requires transitive}.
 */
module dev.asyncpatterns.micrometer {
    requires static transitive org.jspecify;
    requires transitive micrometer.core;
    requires static dev.asyncpatterns.core;
    requires static dev.asyncpatterns.pipeline;
    requires static dev.asyncpatterns.resilience;
    requires static dev.asyncpatterns.cache;
    requires static dev.asyncpatterns.redis;
    requires static dev.asyncpatterns.postgres;

    exports dev.asyncpatterns.micrometer;
}
