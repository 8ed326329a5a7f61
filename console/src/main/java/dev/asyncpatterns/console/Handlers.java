package dev.asyncpatterns.console;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.asyncpatterns.core.future.Futures;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's HTTP endpoints. Every response carries a strict Content-Security-Policy and
 * no-store; errors are short words, never exception text or stack traces.
 *
 * <pre>
 * GET  /                        the page (with /console.js, /console.css)
 * GET  /api/snapshot            the newest snapshot of every panel
 * GET  /api/history             the charts' history
 * GET  /api/events              Server-Sent Events: one snapshot per refresh
 * GET  /api/dead-letters        every source's letters (details only with the token or revealDetails)
 * POST /api/dead-letters/{source}/{id}/replay | purge   token + same-origin required
 * </pre>
 */
final class Handlers implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(Handlers.class);
    private static final Duration SOURCE_TIMEOUT = Duration.ofSeconds(10);
    private static final String TOKEN_HEADER = "X-Console-Token";
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/index.html", "index.html", "/console.js", "console.js", "/console.css", "console.css");
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    private final Console console;

    Handlers(Console console) {
        this.console = console;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            secureHeaders(exchange.getResponseHeaders());
            if (!hostAllowed(exchange)) {
                send(exchange, 421, "text/plain", "misdirected request");
                return;
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            if (method.equals("GET")) {
                get(exchange, path);
            } else if (method.equals("POST") && path.startsWith("/api/dead-letters/")) {
                post(exchange, path);
            } else {
                exchange.getResponseHeaders().set("Allow", "GET, POST");
                send(exchange, 405, "text/plain", "method not allowed");
            }
        } catch (IOException e) {
            LOG.debug("console request ended early", e); // the browser went away
        } catch (RuntimeException e) {
            LOG.warn("console request failed", e);
            try {
                send(exchange, 500, "text/plain", "internal error");
            } catch (IOException | RuntimeException ignored) {
                // headers already sent: nothing more to say
            }
        }
    }

    private void get(HttpExchange exchange, String path) throws IOException {
        String resource = STATIC.get(path);
        if (resource != null) {
            serveResource(exchange, resource);
            return;
        }
        switch (path) {
            case "/api/snapshot" -> send(exchange, 200, "application/json", console.latest());
            case "/api/history" -> send(exchange, 200, "application/json", console.history.render());
            case "/api/events" -> stream(exchange);
            case "/api/dead-letters" -> send(exchange, 200, "application/json", deadLetters(exchange));
            default -> send(exchange, 404, "text/plain", "not found");
        }
    }

    // ------------------------------------------------------------------ live stream

    @SuppressWarnings("ReferenceEquality") // Stream.END is an identity-compared poison
    private void stream(HttpExchange exchange) throws IOException {
        Stream stream = new Stream();
        if (!console.register(stream)) {
            send(exchange, 503, "text/plain", "too many live pages");
            return;
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            write(out, "retry: 2000\n\ndata: " + console.latest() + "\n\n");
            while (true) {
                String snapshot = stream.takeBlocking();
                if (snapshot == Stream.END) {
                    return;
                }
                write(out, "data: " + snapshot + "\n\n");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the console is closing
        } finally {
            console.unregister(stream);
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    // ------------------------------------------------------------------ dead letters

    private String deadLetters(HttpExchange exchange) {
        boolean details = console.revealDetails
                || console.authorized(exchange.getRequestHeaders().getFirst(TOKEN_HEADER));
        Json json = new Json()
                .beginObject()
                .name("details")
                .value(details)
                .name("actions")
                .value(console.token != null)
                .name("sources")
                .beginArray();
        for (DeadLetterSource source : console.sources.values()) {
            json.beginObject().name("name").value(source.name());
            List<DeadLetterSource.DeadLetter> letters;
            try {
                letters = Futures.withTimeout(source.list().toCompletableFuture(), SOURCE_TIMEOUT, console.time)
                        .join();
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                LOG.debug("console: dead letters of {} unavailable", source.name(), e);
                json.name("error")
                        .value(e.getCause() instanceof TimeoutException ? "timed out" : "unavailable")
                        .name("letters")
                        .beginArray()
                        .endArray()
                        .endObject();
                continue;
            }
            json.name("letters").beginArray();
            for (DeadLetterSource.DeadLetter letter : letters) {
                json.beginObject()
                        .name("id")
                        .value(letter.id())
                        .name("payload")
                        .value(details ? letter.payload() : null)
                        .name("attempts")
                        .beginArray();
                for (DeadLetterSource.Attempt attempt : letter.attempts()) {
                    json.beginObject()
                            .name("number")
                            .value(attempt.number())
                            .name("startedAt")
                            .value(attempt.startedAt().toString())
                            .name("finishedAt")
                            .value(attempt.finishedAt().toString())
                            .name("errorType")
                            .value(attempt.errorType())
                            .name("errorMessage")
                            .value(details ? attempt.errorMessage() : null)
                            .endObject();
                }
                json.endArray().endObject();
            }
            json.endArray().endObject();
        }
        return json.endArray().endObject().toString();
    }

    private void post(HttpExchange exchange, String path) throws IOException {
        Headers request = exchange.getRequestHeaders();
        if (console.token == null) {
            send(exchange, 403, "application/json", result(false, "read-only console: no token configured"));
            return;
        }
        if (crossSite(exchange)) {
            send(exchange, 403, "application/json", result(false, "cross-site request refused"));
            return;
        }
        String presented = request.getFirst(TOKEN_HEADER);
        if (presented == null) {
            send(exchange, 401, "application/json", result(false, "token required"));
            return;
        }
        if (!console.authorized(presented)) {
            send(exchange, 403, "application/json", result(false, "wrong token"));
            return;
        }
        // /api/dead-letters/{source}/{id}/{action}
        String[] parts = path.substring("/api/dead-letters/".length()).split("/", -1);
        if (parts.length != 3 || !(parts[2].equals("replay") || parts[2].equals("purge"))) {
            send(exchange, 404, "application/json", result(false, "not found"));
            return;
        }
        DeadLetterSource source = console.sources.get(URLDecoder.decode(parts[0], StandardCharsets.UTF_8));
        if (source == null) {
            send(exchange, 404, "application/json", result(false, "no such source"));
            return;
        }
        String id = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
        boolean done;
        try {
            var stage = parts[2].equals("replay") ? source.replay(id) : source.purge(id);
            done = Futures.withTimeout(stage.toCompletableFuture(), SOURCE_TIMEOUT, console.time)
                    .join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            LOG.warn("console: {} of {} in {} failed", parts[2], id, source.name(), e);
            send(exchange, 502, "application/json", result(false, parts[2] + " failed"));
            return;
        }
        LOG.info("console: {} of dead letter {} in {}: {}", parts[2], id, source.name(), done ? "done" : "not found");
        send(
                exchange,
                done ? 200 : 404,
                "application/json",
                result(done, done ? (parts[2].equals("replay") ? "replayed" : "purged") : "no such letter"));
    }

    private static String result(boolean ok, String message) {
        return new Json()
                .beginObject()
                .name("ok")
                .value(ok)
                .name("message")
                .value(message)
                .endObject()
                .toString();
    }

    // ------------------------------------------------------------------ checks

    /** With a loopback bind, only loopback names on our port (a rebinding attack brings another Host). */
    private boolean hostAllowed(HttpExchange exchange) {
        if (!console.loopbackOnly) {
            return true;
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return false;
        }
        int port = exchange.getLocalAddress().getPort();
        int colon = host.lastIndexOf(':');
        if (colon < 0 || host.endsWith("]")) {
            return false; // the browser always sends our non-default port
        }
        String name = host.substring(0, colon).toLowerCase(Locale.ROOT);
        return host.substring(colon + 1).equals(String.valueOf(port))
                && (LOOPBACK_HOSTS.contains(name)
                        || name.equals(exchange.getLocalAddress().getAddress().getHostAddress()));
    }

    /** Browsers mark cross-site requests (Sec-Fetch-Site) and say where they come from (Origin). */
    private static boolean crossSite(HttpExchange exchange) {
        Headers request = exchange.getRequestHeaders();
        String site = request.getFirst("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin")) {
            return true;
        }
        String origin = request.getFirst("Origin");
        if (origin == null) {
            return false; // not a browser's cross-origin request: the token alone decides
        }
        try {
            URI from = URI.create(origin);
            return !("http://" + request.getFirst("Host"))
                    .equalsIgnoreCase(from.getScheme() + "://" + from.getRawAuthority());
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    private static void secureHeaders(Headers headers) {
        headers.set("Content-Security-Policy", CSP);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cache-Control", "no-store");
    }

    private static void serveResource(HttpExchange exchange, String name) throws IOException {
        try (InputStream in = Handlers.class.getResourceAsStream(name)) {
            if (in == null) {
                send(exchange, 404, "text/plain", "not found");
                return;
            }
            String type = name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css" : "text/html";
            byte[] body = in.readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }
}
