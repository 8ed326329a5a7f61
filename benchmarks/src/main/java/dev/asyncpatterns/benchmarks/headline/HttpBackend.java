package dev.asyncpatterns.benchmarks.headline;

import dev.asyncpatterns.core.time.TimeSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Real HTTP over loopback: a {@link DelayServer} answering after the latency, called with the
 * JDK {@link HttpClient} ({@code send} for the blocking form, {@code sendAsync} for the async
 * one). HTTP/1.1 with keep-alive, so after warm-up the calls reuse pooled connections. The
 * client runs its callbacks on virtual threads (the JDK 21+ setup) and the server sets
 * TCP_NODELAY; with the JDK defaults (a cached pool of platform threads, Nagle on) a warm 50-call
 * batch took about 2-3 ms longer on 2 cores.
 */
public final class HttpBackend implements Backend {

    /**
     * Exchanges {@link #warmUp(int)} aims for: enough for C2 to compile the client and server
     * paths. System property {@value #WARM_UP_PROPERTY} overrides it (0 turns warm-up off).
     */
    static final int WARM_UP_EXCHANGES = Integer.getInteger(HttpBackend.WARM_UP_PROPERTY, 50_000);
    /** The system property that overrides {@link #WARM_UP_EXCHANGES}. */
    public static final String WARM_UP_PROPERTY = "asyncpatterns.bench.httpWarmUpExchanges";
    /** The most {@link #warmUp(int)} spends (on a slow machine it stops early). */
    static final Duration WARM_UP_BUDGET = Duration.ofSeconds(8);

    private final DelayServer server;
    private final ExecutorService callbacks;
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
        this.callbacks = Executors.newVirtualThreadPerTaskExecutor();
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(callbacks)
                .build();
        this.kind = kind;
    }

    private HttpRequest request(int i) {
        return HttpRequest.newBuilder(server.uri(kind, i)).GET().build();
    }

    @Override
    public CompletableFuture<String> callAsync(int i) {
        return client.sendAsync(request(i), HttpResponse.BodyHandlers.ofString())
                .thenApply(HttpResponse::body);
    }

    @Override
    public String call(int i) throws IOException, InterruptedException {
        return client.send(request(i), HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * Runs zero-delay exchanges through the same client and server code until about
     * {@code exchanges} have completed or {@code budget} has passed: blocking {@code send} calls
     * from {@code concurrency} virtual threads and bursts of {@code concurrency} {@code sendAsync}
     * calls, alternately, so both forms the variants use are compiled before anything is measured.
     *
     * @param exchanges how many exchanges to aim for
     * @param concurrency how many exchanges in flight at once (the batch size of the scenario)
     * @param budget the most time to spend
     * @return how many exchanges ran
     * @throws IllegalStateException if the server answers a warm-up request with anything but 200
     */
    public int warmUp(int exchanges, int concurrency, Duration budget) {
        Objects.requireNonNull(budget, "budget");
        if (exchanges < 0 || concurrency < 1) {
            throw new IllegalArgumentException(
                    "exchanges must be >= 0 and concurrency >= 1, got " + exchanges + " and " + concurrency);
        }
        long deadline = System.nanoTime() + budget.toNanos();
        int done = 0;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (boolean blocking = true; done < exchanges && System.nanoTime() - deadline < 0; blocking = !blocking) {
                List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>(concurrency);
                for (int i = 0; i < concurrency; i++) {
                    HttpRequest request =
                            HttpRequest.newBuilder(server.warmUpUri(i)).GET().build();
                    burst.add(
                            blocking
                                    ? CompletableFuture.supplyAsync(() -> sendBlocking(request), threads)
                                    : client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
                }
                CompletableFuture.allOf(burst.toArray(CompletableFuture[]::new)).join();
                for (CompletableFuture<HttpResponse<String>> exchange : burst) {
                    HttpResponse<String> response = exchange.join();
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("warm-up request " + response.uri() + " answered "
                                + response.statusCode() + ": " + response.body());
                    }
                }
                done += concurrency;
            }
        }
        return done;
    }

    private HttpResponse<String> sendBlocking(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    /** Warms up as {@link #warmUp(int, int, Duration)} does, with the defaults, and prints what it did (JMH shows it). */
    @Override
    public void warmUp(int concurrency) {
        long start = System.nanoTime();
        int ran = warmUp(WARM_UP_EXCHANGES, concurrency, WARM_UP_BUDGET);
        System.out.printf(
                Locale.ROOT,
                "# HTTP warm-up: %,d zero-latency exchanges, %d at a time, in %.1f s%n",
                ran,
                concurrency,
                (System.nanoTime() - start) / 1e9);
    }

    @Override
    public void close() {
        client.close();
        callbacks.close();
        server.close();
    }

    @Override
    public String toString() {
        return "HttpBackend[" + kind + "]";
    }
}
