package dev.asyncpatterns.redis;

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

/**
 * A real {@code redis-server} (Debian's {@code /usr/bin/redis-server}) on a free loopback port,
 * started and owned by a test class: no persistence, killed with SIGKILL when asked (a crash, not
 * a shutdown), restartable on the same port.
 */
final class RedisServer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/redis-server");

    final int port;
    private Process process;

    private RedisServer(int port) {
        this.port = port;
    }

    /** Starts a server on a free port and waits until it accepts connections. */
    static RedisServer start() {
        if (!Files.isExecutable(BINARY)) {
            String why = BINARY + " is missing: install the Debian package redis-server (.ci/run does)";
            if (System.getenv("ASYNCPATTERNS_REQUIRE_SERVERS") != null) { // CI: a missing server is a failure
                throw new IllegalStateException(why);
            }
            org.junit.jupiter.api.Assumptions.abort(why); // a developer's machine without Redis: skipped
        }
        var server = new RedisServer(freePort());
        server.startProcess();
        return server;
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** SIGKILLs the server (no shutdown, no goodbye to clients) and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Unix
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("redis-server did not die after SIGKILL");
        }
    }

    /** Starts the server again on the same port (empty: nothing was saved). */
    void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("still running");
        }
        startProcess();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    private void startProcess() {
        try {
            process = new ProcessBuilder(List.of(
                            BINARY.toString(),
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            "127.0.0.1",
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--protected-mode",
                            "no"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) { // startup, not timing: poll the port until it answers
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "redis-server exited at once with " + process.exitValue() + " (port " + port + ")");
            }
            try (var socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.onSpinWait();
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("redis-server did not accept connections on port " + port + " within 10 s");
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
