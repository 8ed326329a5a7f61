package dev.asyncpatterns.benchmarks.headline;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asyncpatterns.core.time.TimeSource;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/*
 * Maintainer's note.
 *
 * The handler does not sleep: it schedules the response on a TimeSource timer and returns, so the
 * server's single dispatcher thread only parses requests and the delay costs no thread (like a
 * service that is waiting on its own back end). The JDK server keeps the exchange open until it
 * is closed, which the timer task does after writing the body. Path "/<kind>/<i>" answers
 * "<kind>-<i>", the same answer SimulatedIo gives, so variants can be checked against each other.
 * Paths under "/warm-up/" answer at once, on the dispatcher thread: HttpBackend.warmUp drives
 * thousands of exchanges through the same client and server code before JMH measures, which the
 * 100 ms latency would otherwise not allow (a 1 s JMH warm-up is ten sequential calls, and the
 * HTTP stack run by the interpreter costs 3-5 ms a call on 2 cores instead of about 0.5 ms).
 */
/**
 * A local HTTP service on {@code 127.0.0.1} (ephemeral port) that answers every request after a
 * configurable delay. Used by the HTTP scenarios of the headline suite with
 * {@link java.net.http.HttpClient}.
 */
public final class DelayServer implements AutoCloseable {

    private static final String WARM_UP = "warm-up";
    private static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

    static {
        // TCP_NODELAY on accepted connections, as production servers (Jetty, Netty, Tomcat) set it:
        // without it the body can wait behind the separately flushed headers (Nagle). The JDK
        // server reads this once, when its first server starts; an explicit -D setting wins.
        if (System.getProperty(NODELAY_PROPERTY) == null) {
            System.setProperty(NODELAY_PROPERTY, "true");
        }
    }

    private final HttpServer server;
    private final TimeSource time;
    private final Duration delay;

    private DelayServer(HttpServer server, TimeSource time, Duration delay) {
        this.server = server;
        this.time = time;
        this.delay = delay;
    }

    /**
     * Starts a server on a free loopback port.
     *
     * @param time the timers that delay the responses
     * @param delay how long each response takes
     * @return the running server
     * @throws UncheckedIOException if the server cannot bind
     */
    public static DelayServer start(TimeSource time, Duration delay) {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(delay, "delay");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            DelayServer result = new DelayServer(server, time, delay);
            server.createContext("/", result::handle);
            server.setExecutor(null); // the dispatcher runs the (non-blocking) handler
            server.start();
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local HTTP server", e);
        }
    }

    /**
     * The address of resource {@code i} of the given kind.
     *
     * @param kind the path prefix, e.g. {@code "page"}
     * @param i the resource number
     * @return {@code http://127.0.0.1:<port>/<kind>/<i>}
     */
    public URI uri(String kind, int i) {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getHostString() + ":" + address.getPort() + "/" + kind + "/" + i);
    }

    /**
     * The address of a warm-up resource, answered at once with {@code "warm-up-<i>"}.
     *
     * @param i the resource number
     * @return {@code http://127.0.0.1:<port>/warm-up/<i>}
     */
    public URI warmUpUri(int i) {
        return uri(WARM_UP, i);
    }

    private void handle(HttpExchange exchange) {
        if (exchange.getRequestURI().getPath().startsWith("/" + WARM_UP + "/")) {
            respond(exchange);
        } else {
            time.schedule(delay, () -> respond(exchange));
        }
    }

    private static void respond(HttpExchange exchange) {
        String[] parts = exchange.getRequestURI().getPath().split("/");
        String answer = parts.length >= 3 ? parts[1] + "-" + parts[2] : "unknown";
        byte[] body = answer.getBytes(StandardCharsets.UTF_8);
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            // the client went away (a cancelled benchmark); nothing to answer
        }
    }

    /** Stops the server at once. */
    @Override
    public void close() {
        server.stop(0);
    }
}
