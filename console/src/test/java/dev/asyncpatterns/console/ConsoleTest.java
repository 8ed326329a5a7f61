package dev.asyncpatterns.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.resilience.JobRecord;
import dev.asyncpatterns.resilience.RetryQueue;
import dev.asyncpatterns.testkit.VirtualClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console over real HTTP on loopback: what it serves, and every security rule. */
class ConsoleTest {

    static final String TOKEN = "operator-token-0123456789";
    static final String XSS = "<img src=x onerror=\"window.__xss=1\"></script><script>window.__xss=2</script>";

    private final VirtualClock clock = VirtualClock.create();
    private final AtomicBoolean healthy = new AtomicBoolean(false);
    private final HttpClient http = HttpClient.newHttpClient();
    private RetryQueue<String> queue;
    private Console console;

    @BeforeEach
    void deadLetterOnePoisonJob() {
        queue = RetryQueue.<String>builder(
                        "mail",
                        job -> healthy.get()
                                ? CompletableFuture.completedFuture(null)
                                : CompletableFuture.failedFuture(
                                        new IllegalStateException("SMTP 550 for " + job + " password=hunter2")))
                .backoff(Backoff.fixed(Duration.ofMillis(10)).maxAttempts(2))
                .timeSource(clock)
                .build();
        queue.submit(XSS).join();
        clock.advance(Duration.ofSeconds(1));
        assertThat(queue.deadLetters().join()).hasSize(1);
    }

    @AfterEach
    void stop() {
        if (console != null) {
            console.close();
        }
        queue.shutdownNow().join();
        http.close();
    }

