package dev.asyncpatterns.examples;

import dev.asyncpatterns.core.future.Blocking;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.examples.LocalHttpServer.Reply;
import dev.asyncpatterns.pipeline.OnError;
import dev.asyncpatterns.pipeline.Pipeline;
import dev.asyncpatterns.pipeline.PipelineRun;
import dev.asyncpatterns.pipeline.StageMetrics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Example 4: an ETL job as a {@link Pipeline}. Extract: fetch order records as JSON from a local
 * HTTP service, 3 at a time, retrying transient 503s with a backoff. Transform: parse and convert
 * each record on the CPU pool ({@link Blocking#cpu}), 3 at a time, skipping malformed ones to a
 * dead-letter list. Load: group rows into batches of 10 (or whatever arrived within 200 ms) and
 * write each batch to a CSV file on a virtual thread ({@link Blocking#call}), 3 files at a time.
 * Every stage is bounded, so a slow disk slows the fetching down instead of filling memory. At
 * the end: throughput, the dead letters and each stage's metrics.
 *
 * <p>asyncio: a chain of async generators ({@code async for record in fetch_all(): ...}) with a
 * semaphore per stage and {@code asyncio.to_thread} for the file writes.
 */
final class EtlPipeline implements Example {

    @Override
    public String name() {
        return "etl-pipeline";
    }

    @Override
    public String description() {
        return "fetch JSON from local endpoints -> transform -> write CSV files in batches, 3-way parallel stages";
    }

    /** A parsed order, ready to load. */
    record Row(long id, String customer, long amountCents) {
        String csv() {
            return id + "," + customer + "," + amountCents;
        }
    }

    private static final Pattern FIELDS = Pattern.compile(
            "\\{\"id\":(\\d+),\"customer\":\"(\\w+)\",\"amount\":\"(\\d+\\.\\d{2})\",\"currency\":\"(EUR|USD)\"}");

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        int records = fast ? 60 : 300;

        // the source system: /orders/N answers JSON after 5-25 ms; some requests fail with a
        // transient 503 (the first try of every 13th record), record 29 always does, and every
        // 17th record is malformed
        Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
        try (var server = LocalHttpServer.start(path -> {
                    long id = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
                    int attempt = tries.computeIfAbsent(path, p -> new AtomicInteger())
                            .incrementAndGet();
                    Duration latency = Duration.ofMillis(5 + id * 7 % 21);
                    if ((id % 13 == 5 && attempt == 1) || id == 29) {
                        return Reply.status(503, "busy").after(latency);
                    }
                    String json = id % 17 == 16
                            ? "{\"id\":" + id + ",\"customer\":" // cut short
                            : "{\"id\":" + id + ",\"customer\":\"c" + id % 7 + "\",\"amount\":\"" + (id * 37 % 100)
                                    + "." + String.format("%02d", id % 100) + "\",\"currency\":\""
                                    + (id % 2 == 0 ? "EUR" : "USD") + "\"}";
                    return Reply.ok(json).after(latency);
                });
                var client = HttpClient.newHttpClient()) {
            Path dir = Files.createTempDirectory("etl-example");
            var deadLetters = new ConcurrentLinkedQueue<String>();
            out.printf("%d records from %s -> CSV files in a temporary directory%n", records, server.uri("/orders/"));

            long start = System.nanoTime();
            PipelineRun<Integer> run = Pipeline.range(0, records)
                    // extract: 3 requests at a time, results kept in input order; a failed request is
                    // retried twice (50 ms, 100 ms) and then skipped to the dead letters
                    .mapAsync(
                            3,
                            (Long id) -> fetch(client, server, id),
                            OnError.<Long, String>retry(Backoff.exponential(Duration.ofMillis(50))
                                            .maxAttempts(3))
                                    .thenSkip(
                                            (id, error) -> deadLetters.add("record " + id + ": " + error.getMessage())))
                    // transform: parse and convert on the CPU pool, 3 at a time; bad records are skipped
                    .mapAsync(
                            3,
                            (String json) -> Blocking.cpu(() -> transform(json)),
                            OnError.skip((json, error) -> deadLetters.add("malformed: " + json)))
                    // load: batches of 10 rows (or fewer after 200 ms), 3 files written at a time
                    .batch(10, Duration.ofMillis(200))
                    .mapAsync(3, (List<Row> batch) -> Blocking.call(() -> write(dir, batch)))
                    .fold(0, Integer::sum) // rows written
                    .start();

            int written = run.result().join();
            double seconds = (System.nanoTime() - start) / 1e9;

            List<Path> files;
            try (Stream<Path> listing = Files.list(dir)) {
                files = listing.sorted().toList();
            }
            long lines = 0;
            for (Path file : files) {
                lines += Files.readAllLines(file).size();
            }
            out.printf(
                    "wrote %d rows into %d files (%d lines on disk) in %.2f s: %.0f records/s%n",
                    written, files.size(), lines, seconds, records / seconds);
            out.printf("dead letters (%d):%n", deadLetters.size());
            deadLetters.stream().sorted().forEach(letter -> out.println("  " + letter));
            // the server counted every request: those beyond one per record were retries
            int requests = tries.values().stream().mapToInt(AtomicInteger::get).sum();
            long retried =
                    tries.values().stream().filter(count -> count.get() > 1).count();
            out.printf(
                    "extract: %d requests for %d records: %d retries on %d records (transient 503s, backoff 50 ms,"
                            + " 100 ms), %d still failing after 3 attempts%n",
                    requests,
                    records,
                    requests - records,
                    retried,
                    tries.values().stream().filter(count -> count.get() >= 3).count());
            out.println("stage metrics (failures = elements that failed the stage after its error policy ran):");
            List<String> roles = List.of("source", "extract", "transform", "load: batch", "load: write", "count rows");
            List<StageMetrics> stages = run.metrics();
            for (int i = 0; i < stages.size(); i++) {
                StageMetrics stage = stages.get(i);
                String label = (i < roles.size() ? roles.get(i) + " " : "") + "[" + stage.stage() + "]";
                out.printf(
                        "  %-36s in %4d  out %4d  failures %2d  busy %5d ms%n",
                        label,
                        stage.elementsIn(),
                        stage.elementsOut(),
                        stage.failures(),
                        stage.busy().toMillis());
            }
            deleteAll(dir);
        }
    }

    /** Extract: one GET; a non-200 answer is a failure (so the retry policy sees it). */
    private static CompletableFuture<String> fetch(HttpClient client, LocalHttpServer server, long id) {
        var request = HttpRequest.newBuilder(server.uri("/orders/" + id)).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + response.statusCode());
            }
            return response.body();
        });
    }

    /** Transform: parse the JSON and convert the amount to US cents. */
    private static Row transform(String json) {
        Matcher m = FIELDS.matcher(json);
        if (!m.matches()) {
            throw new IllegalArgumentException("malformed record");
        }
        long cents = Math.round(Double.parseDouble(m.group(3)) * 100);
        if (m.group(4).equals("EUR")) {
            cents = cents * 108 / 100; // a fixed rate, for the example
        }
        return new Row(Long.parseLong(m.group(1)), m.group(2), cents);
    }

    /** Load: one CSV file per batch; returns the number of rows written. */
    private static int write(Path dir, List<Row> batch) throws IOException {
        Path file = dir.resolve(String.format("orders-%05d.csv", batch.get(0).id()));
        Files.write(file, batch.stream().map(Row::csv).toList());
        return batch.size();
    }

    private static void deleteAll(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
