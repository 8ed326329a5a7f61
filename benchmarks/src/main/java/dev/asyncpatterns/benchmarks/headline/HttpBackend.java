package dev.asyncpatterns.benchmarks.headline;

import dev.asyncpatterns.core.TimeSource;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Real HTTP over loopback: a {@link DelayServer} answering after the latency, called with the
 * JDK {@link HttpClient} ({@code send} for the blocking form, {@code sendAsync} for the async
 * one). HTTP/1.1 with keep-alive, so after warm-up the calls reuse pooled connections.
 */
public final class HttpBackend implements Backend {

    private final DelayServer server;
    private final HttpClient client;
    private final String kind;

    /**
     * Starts a local server with the given latency and a client for it.
     *
     * @param time the timers that delay the server's responses
     * @param latency how long each response takes
     * @param kind the resource kind in the path and answer, e.g. {@code "page"}
     */
    public HttpBackend(TimeSource time, Duration latency, String kind) {
        this.server = DelayServer.start(time, latency);
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        this.kind = kind;
    }

    private HttpRequest request(int i) {
        return HttpRequest.newBuilder(server.uri(kind, i)).GET().build();
    }

    @Override
    public CompletableFuture<String> callAsync(int i) {
        return client.sendAsync(request(i), HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::body);
    }

    @Override
    public String call(int i) throws IOException, InterruptedException {
        return client.send(request(i), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }

    @Override
    public String toString() {
        return "HttpBackend[" + kind + "]";
    }
}
