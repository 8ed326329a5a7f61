package dev.asyncpatterns.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asyncpatterns.core.time.TimeSource;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A tiny HTTP service on {@code 127.0.0.1} (a free port) that the examples start so they need no
 * internet. Each request is answered by a {@link Reply} chosen from its path; a reply can be slow
 * ({@link Reply#after}) or never come ({@link Reply#hang()}). If you copy an example, copy this
 * file too.
 *
 * <pre>{@code
 * try (var server = LocalHttpServer.start(path -> Reply.ok("hello").after(Duration.ofMillis(100)))) {
 *     URI uri = server.uri("/hello");
 *     ...
 * }
 * }</pre>
 *
 * <p>Each request is handled on its own virtual thread; the simulated latency waits on a
 * {@link TimeSource} timer, and {@link #close()} releases every request still waiting or hanging.
 */
final class LocalHttpServer implements AutoCloseable {

    /**
     * What the server answers.
     *
     * @param status the HTTP status code
     * @param body the response body (UTF-8)
     * @param delay how long the simulated service takes before answering
     * @param hangs {@code true} to never answer (until the server closes)
     */
    record Reply(int status, String body, Duration delay, boolean hangs) {

        /** A {@code 200 OK} with {@code body}, at once. */
        static Reply ok(String body) {
            return new Reply(200, body, Duration.ZERO, false);
        }

        /** A reply with any status, at once. */
        static Reply status(int status, String body) {
            return new Reply(status, body, Duration.ZERO, false);
        }

        /** A {@code 404 Not Found}, at once. */
        static Reply notFound() {
            return new Reply(404, "not found", Duration.ZERO, false);
        }

        /** A request that never gets an answer: the client must time out. */
        static Reply hang() {
            return new Reply(200, "", Duration.ZERO, true);
        }

        /** The same reply, sent after {@code latency}. */
        Reply after(Duration latency) {
            return new Reply(status, body, latency, hangs);
        }
    }

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    // completed by close(): wakes every request that is still waiting or hanging
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final AtomicInteger requests = new AtomicInteger();

    private LocalHttpServer(Function<String, Reply> replies) throws IOException {
        Objects.requireNonNull(replies, "replies");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", exchange -> handle(exchange, replies));
        server.start();
    }

    /**
     * Starts a server whose replies are chosen by {@code replies} from the request path.
     *
     * @param replies maps a request path (e.g. {@code /page/3}) to its reply
     * @return the running server
     * @throws IOException if the server cannot bind
     */
    static LocalHttpServer start(Function<String, Reply> replies) throws IOException {
        return new LocalHttpServer(replies);
    }

    /** The address of {@code path} on this server, e.g. {@code http://127.0.0.1:54321/page/3}. */
    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** How many requests arrived so far. */
    int requestCount() {
        return requests.get();
    }

    private void handle(HttpExchange exchange, Function<String, Reply> replies) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            Reply reply = replies.apply(exchange.getRequestURI().getPath());
            if (reply.hangs()) {
                closed.join(); // the simulated hung service: waits until the server closes
                return;
            }
            if (reply.delay().isPositive()) {
                // the simulated latency: a timer, raced with close() so shutdown is immediate
                CompletableFuture.anyOf(TimeSource.system().delay(reply.delay()), closed)
                        .join();
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream stream = exchange.getResponseBody()) {
                stream.write(body);
            }
        } catch (IOException | UncheckedIOException e) {
            // the client gave up (timed out, cancelled): nothing to answer
        }
    }

    /** Stops the server at once and releases every request still waiting. */
    @Override
    public void close() {
        closed.complete(null);
        server.stop(0);
        handlers.shutdownNow();
    }
}
