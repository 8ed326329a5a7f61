package dev.asyncpatterns.examples;

import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.redis.RedisSecondLevel;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.StringCodec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Example 14: two instances of a service in front of one backend, first each with its own
 * Caffeine cache, then with a Redis second level they share ({@link RedisSecondLevel} under
 * {@code AsyncCaches.builder().secondLevel(...)}): the backend sees half the calls, and an
 * invalidation on one instance drops the key from the other's first level through Redis pub/sub.
 *
 * <p>Starts its own {@code redis-server} on a free loopback port (Debian package
 * {@code redis-server}), or uses the one given with {@code --redis-uri=redis://host:port}.
 *
 * <p>asyncio: {@code aiocache.Cache(Cache.REDIS)} behind {@code @cached}, with a pub/sub channel for
 * invalidation done by hand.
 */
final class SharedCache implements Example {

    /** The system property the launcher sets from {@code --redis-uri=...}. */
    static final String REDIS_URI_PROPERTY = "asyncpatterns.examples.redisUri";

    private static final int USERS = 50;
    private static final int REQUESTS = 200;

    /**
     * The Redis command timeout of both levels. The default (100 ms) is a production budget for a
     * Redis next door; this demo starts its own redis-server, maybe on a busy laptop or CI box,
     * where a 100 ms scheduling stall is ordinary: a read that times out falls back to the backend,
     * a write that times out is cancelled, and five in a row open the circuit, so B would call the
     * backend for users A did store and the run would not show the 50 it is about.
     */
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(5);

    @Override
    public String name() {
        return "shared-cache";
    }

    @Override
    public String description() {
        return "two instances share a Redis cache level: half the backend calls, invalidation across";
    }

    /** The user service both instances call: 5 ms per call, counted; names can be changed. */
    static final class Backend {
        final AtomicInteger calls = new AtomicInteger();
        final ConcurrentHashMap<String, String> names = new ConcurrentHashMap<>();

        CompletableFuture<String> fetch(String id) {
            calls.incrementAndGet();
            return TimeSource.system()
                    .delay(Duration.ofMillis(5))
                    .thenApply(ignored -> names.getOrDefault(id, "name-" + id));
        }
    }

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        String uri = System.getProperty(REDIS_URI_PROPERTY);
        LocalRedisServer server = null;
        if (uri == null) {
            server = LocalRedisServer.start();
            uri = server.uri();
            out.println("started redis-server on port " + server.port());
        }
        RedisClient client = RedisClient.create(uri);
        try {
            run(out, client);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            if (server != null) {
                server.close();
            }
        }
    }

    private void run(PrintStream out, RedisClient client) throws Exception {
        out.printf(
                "two instances, one backend, %d requests over %d users: the first half on instance A, the second on B%n",
                REQUESTS, USERS);

        var alone = new Backend();
        traffic(instance(alone, null), instance(alone, null), () -> {});
        out.printf("without the shared level: %d backend calls (each instance loads every user)%n", alone.calls.get());

        String prefix = "example:users:" + ProcessHandle.current().pid() + ":";
        var shared = new Backend();
        try (var levelA = RedisSecondLevel.builder(client, StringCodec.UTF8)
                        .keyPrefix(prefix)
                        .timeout(REDIS_TIMEOUT)
                        .build();
                var levelB = RedisSecondLevel.builder(client, StringCodec.UTF8)
                        .keyPrefix(prefix)
                        .timeout(REDIS_TIMEOUT)
                        .build()) {
            MemoizedFunction<String, String> a = instance(shared, levelA);
            MemoizedFunction<String, String> b = instance(shared, levelB);
            traffic(
                    a,
                    b,
                    () -> { // A writes to Redis in the background; let those writes land first
                        // (each is answered or timed out within REDIS_TIMEOUT; poll without
                        // spinning, which would take a core from Lettuce and redis-server)
                        long deadline = System.nanoTime() + 2 * REDIS_TIMEOUT.toNanos();
                        while (levelA.stats().puts() < USERS && System.nanoTime() < deadline) {
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                        }
                    });
            out.printf(
                    "with the shared level:    %d backend calls (instance B read %d users from Redis)%n",
                    shared.calls.get(), levelB.stats().hits());

            // the name of user 7 changes: instance A invalidates, instance B must not serve the old one
            out.println("B reads user 7: " + b.apply("7").get(5, TimeUnit.SECONDS));
            shared.names.put("7", "name-7 (renamed)");
            long start = System.nanoTime();
            a.invalidate("7").get(5, TimeUnit.SECONDS);
            while (b.getIfPresent("7") != null && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                Thread.onSpinWait(); // the demo measures how soon B's first level drops the key
            }
            double millis = (System.nanoTime() - start) / 1e6;
            out.printf("A invalidated user 7: B dropped it after %.1f ms (Redis pub/sub)%n", millis);
            out.println("B reads user 7: " + b.apply("7").get(5, TimeUnit.SECONDS));
            out.printf(
                    "backend calls in all: %d; instance A: %s; instance B: %s%n",
                    shared.calls.get(), levelA.stats(), levelB.stats());
        }
    }

    private static MemoizedFunction<String, String> instance(
            Backend backend, @Nullable RedisSecondLevel<String, String> level) {
        var builder = AsyncCaches.builder().maximumSize(1_000).expireAfterWrite(Duration.ofMinutes(5));
        return level == null
                ? builder.memoize(backend::fetch)
                : builder.secondLevel(level).memoize(backend::fetch);
    }

    /** Instance A serves the first half of the requests, then B the second: every user is asked of both. */
    private static void traffic(
            MemoizedFunction<String, String> a, MemoizedFunction<String, String> b, Runnable between) {
        List<CompletableFuture<String>> replies = new ArrayList<>();
        for (int i = 0; i < REQUESTS / 2; i++) {
            replies.add(a.apply(Integer.toString(i % USERS)));
        }
        replies.forEach(CompletableFuture::join);
        between.run();
        for (int i = REQUESTS / 2; i < REQUESTS; i++) {
            replies.add(b.apply(Integer.toString(i % USERS)));
        }
        replies.forEach(CompletableFuture::join);
    }

    @Override
    public java.util.Optional<String> missingPrerequisite() {
        return Files.isExecutable(LocalRedisServer.BINARY)
                ? java.util.Optional.empty()
                : java.util.Optional.of("no /usr/bin/redis-server (install the Debian package redis-server,"
                        + " or run it by name with --redis-uri=redis://host:port)");
    }
}