    private Console start(boolean withToken) {
        var builder = Console.builder()
                .timeSource(clock)
                .refreshInterval(Duration.ofMillis(100))
                .panel(ResilienceViews.retryQueue(queue))
                .deadLetters(ResilienceViews.deadLetters(queue, job -> job));
        if (withToken) {
            builder.token(TOKEN);
        }
        console = builder.start();
        return console;
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(console.uri().resolve(path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(console.uri().resolve(path)).POST(HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String letterId() {
        List<JobRecord<String>> letters = queue.deadLetters().join();
        return String.valueOf(letters.getFirst().id().value());
    }

    // ------------------------------------------------------------------ serving

    @Test
    void start_defaults_bindsLoopbackOnAFreePort() {
        start(true);
        assertThat(console.uri().getHost())
                .isEqualTo(InetAddress.getLoopbackAddress().getHostAddress());
        assertThat(console.uri().getPort()).isPositive();
    }

    @Test
    void page_everyResponse_carriesAStrictContentSecurityPolicy() throws Exception {
        start(true);
        for (String path : List.of("/", "/console.js", "/console.css", "/api/snapshot", "/api/dead-letters", "/nope")) {
            var response = get(path);
            assertThat(response.headers().firstValue("Content-Security-Policy"))
                    .as(path)
                    .hasValueSatisfying(
                            csp -> assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline"));
            assertThat(response.headers().firstValue("X-Content-Type-Options"))
                    .as(path)
                    .contains("nosniff");
            assertThat(response.headers().firstValue("X-Frame-Options"))
                    .as(path)
                    .contains("DENY");
        }
        assertThat(get("/").body()).doesNotContain("<script>").contains("<script src=\"/console.js\"");
    }

    @Test
    void snapshot_afterRefresh_showsThePanelsFiguresLive() throws Exception {
        start(true);
        healthy.set(true);
        queue.submit("a").join();
        queue.submit("b").join();
        clock.advance(Duration.ofMillis(100)); // one refresh
        String body = get("/api/snapshot").body();
        assertThat(body)
                .contains("\"name\":\"mail\"")
                .contains("\"kind\":\"retry-queue\"")
                .contains("{\"name\":\"submitted\",\"value\":3,\"kind\":\"counter\"}")
                .contains("{\"name\":\"dead\",\"value\":1,\"kind\":\"gauge\"}");
        assertThat(get("/api/history").body()).startsWith("{\"mail\":{").contains("\"submitted\":[[");
    }

    @Test
    void snapshot_panelThatThrows_isShownFailingAndTheOthersGoOn() throws Exception {
        console = Console.builder()
                .timeSource(clock)
                .panel(Panel.of("broken", "test", () -> {
                    throw new IllegalStateException("secret detail");
                }))
                .panel(Panel.gauges("fine", "test", () -> Map.of("depth", 7)))
                .start();
        clock.advance(Console.DEFAULT_REFRESH_INTERVAL);
        String body = get("/api/snapshot").body();
        assertThat(body)
                .contains("\"error\":\"IllegalStateException\"")
                .doesNotContain("secret detail")
                .contains("{\"name\":\"depth\",\"value\":7,\"kind\":\"gauge\"}");
    }

    @Test
    void events_stream_pushesASnapshotPerRefresh() throws Exception {
        start(true);
        var response = http.send(
                HttpRequest.newBuilder(console.uri().resolve("/api/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        try (InputStream in = response.body()) {
            String first = readEvent(in);
            assertThat(first).contains("\"submitted\",\"value\":1");
            healthy.set(true);
            queue.submit("x").join();
            clock.advance(Duration.ofMillis(100));
            String next = readEvent(in);
            assertThat(next).contains("\"submitted\",\"value\":2");
        }
    }

    private static String readEvent(InputStream in) throws IOException {
        var text = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("stream ended");
            }
            text.append((char) c);
            int end = text.indexOf("\n\n");
            if (end >= 0 && text.indexOf("data: ") >= 0) {
                return text.toString();
            }
            if (end >= 0) {
                text.setLength(0); // the retry: line
            }
        }
    }

    @Test
    void events_moreLivePagesThanAllowed_getServiceUnavailable() throws Exception {
        console = Console.builder()
                .timeSource(clock)
                .maxClients(1)
                .panel(ResilienceViews.retryQueue(queue))
                .start();
        var first = http.send(
                HttpRequest.newBuilder(console.uri().resolve("/api/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = first.body()) {
            readEvent(in);
            assertThat(get("/api/events").statusCode()).isEqualTo(503);
        }
    }

    // ------------------------------------------------------------------ details and escaping

    @Test
    void deadLetters_withoutToken_hideThePayloadAndTheMessage() throws Exception {
        start(true);
        String body = get("/api/dead-letters").body();
        assertThat(body)
                .contains("\"details\":false")
                .contains("\"errorType\":\"java.lang.IllegalStateException\"")
                .contains("\"payload\":null")
                .doesNotContain("hunter2")
                .doesNotContain("SMTP");
    }

    @Test
    void deadLetters_withToken_showThemEscapedForHtml() throws Exception {
        start(true);
        String body = get("/api/dead-letters", "X-Console-Token", TOKEN).body();
        assertThat(body)
                .contains("\"details\":true")
                .contains("hunter2")
                .contains("\\u003cimg src=x onerror=\\\"window.__xss=1\\\"\\u003e\\u003c/script\\u003e")
                .doesNotContain("<img")
                .doesNotContain("</script>");
    }

    @Test
    void deadLetters_revealDetails_showsThemToEveryReader() throws Exception {
        console = Console.builder()
                .timeSource(clock)
                .revealDetails(true)
                .deadLetters(ResilienceViews.deadLetters(queue, job -> job))
                .start();
        assertThat(get("/api/dead-letters").body()).contains("hunter2").contains("\"actions\":false");
    }

    @Test
    void responses_neverCarryStackTraces() throws Exception {
        start(true);
        console.close();
        console = Console.builder()
                .timeSource(clock)
                .token(TOKEN)
                .deadLetters(new FailingSource())
                .panel(Panel.of("p", "test", () -> {
                    throw new IllegalStateException("boom");
                }))
                .start();
        clock.advance(Console.DEFAULT_REFRESH_INTERVAL);
        for (var response : List.of(
                get("/api/dead-letters", "X-Console-Token", TOKEN),
                get("/api/snapshot"),
                post("/api/dead-letters/failing/1/replay", "X-Console-Token", TOKEN))) {
            assertThat(response.body())
                    .doesNotContain("\tat ")
                    .doesNotContain("Exception:")
                    .doesNotContain("boom");
        }
    }

    // ------------------------------------------------------------------ actions

    @Test
    void replay_withToken_sendsTheLetterBackAndItLeavesTheList() throws Exception {
        start(true);
        healthy.set(true);
        var response = post("/api/dead-letters/mail/" + letterId() + "/replay", "X-Console-Token", TOKEN);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"ok\":true");
        clock.advance(Duration.ofSeconds(1));
        assertThat(queue.deadLetters().join()).isEmpty();
        assertThat(queue.stats().succeeded()).isEqualTo(1);
    }

    @Test
    void purge_withToken_deletesTheLetter() throws Exception {
        start(true);
        var response = post("/api/dead-letters/mail/" + letterId() + "/purge", "X-Console-Token", TOKEN);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"ok\":true,\"message\":\"purged\"}");
        assertThat(queue.deadLetters().join()).isEmpty();
    }

    @Test
    void replay_missingToken_isRefusedAndNothingChanges() throws Exception {
        start(true);
        var response = post("/api/dead-letters/mail/" + letterId() + "/replay");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(queue.deadLetters().join()).hasSize(1);
    }

    @Test
    void purge_wrongToken_isRefusedAndNothingChanges() throws Exception {
        start(true);
        var response = post("/api/dead-letters/mail/" + letterId() + "/purge", "X-Console-Token", TOKEN + "x");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(queue.deadLetters().join()).hasSize(1);
    }

    @Test
    void purge_crossOriginWithTheToken_isRefused() throws Exception {
        start(true);
        String id = letterId();
        var fromEvil = post(
                "/api/dead-letters/mail/" + id + "/purge", "X-Console-Token", TOKEN, "Origin", "http://evil.example");
        assertThat(fromEvil.statusCode()).isEqualTo(403);
        assertThat(fromEvil.body()).contains("cross-site");
        var crossSite = post(
                "/api/dead-letters/mail/" + id + "/purge", "X-Console-Token", TOKEN, "Sec-Fetch-Site", "cross-site");
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(queue.deadLetters().join()).hasSize(1);
        var sameOrigin = post(
                "/api/dead-letters/mail/" + id + "/purge",
                "X-Console-Token",
                TOKEN,
                "Origin",
                "http://" + console.uri().getAuthority(),
                "Sec-Fetch-Site",
                "same-origin");
        assertThat(sameOrigin.statusCode()).isEqualTo(200);
        assertThat(queue.deadLetters().join()).isEmpty();
    }

    @Test
    void replay_readOnlyConsole_isRefused() throws Exception {
        start(false);
        var response = post("/api/dead-letters/mail/" + letterId() + "/replay", "X-Console-Token", TOKEN);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("read-only");
        assertThat(queue.deadLetters().join()).hasSize(1);
    }

    @Test
    void replay_unknownLetterOrSource_isNotFound() throws Exception {
        start(true);
        assertThat(post("/api/dead-letters/mail/999999/replay", "X-Console-Token", TOKEN)
                        .statusCode())
                .isEqualTo(404);
        assertThat(post("/api/dead-letters/mail/not-a-number/purge", "X-Console-Token", TOKEN)
                        .statusCode())
                .isEqualTo(404);
        assertThat(post("/api/dead-letters/other/1/purge", "X-Console-Token", TOKEN)
                        .statusCode())
                .isEqualTo(404);
        assertThat(post("/api/dead-letters/mail/1/explode", "X-Console-Token", TOKEN)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void request_foreignHostHeader_isMisdirected() throws Exception {
        start(true);
        // java.net.http will not send a foreign Host header: speak HTTP/1.1 on a socket
        try (var socket = new Socket(console.uri().getHost(), console.uri().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/dead-letters HTTP/1.1\r\nHost: attacker.example:"
                            + console.uri().getPort() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 421");
        }
        assertThat(get("/api/dead-letters").statusCode()).isEqualTo(200);
    }

    @Test
    void request_otherMethods_areNotAllowed() throws Exception {
        start(true);
        var response = http.send(
                HttpRequest.newBuilder(console.uri().resolve("/api/dead-letters"))
                        .method("DELETE", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(405);
    }

    // ------------------------------------------------------------------ lifecycle and bad input

    @Test
    void close_endsLiveStreamsAndStopsServing() throws Exception {
        start(true);
        var response = http.send(
                HttpRequest.newBuilder(console.uri().resolve("/api/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        URI uri = console.uri();
        try (InputStream in = response.body()) {
            readEvent(in);
            console.close();
            assertThatThrownBy(() -> readEvent(in)).isInstanceOf(IOException.class);
        }
        assertThat(console.isClosed()).isTrue();
        assertThat(clock.pendingTimers()).isZero();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void builder_badInput_failsAtOnceNamingTheParameter() {
        assertThatThrownBy(() -> Console.builder().token("short"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token");
        assertThatThrownBy(() -> Console.builder().token(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("token");
        assertThatThrownBy(() -> Console.builder().port(70_000)).hasMessageContaining("port");
        assertThatThrownBy(() -> Console.builder().refreshInterval(Duration.ofMillis(1)))
                .hasMessageContaining("interval");
        assertThatThrownBy(() -> Console.builder().maxClients(0)).hasMessageContaining("maxClients");
        assertThatThrownBy(() -> Console.builder().port(1).port(2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("port");
        assertThatThrownBy(() ->
                        Console.builder().panel(Panel.gauges("a", "k", Map::of)).panel(Panel.gauges("a", "k", Map::of)))
                .hasMessageContaining("\"a\"");
        assertThatThrownBy(() -> Panel.gauges(" ", "k", Map::of)).hasMessageContaining("name");
        assertThatThrownBy(() -> Panel.gauges("bad\nname", "k", Map::of)).hasMessageContaining("name");
    }

    @Test
    void json_untrustedText_isEscapedForHtmlAndJson() {
        String json = new Json()
                .beginObject()
                .name("p")
                .value("<a href='x'>&\u2028\"\\\n")
                .endObject()
                .toString();
        assertThat(json).isEqualTo("{\"p\":\"\\u003ca href=\\u0027x\\u0027\\u003e\\u0026\\u2028\\\"\\\\\\n\"}");
        assertThat(new Json()
                        .beginArray()
                        .value(Double.NaN)
                        .value(2.0)
                        .value(0.5)
                        .endArray()
                        .toString())
                .isEqualTo("[null,2,0.5]");
    }

    /** A source whose every call fails: the console must answer with a short word, no detail. */
    private static final class FailingSource implements DeadLetterSource {
        private final AtomicInteger calls = new AtomicInteger();

        @Override
        public String name() {
            return "failing";
        }

        @Override
        public CompletableFuture<List<DeadLetter>> list() {
            calls.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("boom"));
        }

        @Override
        public CompletableFuture<Boolean> replay(String id) {
            return CompletableFuture.failedFuture(new IllegalStateException("boom"));
        }

        @Override
        public CompletableFuture<Boolean> purge(String id) {
            return CompletableFuture.failedFuture(new IllegalStateException("boom"));
        }
    }
}
