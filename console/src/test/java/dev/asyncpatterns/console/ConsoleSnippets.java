package dev.asyncpatterns.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.resilience.RetryQueue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The console's javadoc examples, compiled and run. */
class ConsoleSnippets {

    record Email(String to) {}

    @Test
    void embed() throws Exception {
        var sent = new AtomicInteger();
        RetryQueue<Email> outbox = RetryQueue.<Email>builder(
                        "outbox", email -> CompletableFuture.runAsync(sent::incrementAndGet))
                .build();
        String operatorToken = "s3cret-token-from-env-0123";
        // @start region=embed
        Console console = Console.builder()
                .token(operatorToken) // e.g. System.getenv("CONSOLE_TOKEN")
                .panel(ResilienceViews.retryQueue(outbox)) // figures, live
                .deadLetters(ResilienceViews.deadLetters(outbox, Email::to)) // Replay / Purge
                .panel(Panel.gauges("sessions", "gauge", () -> Map.of("open", sent.get())))
                .start(); // http://127.0.0.1:<free port>/
        // @end
        try (console;
                var http = HttpClient.newHttpClient()) {
            URI page = console.uri();
            var response = http.send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("async-patterns console");
            assertThat(page.getHost()).isEqualTo("127.0.0.1");
        } finally {
            outbox.shutdownNow().join();
        }
    }

    @Test
    void coreViews() throws Exception {
        var tasks = dev.asyncpatterns.core.queue.AsyncQueue.<String>bounded(100);
        var limits = new dev.asyncpatterns.core.sync.AsyncSemaphore(4);
        // @start region=coreViews
        try (Console console = Console.builder()
                .panel(CoreViews.queue(tasks)) // depth, capacity, fill, waiters, put/taken
                .panel(CoreViews.semaphore(limits)) // available, waiters, waited, timed out
                .start()) {
            // @end
            tasks.offer("a");
            try (var http = HttpClient.newHttpClient()) {
                String snapshot = http.send(
                                HttpRequest.newBuilder(console.uri().resolve("/api/snapshot"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                assertThat(snapshot).contains("\"kind\":\"queue\"").contains("\"kind\":\"semaphore\"");
            }
        }
    }
}
