package dev.asyncpatterns.examples;

import dev.asyncpatterns.core.future.AsCompleted;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.examples.LocalHttpServer.Reply;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Example 2: scrape 15 pages of a local site, at most 5 at a time, each with its own timeout.
 * Some pages are missing (404) and some never answer; progress is printed as each page finishes,
 * in completion order ({@link Futures#asCompleted}), then a summary. A timed-out page is
 * cancelled by {@link Futures#withTimeout}, which aborts its HTTP exchange, and its permit goes
 * to the next page.
 *
 * <p>asyncio: {@code async with sem: await asyncio.wait_for(fetch(url), 2)} for each page, and
 * {@code for done in asyncio.as_completed(tasks): print(await done)}.
 */
final class ConcurrentScraper implements Example {

    @Override
    public String name() {
        return "scraper";
    }

    @Override
    public String description() {
        return "15 pages, 5 at a time, per-page timeout, 404s and hangs, progress in completion order";
    }

    enum Kind {
        OK,
        FAILED,
        TIMED_OUT
    }

    /** What happened to one page; {@code atMillis} is when it finished, since the scrape began. */
    record PageResult(String path, Kind kind, @Nullable String detail, long atMillis) {}

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        int pages = 15;
        long unit = fast ? 20 : 100;
        Duration timeout = Duration.ofMillis(fast ? 1000 : 2000);

        // the site: /page/4 and /page/11 are missing, /page/7 and /page/13 never answer,
        // the others take 1 to 5 units
        try (var server = LocalHttpServer.start(path -> {
                    int n = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
                    if (n == 4 || n == 11) {
                        return Reply.notFound();
                    }
                    if (n == 7 || n == 13) {
                        return Reply.hang();
                    }
                    String html = "<html>" + ("page " + n + " ").repeat(10 + n) + "</html>";
                    return Reply.ok(html).after(Duration.ofMillis(unit * (1 + n * 7 % 5)));
                });
                var client = HttpClient.newHttpClient()) {
            // one warm-up request, so the JVM's first-use costs do not count against a page's timeout
            client.send(HttpRequest.newBuilder(server.uri("/page/0")).build(), HttpResponse.BodyHandlers.discarding());
            out.printf("scraping %d pages, at most 5 at a time, %d ms timeout per page%n", pages, timeout.toMillis());

            AsyncSemaphore politeness = new AsyncSemaphore(5); // at most 5 requests to the site at once
            long start = System.nanoTime();
            List<CompletableFuture<PageResult>> scrapes = new ArrayList<>();
            for (int n = 0; n < pages; n++) {
                String path = "/page/" + n;
                var request = HttpRequest.newBuilder(server.uri(path)).build();
                CompletableFuture<String> body = politeness.withPermit(() ->
                        // the timeout covers the request only, not the wait for a permit
                        Futures.withTimeout(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()), timeout)
                                .thenApply(response -> {
                                    if (response.statusCode() != 200) {
                                        throw new IllegalStateException("HTTP " + response.statusCode());
                                    }
                                    return response.body();
                                }));
                // turn every ending (value, failure, timeout) into a PageResult
                scrapes.add(body.handle((html, failure) -> {
                    long at = (System.nanoTime() - start) / 1_000_000;
                    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                    if (cause == null) {
                        return new PageResult(path, Kind.OK, html.length() + " bytes", at);
                    }
                    if (cause instanceof TimeoutException) {
                        return new PageResult(
                                path, Kind.TIMED_OUT, "no answer within " + timeout.toMillis() + " ms", at);
                    }
                    return new PageResult(path, Kind.FAILED, cause.getMessage(), at);
                }));
            }

            // progress in completion order; forEachAsync calls us as each page finishes
            // (on a virtual thread, a plain `for (var done : completions)` loop works too)
            AsCompleted<PageResult> completions = Futures.asCompleted(scrapes);
            completions
                    .forEachAsync(done -> {
                        PageResult page = done.join(); // already complete: never blocks
                        out.printf(
                                "[%2d/%d] %-9s %-9s %-28s at %4d ms%n",
                                completions.handedOut(),
                                completions.size(),
                                page.path(),
                                page.kind(),
                                page.detail(),
                                page.atMillis());
                    })
                    .join();

            long total = (System.nanoTime() - start) / 1_000_000;
            List<PageResult> results = Futures.all(scrapes).join(); // all done; in page order
            out.printf(
                    "summary: %d ok, %d failed, %d timed out, in %d ms%n",
                    count(results, Kind.OK), count(results, Kind.FAILED), count(results, Kind.TIMED_OUT), total);
        }
    }

    private static long count(List<PageResult> results, Kind kind) {
        return results.stream().filter(r -> r.kind() == kind).count();
    }
}
