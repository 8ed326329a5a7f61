package dev.asyncpatterns.micrometer;

import io.lettuce.core.RedisClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} (Debian's {@code /usr/bin/redis-server}) on a free loopback port for
 * one test class, as the redis module's tests start it: no persistence, killed with SIGKILL.
 */
final class LocalRedis implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/bin/redis-server");

    private final int port;
    private final Process process;

    private LocalRedis(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts a server and waits until it accepts connections (skips the test without Redis). */
    static LocalRedis start() throws IOException {
        if (!Files.isExecutable(BINARY)) {
            String why = BINARY + " is missing: install the Debian package redis-server (.ci/run does)";
            if (System.getenv("ASYNCPATTERNS_REQUIRE_SERVERS") != null) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
        }
        int port;
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder(List.of(
                        BINARY.toString(),
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) { // startup, not timing: poll the port until it answers
            try (var socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new LocalRedis(port, process);
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("redis-server exited with " + process.exitValue());
                }
                Thread.onSpinWait();
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("redis-server did not accept connections within 10 s");
    }

    RedisClient client() {
        return RedisClient.create("redis://127.0.0.1:" + port);
    }

    /** SIGKILLs the server and waits until it is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server did not die after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException(e));
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
