package dev.asyncpatterns.examples;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.pool.WorkerPool;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Example 3: the classic "N workers on a queue". A {@link WorkerPool} runs 5 workers that take
 * jobs from a bounded queue (capacity 10) and call a local service; a shared limit keeps at most
 * 3 requests in flight even though 5 workers exist. The producer blocks while the queue is full
 * (backpressure), failing jobs fail alone, and {@code shutdown()} lets the workers drain the
 * queue before they stop. Per-worker stats are printed at the end.
 *
 * <p>asyncio: {@code queue = asyncio.Queue(maxsize=10)}, five {@code worker(queue)} tasks doing
 * {@code async with semaphore: await fetch(job)}, then {@code await queue.join()} and cancelling
 * the workers.
 */
final class QueueWorkers implements Example {

    @Override
    public String name() {
        return "queue-workers";
    }

    @Override
    public String description() {
        return "5 workers on a bounded queue, at most 3 requests in flight, per-worker stats, graceful shutdown";
    }

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        int jobs = 30;
        long unit = fast ? 10 : 50; // the service takes 2-6 units per request

        // the service: /job/N takes a while; every 10th job gets a 500
        try (var server = LocalHttpServer.start(path -> {
                    int n = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
                    Reply reply = n % 10 == 7 ? Reply.status(500, "boom") : Reply.ok("result of job " + n);
                    return reply.after(Duration.ofMillis(unit * (2 + n % 5)));
                });
                var client = HttpClient.newHttpClient()) {

            // count requests in flight, to show the limit holds
            var inFlight = new AtomicInteger();
            var maxInFlight = new AtomicInteger();

            // the handler: one HTTP call per job; it returns a future, so a worker never blocks on I/O
            WorkerPool<Integer, Integer> pool = WorkerPool.<Integer, Integer>builder(job -> {
                        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        var request = HttpRequest.newBuilder(server.uri("/job/" + job))
                                .build();
                        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                                .whenComplete((response, failure) -> inFlight.decrementAndGet())
                                .thenApply(response -> {
                                    if (response.statusCode() != 200) {
                                        throw new IllegalStateException("HTTP " + response.statusCode());
                                    }
                                    return response.body().length();
                                });
                    })
                    .name("fetchers")
                    .workers(5)
                    .maxInFlight(3)
                    .queueCapacity(10)
                    .build();
            out.printf("%d jobs -> 5 workers, queue capacity 10, at most 3 requests in flight%n", jobs);

            // the producer: submitBlocking waits while the queue is full, so it can never run ahead
            // of the workers by more than the queue's capacity
            long start = System.nanoTime();
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            int maxDepth = 0;
            for (int job = 0; job < jobs; job++) {
                results.add(pool.submitBlocking(job));
                maxDepth = Math.max(maxDepth, pool.stats().depth());
            }
            out.printf(
                    "producer done after %d ms; the queue never held more than %d jobs%n",
                    (System.nanoTime() - start) / 1_000_000, maxDepth);

            // graceful shutdown: no new jobs, but everything queued is still processed
            CompletableFuture<Void> terminated = pool.shutdown();
            CompletableFuture<Integer> late = pool.submit(999);
            out.println("late job after shutdown: " + describe(late));
            terminated.join();
            out.printf("pool terminated after %d ms%n", (System.nanoTime() - start) / 1_000_000);

            int ok = 0;
            List<String> failures = new ArrayList<>();
            for (int job = 0; job < jobs; job++) {
                CompletableFuture<Integer> result = results.get(job);
                if (result.isCompletedExceptionally()) {
                    failures.add("job " + job + " (" + describe(result) + ")");
                } else {
                    ok++;
                }
            }
            out.printf("results: %d ok, %d failed: %s%n", ok, failures.size(), failures);
            out.printf("most requests in flight at once: %d%n", maxInFlight.get());

            WorkerPool.Stats stats = pool.stats();
            for (WorkerPool.WorkerStats worker : stats.perWorker()) {
                out.printf(
                        "  worker %d: %2d processed, %d failed, busy %4d ms%n",
                        worker.index(),
                        worker.succeeded(),
                        worker.failed(),
                        worker.busyTime().toMillis());
            }
            out.printf(
                    "pool: submitted %d, processed %d, failed %d, queue depth %d%n",
                    stats.submitted(), stats.succeeded(), stats.failed(), stats.depth());
        }
    }

    /** "ok" or the failure's type and message, for a completed future. */
    private static String describe(CompletableFuture<?> done) {
        try {
            done.join();
            return "ok";
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String kind = cause instanceof ClosedException ? "rejected, " : "";
            return kind + cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
    }
}
