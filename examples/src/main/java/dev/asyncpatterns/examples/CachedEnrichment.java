package dev.asyncpatterns.examples;

import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.time.TimeSource;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Example 8: enrich users with data from three services called concurrently. The calls are
 * settled with {@link Futures#allSettled}, so a failing service leaves a gap in the result
 * instead of failing the whole user. A memoized function ({@link AsyncCaches}, on Caffeine) sits
 * in front: concurrent requests for one user share one enrichment (single-flight), complete
 * results live for a long TTL, partial ones for a short TTL so the gap is retried soon.
 *
 * <p>The profile comes from whichever of two replicas answers first with a success
 * ({@link Futures#any}). A caller with a short deadline uses {@link Futures#shield}, so its
 * timeout does not cancel the load other callers share.
 *
 * <p>asyncio: {@code await asyncio.gather(profile(id), orders(id), recs(id), return_exceptions=True)}
 * behind an async TTL cache such as {@code aiocache} / {@code async_lru}.
 */
final class CachedEnrichment implements Example {

    @Override
    public String name() {
        return "cached-enrichment";
    }

    @Override
    public String description() {
        return "enrich users from 3 services at once (settle-all), behind a TTL cache with single-flight";
    }

    /** A user with whatever the services could tell; {@code missing} names the parts that failed. */
    record EnrichedUser(
            String id,
            @Nullable String name,
            @Nullable Integer orders,
            @Nullable List<String> recommendations,
            List<String> missing) {
        boolean partial() {
            return !missing.isEmpty();
        }

        @Override
        public String toString() {
            return id + ": name=" + (name == null ? "?" : name)
                    + ", orders=" + (orders == null ? "?" : orders)
                    + ", recommendations=" + (recommendations == null ? "?" : recommendations)
                    + (partial() ? "  (partial: " + String.join("; ", missing) + ")" : "");
        }
    }

    // ---- three simulated services, answering on timers (no thread waits) ----------------------

    private final TimeSource time = TimeSource.system();
    private final AtomicInteger profileCalls = new AtomicInteger();
    private final AtomicInteger orderCalls = new AtomicInteger();
    private final AtomicInteger recommendationCalls = new AtomicInteger();

    /**
     * The profile service has two replicas: ask both, take the first success, cancel the other
     * ({@link Futures#any}). The "eu" replica is faster but fails for u2, so "us" answers u2.
     */
    private CompletableFuture<String> fetchName(String id) {
        profileCalls.incrementAndGet();
        CompletableFuture<String> eu = time.delay(Duration.ofMillis(20)).thenApply(x -> {
            if (id.equals("u2")) {
                throw new IllegalStateException("eu replica: 500");
            }
            return "User " + id.toUpperCase() + " (eu)";
        });
        CompletableFuture<String> us =
                time.delay(Duration.ofMillis(80)).thenApply(x -> "User " + id.toUpperCase() + " (us)");
        return Futures.any(eu, us);
    }

    private CompletableFuture<Integer> fetchOrderCount(String id) {
        orderCalls.incrementAndGet();
        return time.delay(Duration.ofMillis(50))
                .thenCompose(x -> id.equals("u4")
                        ? CompletableFuture.failedFuture(new IllegalStateException("orders service: 503"))
                        : CompletableFuture.completedFuture(id.length() + id.charAt(1) - '0'));
    }

    private CompletableFuture<List<String>> fetchRecommendations(String id) {
        recommendationCalls.incrementAndGet();
        return time.delay(Duration.ofMillis(40))
                .thenCompose(x -> id.equals("u3")
                        ? CompletableFuture.failedFuture(new IllegalStateException("recommendations service: timeout"))
                        : CompletableFuture.completedFuture(List.of("book-" + id, "lamp-" + id)));
    }

    // ---- enrichment: three calls at once, settled, gaps allowed --------------------------------

    private CompletableFuture<EnrichedUser> enrich(String id) {
        // start all three calls now; they run concurrently
        CompletableFuture<String> name = fetchName(id);
        CompletableFuture<Integer> orders = fetchOrderCount(id);
        CompletableFuture<List<String>> recommendations = fetchRecommendations(id);
        // allSettled waits for every call and never fails; each call's Outcome then says how it went
        return Futures.allSettled(name, orders, recommendations).thenApply(settled -> {
            List<String> missing = new ArrayList<>();
            return new EnrichedUser(
                    id,
                    valueOrNote(Outcome.ofDone(name), missing),
                    valueOrNote(Outcome.ofDone(orders), missing),
                    valueOrNote(Outcome.ofDone(recommendations), missing),
                    List.copyOf(missing));
        });
    }

    /** The value of a success; for a failure, notes its message in {@code missing} and gives null. */
    private static <T> @Nullable T valueOrNote(Outcome<T> outcome, List<String> missing) {
        return switch (outcome) {
            case Outcome.Success<T> success -> success.value();
            case Outcome.Failure<T> failure -> {
                missing.add(failure.cause().getMessage());
                yield null;
            }
            case Outcome.Cancelled<T> cancelled -> {
                missing.add("cancelled");
                yield null;
            }
        };
    }

    // ---- the program --------------------------------------------------------------------------

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        Duration fullTtl = Duration.ofSeconds(fast ? 5 : 30);
        Duration partialTtl = Duration.ofMillis(fast ? 500 : 1500);

        // the cache in front: single-flight per user, per-entry TTL chosen from the value
        MemoizedFunction<String, EnrichedUser> users = AsyncCaches.builder()
                .maximumSize(10_000)
                .<String, EnrichedUser>expireAfter((id, user) -> user.partial() ? partialTtl : fullTtl)
                .memoize(this::enrich);

        List<String> ids = List.of("u1", "u2", "u3", "u4");
        out.printf(
                "users %s; complete results cached %d s, partial ones %d ms%n",
                ids, fullTtl.toSeconds(), partialTtl.toMillis());

        List<EnrichedUser> first = round(out, "round 1 (cold cache)", users, ids);
        first.forEach(user -> out.println("  " + user));
        round(out, "round 2 (warm cache)", users, ids);

        // wait until the partial results have expired (the complete ones have not)
        time.delay(partialTtl.plusMillis(100)).join();
        round(out, "round 3 (after " + partialTtl.plusMillis(100).toMillis() + " ms)", users, ids);

        // A caller in a hurry gives up on a new user after 10 ms. shield() makes sure its timeout
        // cancels only its own wait, never the shared load, which finishes and fills the cache.
        // (MemoizedFunction already detaches a caller that cancels; shield gives any future that
        // guarantee.)
        int profilesBefore = profileCalls.get();
        CompletableFuture<EnrichedUser> hurried =
                Futures.withTimeout(Futures.shield(users.apply("u5")), Duration.ofMillis(10));
        out.println("u5 with a 10 ms deadline: "
                + hurried.handle((user, failure) -> failure == null ? "answered" : "timed out")
                        .join());
        EnrichedUser u5 = users.apply("u5").join(); // joins the load the hurried caller started
        out.printf("u5 right after: %s (profile calls for u5: %d)%n", u5, profileCalls.get() - profilesBefore);

        MemoizedFunction.Stats stats = users.stats();
        out.printf(
                "cache: %d hits, %d misses (loads), hit ratio %.2f%n", stats.hits(), stats.misses(), stats.hitRatio());
    }

    /** Five concurrent requests per user; prints how many backend calls that took. */
    private List<EnrichedUser> round(
            PrintStream out, String title, MemoizedFunction<String, EnrichedUser> users, List<String> ids) {
        int profilesBefore = profileCalls.get();
        int ordersBefore = orderCalls.get();
        int recommendationsBefore = recommendationCalls.get();
        long start = System.nanoTime();

        List<CompletableFuture<EnrichedUser>> requests = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            for (String id : ids) {
                requests.add(users.apply(id)); // concurrent callers for one id share one load
            }
        }
        List<EnrichedUser> results = Futures.all(requests).join();

        out.printf(
                "%s: %d requests in %d ms -> service calls: profile %d, orders %d, recommendations %d%n",
                title,
                requests.size(),
                (System.nanoTime() - start) / 1_000_000,
                profileCalls.get() - profilesBefore,
                orderCalls.get() - ordersBefore,
                recommendationCalls.get() - recommendationsBefore);
        return results.subList(0, ids.size());
    }
}
