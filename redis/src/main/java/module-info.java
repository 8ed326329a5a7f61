/**
 * async-patterns redis: a Redis second cache level shared by every instance of a service, and a
 * distributed token-bucket rate limiter, on Lettuce's async API.
 *
 * <p>lettuce-core is an automatic module ({@code Automatic-Module-Name: lettuce.core}, checked for
 * 7.7.0); its types ({@code RedisClient}, {@code RedisCodec}) appear in this module's API, hence
 * {@code requires transitive}.
 */
module dev.asyncpatterns.redis {
    requires static com.google.errorprone.annotations;
    requires static transitive org.jspecify;
    requires transitive dev.asyncpatterns.core;
    requires transitive dev.asyncpatterns.cache;
    requires transitive lettuce.core;
    requires org.slf4j;

    exports dev.asyncpatterns.redis;
}
