package dev.asyncpatterns.examples;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

/**
 * Fetches 10 URLs from a local server that answers each request after a fixed delay: first one
 * after another, then all at once, and prints both times and the speedup.
 */
final class SyncVsAsync implements Example {

    @Override
    public String name() {
        return "sync-vs-async";
    }

    @Override
    public String description() {
        return "fetch 10 URLs one by one, then concurrently; print times and the speedup";
    }

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        int calls = 10;
        Duration latency = Duration.ofMillis(fast ? 50 : 200);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try {
                Thread.sleep(latency); // the simulated slow service, not a test wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = ("hello from " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try (HttpClient client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
            List<URI> uris = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                uris.add(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/item/" + i));
            }
            out.printf("%d calls to a local service that takes %d ms each%n", calls, latency.toMillis());

            long start = System.nanoTime();
            for (URI uri : uris) {
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            }
            double sequentialMs = (System.nanoTime() - start) / 1e6;
            out.printf("sequential: %8.1f ms%n", sequentialMs);

            start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> futures = uris.stream()
                    .map(uri -> client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()))
                    .toList();
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
            double concurrentMs = (System.nanoTime() - start) / 1e6;
            out.printf("concurrent: %8.1f ms%n", concurrentMs);
            out.printf("speedup:    %8.1fx (ideal %dx)%n", sequentialMs / concurrentMs, calls);
        } finally {
            server.stop(0);
        }
    }
}
