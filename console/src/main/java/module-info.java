/**
 * async-patterns console: an embeddable live web page (JDK {@code com.sun.net.httpserver}, no web
 * framework) showing the figures of the components an application registers and letting an
 * operator replay or purge dead letters.
 */
module dev.asyncpatterns.console {
    requires transitive dev.asyncpatterns.core;
    requires jdk.httpserver;
    requires org.slf4j;
    // adapters for these modules are used only by applications that have them
    requires static transitive dev.asyncpatterns.resilience;
    requires static transitive dev.asyncpatterns.cache;

    exports dev.asyncpatterns.console;
}
