package dev.asyncpatterns.examples;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.Parallel;
import dev.asyncpatterns.examples.LocalHttpServer.Reply;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * Example 1, the README's demo: fetch 10 URLs from a local service that takes a fixed time per
 * request, first one after another, then all at once, and print both times and the speedup;
 * then once more with at most 5 calls in flight.
 *
 * <p>asyncio: {@code await asyncio.gather(*(fetch(url) for url in urls))}; here
 * {@link Futures#all}. The bounded form (a semaphore around each fetch) is {@link Parallel#map}.
 */
final class SyncVsAsync implements Example {

    @Override
    public String name() {
        return "sync-vs-async";
    }

    @Override
    public String description() {
        return "fetch 10 URLs one by one, all at once, then 5 at a time; print times and the speedup";
    }

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        int calls = 10;
        Duration latency = Duration.ofMillis(fast ? 50 : 200);
        // a local service that answers every request after `latency`
        try (var server = LocalHttpServer.start(
                        path -> Reply.ok("hello from " + path).after(latency));
                var client = HttpClient.newHttpClient()) {
            List<URI> uris = IntStream.range(0, calls)
                    .mapToObj(i -> server.uri("/item/" + i))
                    .toList();
            out.printf("%d calls to a local service that takes %d ms each%n", calls, latency.toMillis());
            // one warm-up call, so the JVM's first-use costs do not count against the sequential run
            client.send(HttpRequest.newBuilder(server.uri("/warm-up")).build(), HttpResponse.BodyHandlers.discarding());

            // 1. sequential: each call waits for the previous one
            long start = System.nanoTime();
            for (URI uri : uris) {
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            }
            double sequentialMs = (System.nanoTime() - start) / 1e6;
            out.printf("sequential: %8.1f ms%n", sequentialMs);

            // 2. concurrent: start every call, then wait for all of them together. Futures.all
            //    gives the results in input order and fails fast: if one call failed, the others
            //    would be cancelled and the failure thrown here (asyncio.gather's behaviour).
            start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> pending = uris.stream()
                    .map(uri ->
                            client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()))
                    .toList();
            List<HttpResponse<String>> responses = Futures.all(pending).join();
            double concurrentMs = (System.nanoTime() - start) / 1e6;
            out.printf(
                    "concurrent: %8.1f ms (%d responses, first: \"%s\")%n",
                    concurrentMs, responses.size(), responses.get(0).body());
            out.printf("speedup:    %8.1fx (ideal %dx)%n", sequentialMs / concurrentMs, calls);

            // 3. bounded: at most 5 calls in flight (a polite client); Parallel.map starts the next
            //    call as soon as one finishes and keeps the results in input order
            start = System.nanoTime();
            List<HttpResponse<String>> bounded = Parallel.map(
                            uris,
                            5,
                            uri -> client.sendAsync(
                                    HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()))
                    .join();
            out.printf(
                    "at most 5 at a time: %8.1f ms (%d responses; ideal 2 x %d ms)%n",
                    (System.nanoTime() - start) / 1e6, bounded.size(), latency.toMillis());
        }
    }
}
