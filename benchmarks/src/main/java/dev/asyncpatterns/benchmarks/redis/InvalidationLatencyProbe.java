package dev.asyncpatterns.benchmarks.redis;

import dev.asyncpatterns.examples.LocalRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Not a JMH benchmark: a probe for docs/adr/redis-0001. How long an invalidation takes to reach
 * another connection of the same JVM (one clock, so the delta is exact), two ways:
 *
 * <ul>
 *   <li>{@code pubsub}: {@code DEL key} + {@code PUBLISH channel key} pipelined, received by a
 *       subscribed connection (what {@code RedisSecondLevel} does);
 *   <li>{@code tracking}: RESP3 client-side tracking in {@code BCAST} mode on the key prefix:
 *       {@code DEL key} alone, Redis pushes {@code invalidate [key]} to the tracking connection.
 * </ul>
 *
 * Also counts the invalidations each way produces for a plain {@code SET} of a key (what every
 * second-level write after a miss is): tracking broadcasts one to every instance, pub/sub none.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.asyncpatterns.benchmarks.redis.InvalidationLatencyProbe}
 */
public final class InvalidationLatencyProbe {

    private InvalidationLatencyProbe() {}

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        try (var redis = LocalRedisServer.start()) {
            RedisClient client = RedisClient.create(redis.uri());
            try {
                var sender = client.connect(StringCodec.UTF8).async();
                AtomicReference<CompletableFuture<Long>> pending = new AtomicReference<>();

                var subscriber = client.connectPubSub(StringCodec.UTF8);
                subscriber.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        pending.get().complete(System.nanoTime());
                    }
                });
                subscriber.sync().subscribe("inval");

                var tracker = client.connect(StringCodec.UTF8);
                tracker.addListener((PushListener) message -> {
                    if (message.getType().equals("invalidate")) {
                        CompletableFuture<Long> p = pending.get();
                        if (p != null) {
                            p.complete(System.nanoTime());
                        }
                    }
                });
                tracker.sync()
                        .clientTracking(TrackingArgs.Builder.enabled().bcast().prefixes("probe:"));

                for (String mode : new String[] {"pubsub", "tracking", "pubsub", "tracking"}) { // 2nd round measured
                    long[] micros = new long[samples];
                    for (int i = 0; i < samples; i++) {
                        String key = (mode.equals("pubsub") ? "other:" : "probe:") + i;
                        sender.set(key, "v").toCompletableFuture().join();
                        var arrived = new CompletableFuture<Long>();
                        pending.set(mode.equals("tracking") ? arrived : null);
                        if (mode.equals("tracking")) {
                            long start = System.nanoTime();
                            sender.del(key);
                            micros[i] = (arrived.get(5, TimeUnit.SECONDS) - start) / 1_000;
                        } else {
                            pending.set(arrived);
                            long start = System.nanoTime();
                            sender.del(key);
                            sender.publish("inval", key);
                            micros[i] = (arrived.get(5, TimeUnit.SECONDS) - start) / 1_000;
                        }
                        pending.set(null);
                    }
                    Arrays.sort(micros);
                    System.out.printf(
                            "%-8s n=%d p50=%dus p90=%dus p99=%dus max=%dus%n",
                            mode,
                            samples,
                            micros[samples / 2],
                            micros[samples * 9 / 10],
                            micros[samples * 99 / 100],
                            micros[samples - 1]);
                }

                // what a second-level write costs in invalidation traffic
                var counted = new java.util.concurrent.atomic.AtomicInteger();
                tracker.addListener((PushListener) message -> {
                    if (message.getType().equals("invalidate")) {
                        counted.incrementAndGet();
                    }
                });
                for (int i = 0; i < 100; i++) {
                    sender.set("probe:put:" + i, "v").toCompletableFuture().join();
                }
                sender.ping().toCompletableFuture().join();
                tracker.sync().ping();
                System.out.printf(
                        "100 SETs of tracked keys pushed %d invalidations to one tracking connection"
                                + " (pub/sub: 0)%n",
                        counted.get());
            } finally {
                client.shutdown();
            }
        }
    }
}
