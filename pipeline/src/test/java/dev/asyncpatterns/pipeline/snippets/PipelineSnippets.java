package dev.asyncpatterns.pipeline.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.pipeline.OnError;
import dev.asyncpatterns.pipeline.Pipeline;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The examples in the pipeline javadoc ({@code {@snippet class=... region=...}}), compiled and
 * run against fakes, using only the public API as users would.
 *
 * <p>Inside a region, {@code // @replace} markup hides test plumbing from the rendered snippet:
 * the virtual clock and a same-thread executor, which users' code leaves at their defaults
 * ({@code regex="(?s).*"} drops the whole line, its line break included).
 */
class PipelineSnippets {

    private final VirtualClock clock = VirtualClock.create();
    private final List<String> deadLetters = new CopyOnWriteArrayList<>();
    private final FakeHttp http = new FakeHttp();
    private final FakeDb db = new FakeDb();
    private final FakeApi api = new FakeApi();
    private final FakeLog log = new FakeLog();

    record Page(String url) {}

    /** A fake HTTP client on virtual time: 50 ms per page; "slow" URLs never answer. */
    final class FakeHttp {
        final List<String> requested = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Page>> calls = new CopyOnWriteArrayList<>();

        CompletableFuture<Page> fetch(String url) {
            requested.add(url);
            CompletableFuture<Page> call = url.startsWith("slow")
                    ? new CompletableFuture<>()
                    : clock.delay(Duration.ofMillis(50)).thenApply(ignored -> new Page(url));
            calls.add(call);
            return call;
        }
    }

    /** A fake database: 10 ms per batch insert. */
    final class FakeDb {
        final List<List<Page>> stored = new CopyOnWriteArrayList<>();

        CompletionStage<Void> insertAll(List<Page> rows) {
            stored.add(rows);
            return clock.delay(Duration.ofMillis(10));
        }
    }

    record Item(String name) {}

    record ItemPage(List<Item> items, String nextToken) {}

    record Order(int id) {
        static Order parse(String line) {
            return new Order(Integer.parseInt(line));
        }
    }

    record Enriched(Order order, String customer) {}

    /** A fake paged API (three pages, then an empty one) and enrichment service. */
    final class FakeApi {
        static final Map<String, ItemPage> PAGES = Map.of(
                "p0", new ItemPage(List.of(new Item("a"), new Item("b")), "p1"),
                "p1", new ItemPage(List.of(new Item("c"), new Item("d")), "p2"),
                "p2", new ItemPage(List.of(new Item("e")), "p3"),
                "p3", new ItemPage(List.of(), null));
        final List<String> pagesRequested = new CopyOnWriteArrayList<>();
        final Map<Order, AtomicInteger> enrichAttempts = new ConcurrentHashMap<>();

        CompletableFuture<ItemPage> page(String token) {
            pagesRequested.add(token);
            return clock.delay(Duration.ofMillis(20)).thenApply(ignored -> PAGES.get(token));
        }

        /** Order 2 always fails; order 3 fails on its first attempt only. */
        CompletableFuture<Enriched> enrich(Order order) {
            int attempt = enrichAttempts
                    .computeIfAbsent(order, o -> new AtomicInteger())
                    .incrementAndGet();
            if (order.id() == 2 || (order.id() == 3 && attempt == 1)) {
                return CompletableFuture.failedFuture(new IllegalStateException("enrich " + order + " failed"));
            }
            return clock.delay(Duration.ofMillis(30))
                    .thenApply(ignored -> new Enriched(order, "customer-" + order.id()));
        }
    }

    /** A fake SLF4J-style logger that remembers warnings. */
    static final class FakeLog {
        final List<String> warnings = new CopyOnWriteArrayList<>();

        void warn(String format, Object... args) {
            warnings.add(format.replace("{}", String.valueOf(args[0])));
        }
    }

    record Request(long id) {}

    // ---------------------------------------------------------------- Pipeline (class javadoc)

    @Test
    void readCleanEnrichBatchStore_cancelStopsSourceAndEveryStage() {
        List<String> urls = new ArrayList<>(IntStream.range(0, 250)
                .mapToObj(i -> "https://example.com/" + i)
                .toList());
        urls.add(1, " ");

        // @start region=readCleanEnrichBatchStore
        CompletableFuture<Void> job = Pipeline.from(urls) // read
                .filter(url -> !url.isBlank()) // clean
                .mapAsync(16, url -> http.fetch(url)) // enrich, 16 at a time, in order
                .batch(100, Duration.ofSeconds(1)) // batch by size or time
                .forEachAsync(batch -> db.insertAll(batch)) // store
                .timeSource(clock)
                .executor(Runnable::run) // @replace regex="(?s).*" replacement=""
                .run();
        job.cancel(true); // stops the source and every stage
        // @end

        assertThat(job).isCancelled();
        // the run had started 16 fetches (the blank URL filtered out); all were cancelled
        assertThat(http.requested).hasSize(16).doesNotContain(" ").startsWith("https://example.com/0");
        assertThat(http.calls).allSatisfy(call -> assertThat(call).isCancelled());
        // nothing else happens, however long we wait
        clock.advance(Duration.ofHours(1));
        assertThat(http.requested).hasSize(16);
        assertThat(db.stored).isEmpty();
        assertThat(clock.pendingTimers()).isZero();
    }

    // ---------------------------------------------------------------- Pipeline.unfold

    @Test
    void unfoldPages_readsPagesUntilAnEmptyOne() throws Exception {
        String firstPageToken = "p0";

        // @start region=unfoldPages
        Pipeline<List<Item>> pages = Pipeline.unfold(
                firstPageToken,
                token -> api.page(token)
                        .thenApply(page -> page.items().isEmpty()
                                ? Optional.empty()
                                : Optional.of(new Pipeline.Step<>(page.items(), page.nextToken()))));
        // @end

        // pulls one page at a time, only as far as downstream wants
        List<List<Item>> firstPage = clock.runUntilDone(
                pages.take(1)
                        .toList(10)
                        .timeSource(clock)
                        .executor(Runnable::run)
                        .run(),
                Duration.ofMinutes(1));
        assertThat(firstPage).containsExactly(List.of(new Item("a"), new Item("b")));
        assertThat(api.pagesRequested).containsExactly("p0");

        // a fresh run pages through to the empty page and stops there
        api.pagesRequested.clear();
        List<List<Item>> all = clock.runUntilDone(
                pages.toList(10).timeSource(clock).executor(Runnable::run).run(), Duration.ofMinutes(1));
        assertThat(all)
                .containsExactly(
                        List.of(new Item("a"), new Item("b")),
                        List.of(new Item("c"), new Item("d")),
                        List.of(new Item("e")));
        assertThat(api.pagesRequested).containsExactly("p0", "p1", "p2", "p3");
    }

    // ---------------------------------------------------------------- Pipeline.mapAsync

    @Test
    void mapAsyncTimeoutRetry_slowCallsAreCancelledRetriedThenDeadLettered() throws Exception {
        Pipeline<String> pipeline = Pipeline.of("https://example.com/a", "slow://never", "https://example.com/b");

        // @start region=mapAsyncTimeoutRetry
        Pipeline<Page> pages = pipeline.mapAsync(
                16,
                url -> Futures.withTimeout(
                        http.fetch(url), Duration.ofSeconds(2), clock), // @replace substring=", clock" replacement=""
                OnError.<String, Page>retry(
                                Backoff.exponential(Duration.ofMillis(100)).maxAttempts(3))
                        .thenSkip((url, error) -> deadLetters.add(url)));
        // @end

        List<Page> fetched = clock.runUntilDone(
                pages.toList(10).timeSource(clock).executor(Runnable::run).run(), Duration.ofMinutes(1));
        assertThat(fetched).containsExactly(new Page("https://example.com/a"), new Page("https://example.com/b"));
        assertThat(deadLetters).containsExactly("slow://never");
        // three attempts at the slow URL, each cancelled by its timeout
        assertThat(http.requested).filteredOn(url -> url.startsWith("slow")).hasSize(3);
        assertThat(http.calls).filteredOn(CompletableFuture::isCancelled).hasSize(3);
        // 2 s timeout, 100 ms backoff, 2 s, 200 ms, 2 s: given up after 6.3 s
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(6_300));
    }

    // ---------------------------------------------------------------- Pipeline.window

    @Test
    void windowCountPerSecond_countsTheElementsOfEachSecond() throws Exception {
        // ten requests a second for 2.5 s: at 100 ms, 200 ms, ..., 2500 ms
        Pipeline<Request> requests =
                Pipeline.tick(Duration.ofMillis(100)).take(25).map(Request::new);

        // @start region=windowCountPerSecond
        Pipeline<Long> perSecond = requests.window(Duration.ofSeconds(1), Collectors.counting());
        // @end

        List<Long> counts = clock.runUntilDone(
                perSecond.toList(10).timeSource(clock).executor(Runnable::run).run(), Duration.ofMinutes(1));
        // [0, 1 s): 100..900 ms; [1 s, 2 s): 1000..1900 ms; then the partial last window
        assertThat(counts).containsExactly(9L, 10L, 6L);
    }

    // ---------------------------------------------------------------- Pipeline.intoQueue

    @Test
    void intoQueueThenClose_consumersFinishWhenTheRunCompletes() {
        Pipeline<Long> pipeline = Pipeline.range(0, 1_000);
        AsyncQueue<Long> queue = AsyncQueue.bounded(8);
        CompletableFuture<List<Long>> consumed =
                Pipeline.fromQueue(queue).toList(10_000).run();

        // @start region=intoQueueThenClose
        pipeline.intoQueue(queue).run().whenComplete((ignored, failure) -> {
            if (failure == null) {
                queue.close();
            } else {
                queue.closeExceptionally(failure);
            }
        });
        // @end

        // the consumer ends because the queue was closed after the last element
        assertThat(consumed)
                .succeedsWithin(Duration.ofSeconds(30))
                .isEqualTo(IntStream.range(0, 1_000).mapToObj(Long::valueOf).toList());
        assertThat(queue.isClosed()).isTrue();
        assertThat(queue.isDrained()).isTrue();
    }

    // ---------------------------------------------------------------- RunnablePipeline

    @Test
    void rangeMapFilterCount_runsOffTheCallersThread() {
        // @start region=rangeMapFilterCount
        CompletableFuture<Long> evens = Pipeline.range(0, 1_000_000)
                .map(x -> x * 2)
                .filter(x -> x % 3 == 0)
                .count()
                .run();
        // @end

        // 2x is a multiple of 3 exactly when x is: 0, 3, ..., 999_999
        assertThat(evens).succeedsWithin(Duration.ofSeconds(30)).isEqualTo(333_334L);
    }

    // ---------------------------------------------------------------- OnError

    @Test
    void skipAndRetry_deadLettersBadLinesRetriesCallsAndLogsWhatItGaveUpOn() throws Exception {
        List<String> lines = List.of("1", "not a number", "2", "3");

        // @start region=skipAndRetry
        Pipeline<Enriched> enriched = Pipeline.from(lines)
                .map(Order::parse, OnError.skip((line, error) -> deadLetters.add(line)))
                .mapAsync(
                        8,
                        order -> api.enrich(order),
                        OnError.<Order, Enriched>retry(Backoff.exponential(Duration.ofMillis(100))
                                        .maxAttempts(4))
                                .thenSkip((order, error) -> log.warn("gave up on {}", order, error)));
        // @end

        List<Enriched> result = clock.runUntilDone(
                enriched.toList(10).timeSource(clock).executor(Runnable::run).run(), Duration.ofMinutes(1));
        assertThat(result)
                .containsExactly(new Enriched(new Order(1), "customer-1"), new Enriched(new Order(3), "customer-3"));
        assertThat(deadLetters).containsExactly("not a number");
        assertThat(log.warnings).containsExactly("gave up on " + new Order(2));
        assertThat(api.enrichAttempts.get(new Order(2))).hasValue(4);
        assertThat(api.enrichAttempts.get(new Order(3))).hasValue(2);
    }
}
