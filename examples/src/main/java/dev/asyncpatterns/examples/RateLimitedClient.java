package dev.asyncpatterns.examples;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.sync.AsyncRateLimiter;
import dev.asyncpatterns.examples.LocalHttpServer.Reply;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Example 9: a client that respects an API quota. All 20 calls are started at once, but each
 * first takes a token from an {@link AsyncRateLimiter} (a token bucket): the first {@code burst}
 * go out immediately, the rest are paced at the refill rate. Waiting for a token is a future, so
 * no thread is parked while a call waits its turn. The local server records when each request
 * arrives, which shows the pace from the server's side.
 *
 * <p>asyncio: an {@code aiolimiter.AsyncLimiter} ({@code async with limiter: await fetch()}).
 */
final class RateLimitedClient implements Example {

    @Override
    public String name() {
        return "rate-limited-client";
    }

    @Override
    public String description() {
        return "a token bucket pacing 20 calls to a local endpoint; arrival times seen by the server";
    }

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        int calls = 20;
        int perSecond = fast ? 40 : 10;
        int burst = 3;

        var granted = new ConcurrentLinkedQueue<Long>(); // when each call got its token (nanoTime)
        var arrived = new ConcurrentLinkedQueue<Long>(); // when the server saw each request (nanoTime)
        try (var server = LocalHttpServer.start(path -> {
                    arrived.add(System.nanoTime());
                    return Reply.ok("ok " + path);
                });
                var client = HttpClient.newHttpClient()) {
            // one warm-up call, so the JVM's first-use costs do not blur the timeline below
            client.send(HttpRequest.newBuilder(server.uri("/warm-up")).build(), HttpResponse.BodyHandlers.discarding());
            arrived.clear();

            // `perSecond` tokens per second, up to `burst` saved up; the bucket starts full
            var limiter = AsyncRateLimiter.builder()
                    .rate(perSecond, Duration.ofSeconds(1))
                    .burst(burst)
                    .build();
            out.printf(
                    "%d calls, limit %d/s with a burst of %d; the bucket starts with %d tokens%n",
                    calls, perSecond, burst, limiter.availableTokens());

            long firstCall = System.nanoTime();
            List<CompletableFuture<Integer>> responses = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                var request = HttpRequest.newBuilder(server.uri("/api/" + i)).build();
                // wait for a token (a future, not a blocked thread), then call
                responses.add(limiter.acquire()
                        .thenCompose(token -> {
                            granted.add(System.nanoTime());
                            return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
                        })
                        .thenApply(HttpResponse::statusCode));
            }
            out.printf("all %d calls started; %d of them waiting for a token%n", calls, limiter.waiters());

            List<Integer> statuses = Futures.all(responses).join();
            double seconds = (System.nanoTime() - firstCall) / 1e9;
            limiter.close(); // stops its refill timer; would fail any acquire still waiting

            out.println("tokens granted at (ms):          " + millisSince(firstCall, granted));
            out.println("server saw the requests at (ms): " + millisSince(firstCall, arrived));
            // the bucket starts full, so `burst` calls go at once; each later one needs a refill
            double minimum = (double) (calls - burst) / perSecond;
            out.printf(
                    "%d calls (%d x 200 OK) in %.3f s = %.1f calls/s%n",
                    calls, statuses.stream().filter(s -> s == 200).count(), seconds, calls / seconds);
            out.printf("the quota allows no faster than %.3f s: %d at once, then %d/s%n", minimum, burst, perSecond);
        }
    }

    /** The {@code nanoTime} readings {@code times}, as sorted milliseconds since {@code origin}. */
    private static List<Long> millisSince(long origin, ConcurrentLinkedQueue<Long> times) {
        return times.stream().map(t -> (t - origin) / 1_000_000).sorted().toList();
    }
}
