package dev.asyncpatterns.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The code shown in the README and the javadoc, compiled and run against fakes. */
class SnippetsTest {

    private final VirtualClock clock = VirtualClock.create();
    private final List<String> deadLetters = new CopyOnWriteArrayList<>();
    private final List<List<Page>> stored = new CopyOnWriteArrayList<>();

    record Page(String url) {}

    /** A fake HTTP client: 50 ms per page; "slow" URLs never answer. */
    private CompletableFuture<Page> fetch(String url) {
        return url.startsWith("slow")
                ? new CompletableFuture<>()
                : clock.delay(Duration.ofMillis(50)).thenApply(ignored -> new Page(url));
    }

    /** A fake database: 10 ms per batch insert. */
    private CompletionStage<Void> insertAll(List<Page> pages) {
        stored.add(pages);
        return clock.delay(Duration.ofMillis(10));
    }

    @Test
    void readme_readCleanEnrichBatchStore() {
        List<String> urls = new ArrayList<>(IntStream.range(0, 250)
                .mapToObj(i -> "https://example.com/" + i)
                .toList());
        urls.add(" ");
        urls.add("slow://never");

        // README snippet (with the clock passed to withTimeout and timeSource for the test)
        CompletableFuture<Void> job = Pipeline.from(urls) // read
                .filter(url -> !url.isBlank()) // clean
                .mapAsync(
                        16,
                        url -> Futures.withTimeout(fetch(url), Duration.ofSeconds(2), clock),
                        OnError.<String, Page>retry(Backoff.exponential(Duration.ofMillis(100))
                                        .maxAttempts(3))
                                .thenSkip((url, error) -> deadLetters.add(url))) // enrich, 16 at a time, in order
                .batch(100, Duration.ofSeconds(1)) // by size or after 1 s
                .forEachAsync(this::insertAll) // store, one batch at a time
                .timeSource(clock)
                .run(); // job.cancel(true) stops it all
        // end of snippet

        Support.eventually(() -> {
            clock.advance(Duration.ofMillis(50));
            assertThat(job).isDone();
        });
        Support.await(job);
        assertThat(stored).extracting(List::size).containsExactly(100, 100, 50);
        assertThat(stored.get(0).get(0)).isEqualTo(new Page("https://example.com/0"));
        assertThat(deadLetters).containsExactly("slow://never");
    }
}
