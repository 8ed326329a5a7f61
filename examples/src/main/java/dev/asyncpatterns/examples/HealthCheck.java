package dev.asyncpatterns.examples;

import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.WaitPolicy;
import dev.asyncpatterns.core.future.WaitResult;
import dev.asyncpatterns.examples.LocalHttpServer.Reply;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Example 13: a health-check dashboard. Six services are checked at once; each result is printed
 * the moment it arrives, and whatever has not answered by the deadline is reported as timed out
 * and cancelled. This is the {@code asyncio.wait} loop: wait until the first of the pending checks
 * completes (or the time left runs out), handle the done ones, wait again on the rest.
 *
 * <p>asyncio: {@code done, pending = await asyncio.wait(pending, timeout=left,
 * return_when=FIRST_COMPLETED)} in a loop, then {@code for t in pending: t.cancel()}.
 */
final class HealthCheck implements Example {

    /** The simulated services: how long each takes, and what it answers. */
    private static final Map<String, Reply> SERVICES = services();

    @Override
    public String name() {
        return "health-check";
    }

    @Override
    public String description() {
        return "six services checked at once, results printed as they arrive, silent ones cancelled at a deadline";
    }

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        // fast mode (the test run) too keeps a 1 s deadline: 150 ms services against a 400 ms
        // deadline timed out all six checks on a loaded 2-core box (a half-second stall)
        Duration deadline = Duration.ofMillis(1_000);
        try (var server = LocalHttpServer.start(path -> SERVICES.getOrDefault(path.substring(1), Reply.notFound()));
                var client = HttpClient.newHttpClient()) {
            // one warm-up call, so the JVM's first-use costs do not blur the timeline below
            client.send(HttpRequest.newBuilder(server.uri("/cache")).build(), HttpResponse.BodyHandlers.discarding());
            out.printf("checking %d services, deadline %d ms%n", SERVICES.size(), deadline.toMillis());
            long start = System.nanoTime();

            // start every check at once; remember which future is which service
            Map<CompletableFuture<Integer>, String> names = new IdentityHashMap<>();
            for (String service : SERVICES.keySet()) {
                var request = HttpRequest.newBuilder(server.uri("/" + service)).build();
                names.put(
                        client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                                .thenApply(HttpResponse::statusCode),
                        service);
            }

            List<CompletableFuture<Integer>> pending = new ArrayList<>(names.keySet());
            int up = 0;
            int down = 0;
            int rounds = 0;
            while (!pending.isEmpty()) {
                Duration left = deadline.minusNanos(System.nanoTime() - start);
                if (left.isNegative() || left.isZero()) {
                    break;
                }
                // like asyncio.wait(..., return_when=FIRST_COMPLETED, timeout=left): the pending
                // checks are not cancelled by the wait; we decide what to do with them
                WaitResult<Integer> result = Futures.waitFor(WaitPolicy.FIRST_COMPLETED, pending, left)
                        .join();
                rounds++;
                for (CompletableFuture<Integer> check : result.done()) {
                    Outcome<Integer> outcome = Outcome.ofDone(check);
                    boolean healthy = outcome instanceof Outcome.Success<Integer> ok && ok.value() == 200;
                    if (healthy) {
                        up++;
                    } else {
                        down++;
                    }
                    out.printf(
                            "  [%4d ms] %-8s %s%n",
                            millisSince(start), names.get(check), healthy ? "UP" : "DOWN (" + describe(outcome) + ")");
                }
                pending = result.pending();
            }
            for (CompletableFuture<Integer> check : pending) {
                check.cancel(true); // HttpClient aborts the exchange
                out.printf(
                        "  [%4d ms] %-8s TIMED OUT (no answer in %d ms), cancelled%n",
                        millisSince(start), names.get(check), deadline.toMillis());
            }
            out.printf("%d up, %d down, %d timed out; results handled in %d waits%n", up, down, pending.size(), rounds);
        }
    }

    private static Map<String, Reply> services() {
        Map<String, Reply> services = new LinkedHashMap<>();
        services.put("auth", Reply.ok("ok").after(Duration.ofMillis(15)));
        services.put("db", Reply.ok("ok").after(Duration.ofMillis(40)));
        services.put("cache", Reply.ok("ok").after(Duration.ofMillis(5)));
        services.put("billing", Reply.status(503, "maintenance").after(Duration.ofMillis(60)));
        services.put("search", Reply.ok("ok").after(Duration.ofMillis(150)));
        services.put("email", Reply.hang()); // never answers
        return services;
    }

    private static String describe(Outcome<Integer> outcome) {
        return switch (outcome) {
            case Outcome.Success<Integer> success -> "HTTP " + success.value();
            case Outcome.Failure<Integer> failure -> failure.cause().getClass().getSimpleName();
            case Outcome.Cancelled<Integer> cancelled -> "cancelled";
        };
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
