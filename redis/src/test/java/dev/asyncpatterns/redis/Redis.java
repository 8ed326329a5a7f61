package dev.asyncpatterns.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;

/** Test helpers: a Lettuce client that reconnects quickly, codecs, and the one concurrent-wait helper. */
final class Redis {

    private Redis() {}

    /** A client whose reconnect attempts come every 50 ms (Lettuce's default backs off to 30 s). */
    static RedisClient client(RedisServer server) {
        var resources = ClientResources.builder()
                .reconnectDelay(Delay.constant(Duration.ofMillis(50)))
                .build();
        var client = RedisClient.create(resources, RedisURI.create(server.uri()));
        client.setOptions(ClientOptions.builder().autoReconnect(true).build());
        return client;
    }

    static void shutdown(RedisClient client) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        client.getResources().shutdown();
    }

    /** Genuinely concurrent waits (pub/sub delivery, reconnection): Awaitility behind one helper. */
    static void eventually(Duration within, Callable<Boolean> condition) {
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(5)).until(condition);
    }

    /** Integers as their decimal text; anything else fails to decode. */
    static final class IntCodec implements RedisCodec<String, Integer> {
        @Override
        public String decodeKey(ByteBuffer bytes) {
            return StandardCharsets.UTF_8.decode(bytes).toString();
        }

        @Override
        public Integer decodeValue(ByteBuffer bytes) {
            return Integer.valueOf(StandardCharsets.UTF_8.decode(bytes).toString()); // NumberFormatException on garbage
        }

        @Override
        public ByteBuffer encodeKey(String key) {
            return StandardCharsets.UTF_8.encode(key);
        }

        @Override
        public ByteBuffer encodeValue(Integer value) {
            return StandardCharsets.UTF_8.encode(value.toString());
        }
    }
}
