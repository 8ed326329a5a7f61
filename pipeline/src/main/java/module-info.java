/** async-patterns pipeline: backpressured async stream stages, sources, sinks and Flow interop. */
module dev.asyncpatterns.pipeline {
    requires static com.google.errorprone.annotations;
    requires static transitive org.jspecify;
    requires transitive dev.asyncpatterns.core;
    requires org.slf4j;

    exports dev.asyncpatterns.pipeline;
}
