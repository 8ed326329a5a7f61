package dev.asyncpatterns.core.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.Parallel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Javadoc examples of {@link Futures}, {@link dev.asyncpatterns.core.future.AsCompleted}, {@link Outcome}
 * and {@link Parallel}: each region is shown in the class's javadoc with
 * {@code {@snippet class=... region=...}}, so the examples compile and run.
 */
class FuturesSnippets {

    record Page(String url) {}

    // ---------------------------------------------------------------- Futures

    /** Requests started by {@link #fetch}, completed by the test. */
    private final Map<String, CompletableFuture<String>> requests = new LinkedHashMap<>();

    private CompletableFuture<String> fetch(String id) {
        CompletableFuture<String> request = new CompletableFuture<>();
        requests.put(id, request);
        return request;
    }

    private record Fetched(CompletableFuture<List<String>> pages, CompletableFuture<String> fast) {}

    private Fetched fetchPages() {
        // @start region=allAndTimeout
        CompletableFuture<List<String>> pages = Futures.all(fetch("a"), fetch("b"), fetch("c"));
        CompletableFuture<String> fast = Futures.withTimeout(fetch("d"), Duration.ofSeconds(2));
        // @end
        return new Fetched(pages, fast);
    }

    @Test
    void allAndTimeout_resultsInInputOrder() {
        Fetched fetched = fetchPages();

        requests.get("c").complete("page c");
        requests.get("a").complete("page a");
        assertThat(fetched.pages()).isNotDone();
        requests.get("b").complete("page b");
        requests.get("d").complete("page d");

        assertThat(fetched.pages().join()).containsExactly("page a", "page b", "page c");
        assertThat(fetched.fast().join()).isEqualTo("page d");
    }

    @Test
    void allAndTimeout_firstFailureCancelsTheSiblings() {
        Fetched fetched = fetchPages();
        IOException down = new IOException("b is down");

        requests.get("c").complete("page c");
        requests.get("b").completeExceptionally(down);

        assertThat(fetched.pages()).isCompletedExceptionally();
        assertThat(fetched.pages().handle((v, e) -> e).join()).isSameAs(down);
        assertThat(requests.get("a")).isCancelled();
        fetched.fast().cancel(true); // cancelling the timed future cancels the work it stands for
        assertThat(requests.get("d")).isCancelled();
    }

    // ---------------------------------------------------------------- AsCompleted

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void asCompletedLoop_handsOutPagesInCompletionOrder() {
        List<CompletableFuture<Page>> downloads =
                List.of(new CompletableFuture<>(), new CompletableFuture<>(), new CompletableFuture<>());
        Thread.ofVirtual()
                .start(
                        () -> { // the downloads finish in the order c, a, b
                            // once asCompleted is watching them (it adds one dependent to each)
                            while (downloads.stream().anyMatch(d -> d.getNumberOfDependents() == 0)) {
                                Thread.onSpinWait();
                            }
                            downloads.get(2).complete(new Page("c"));
                            downloads.get(0).complete(new Page("a"));
                            downloads.get(1).complete(new Page("b"));
                        });

        // @start region=asCompletedLoop
        var completions = Futures.asCompleted(downloads);
        for (CompletableFuture<Page> done : completions) { // blocks: run on a virtual thread
            // @replace substring="out.printf" replacement="System.out.printf":
            out.printf("%d/%d %s%n", completions.handedOut(), completions.size(), done.join());
        }
        // @end

        assertThat(printed.toString(StandardCharsets.UTF_8).lines())
                .containsExactly("1/3 Page[url=c]", "2/3 Page[url=a]", "3/3 Page[url=b]");
    }

    // ---------------------------------------------------------------- Outcome

    private static String describe(Outcome<Integer> outcome) {
        // @start region=outcomeSwitch
        String text = switch (outcome) {
            case Outcome.Success<Integer>(var value) -> "got " + value;
            case Outcome.Failure<Integer>(var cause) -> "failed: " + cause.getMessage();
            case Outcome.Cancelled<Integer> c -> "cancelled";
        };
        // @end
        return text;
    }

    @Test
    void outcomeSwitch_describesEverySettledInput() {
        CompletableFuture<Integer> cancelled = new CompletableFuture<>();
        cancelled.cancel(true);
        List<Outcome<Integer>> outcomes = Futures.allSettled(
                        Futures.completed(1), Futures.<Integer>failed(new IOException("disk full")), cancelled)
                .join();

        assertThat(outcomes.stream().map(FuturesSnippets::describe))
                .containsExactly("got 1", "failed: disk full", "cancelled");
    }

    // ---------------------------------------------------------------- Parallel

    /** A fake HTTP client whose requests stay in flight until the test completes them. */
    private static final class FakeHttp {
        final Deque<Map.Entry<String, CompletableFuture<Page>>> inFlight = new ArrayDeque<>();
        int maxInFlight;
        final List<String> started = new ArrayList<>();

        CompletableFuture<Page> fetch(String url) {
            CompletableFuture<Page> response = new CompletableFuture<>();
            inFlight.addLast(Map.entry(url, response));
            started.add(url);
            maxInFlight = Math.max(maxInFlight, inFlight.size());
            return response;
        }

        /** Completes the most recent request first, so responses arrive out of order. */
        boolean respondToNewest() {
            var request = inFlight.pollLast();
            if (request == null) {
                return false;
            }
            request.getValue().complete(new Page(request.getKey()));
            return true;
        }
    }

    private final FakeHttp http = new FakeHttp();

    @Test
    void parallelMap_atMostTwentyInFlight_resultsInInputOrder() throws Exception {
        List<String> urls = IntStream.range(0, 1_000)
                .mapToObj(i -> "https://example.com/" + i)
                .toList();

        // @start region=parallelMap
        // fetch 1,000 pages, at most 20 requests in flight, results in input order
        CompletableFuture<List<Page>> pages = Parallel.map(urls, 20, url -> http.fetch(url));
        // @end

        assertThat(http.inFlight).hasSize(20);
        while (http.respondToNewest()) {
            assertThat(http.inFlight.size()).isLessThanOrEqualTo(20);
        }
        assertThat(http.maxInFlight).isEqualTo(20);
        assertThat(http.started).hasSize(1_000);
        assertThat(pages.get(10, TimeUnit.SECONDS)).extracting(Page::url).containsExactlyElementsOf(urls);
    }
}
