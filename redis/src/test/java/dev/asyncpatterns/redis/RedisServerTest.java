package dev.asyncpatterns.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import org.junit.jupiter.api.Test;

/** The harness itself: a real server answers, dies on SIGKILL, and comes back on the same port. */
class RedisServerTest {

    @Test
    void start_killRestart_servesOnTheSamePort() throws Exception {
        try (var server = RedisServer.start()) {
            RedisClient client = RedisClient.create(server.uri());
            try {
                try (var connection = client.connect()) {
                    assertThat(connection.sync().ping()).isEqualTo("PONG");
                }
                server.kill();
                assertThatThrownBy(client::connect).isInstanceOf(RedisConnectionException.class);
                server.restart();
                try (var connection = client.connect()) {
                    assertThat(connection.sync().ping()).isEqualTo("PONG");
                    assertThat(connection.sync().dbsize())
                            .as("nothing persisted")
                            .isZero();
                }
            } finally {
                client.shutdown();
            }
        }
    }
}
