package dev.asyncpatterns.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code /usr/bin/redis-server} on a free loopback port, without persistence: what the
 * {@code shared-cache} example and the Redis benchmarks start when no Redis is named. Not part of
 * the toolkit (the examples module is not published); tests start their own the same way.
 */
public final class LocalRedisServer implements AutoCloseable {

    /** Where Debian's {@code redis-server} package installs the server. */
    public static final Path BINARY = Path.of("/usr/bin/redis-server");

    private final int port;
    private final Process process;

    private LocalRedisServer(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /**
     * Starts a server and waits (up to 10 s) until it accepts connections.
     *
     * @return the running server
     * @throws IllegalStateException if {@link #BINARY} is missing or the server does not come up
     * @throws UncheckedIOException if the process cannot be started
     */
    public static LocalRedisServer start() {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("no " + BINARY + ": install the Debian package redis-server");
        }
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process process;
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
                            "no"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + BINARY, e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (var socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new LocalRedisServer(port, process);
            } catch (IOException notYet) {
                Thread.onSpinWait();
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("redis-server did not start on port " + port);
    }

    /**
     * The port it listens on (127.0.0.1).
     *
     * @return the port
     */
    public int port() {
        return port;
    }

    /**
     * The URI to give Lettuce's {@code RedisClient.create}.
     *
     * @return {@code redis://127.0.0.1:<port>}
     */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the server and waits up to 5 s for it to exit (an interrupt stops the wait and stays set). */
    @Override
    public void close() {
        try {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
