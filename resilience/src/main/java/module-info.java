/**
 * async-patterns resilience: async decoration with resilience4j circuit breaker, retry and
 * bulkhead, plus the toolkit's rate limiter, timeouts, hedging, fallback and a retry queue with
 * dead letters.
 *
 * <p>The resilience4j jars are automatic modules (named by their {@code Automatic-Module-Name}
 * manifest entries, checked for 2.4.0); their types appear in this module's API, hence
 * {@code requires transitive}.
 */
module dev.asyncpatterns.resilience {
    requires static com.google.errorprone.annotations;
    requires static transitive org.jspecify;
    requires transitive dev.asyncpatterns.core;
    requires transitive io.github.resilience4j.circuitbreaker;
    requires transitive io.github.resilience4j.retry;
    requires transitive io.github.resilience4j.bulkhead;
    requires io.github.resilience4j.core;
    requires org.slf4j;
    requires jdk.jfr; // JFR events (CircuitStateChange, RetryAttempt); a JDK module, not a dependency

    exports dev.asyncpatterns.resilience;
}
