package dev.asyncpatterns.redis;

import dev.asyncpatterns.cache.SecondLevel;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.time.TimeSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * Two connections of our own, both byte[]/byte[]: one for commands (GET, SET PX, DEL, PUBLISH), one
 * subscribed to the invalidation channel. Keys are prefix + codec.encodeKey(key); values are
 * codec.encodeValue(value). Decoding runs in try/catch and, if a value type was given, is checked
 * against it: an undecodable or mistyped value is a miss (counted as corrupt, logged at debug),
 * never an exception or a value of the wrong type handed to the cache.
 *
 * Invalidation: DEL and PUBLISH are pipelined on the command connection (Redis runs them in that
 * order). The message is this instance's 8-byte id followed by the encoded key; receivers skip
 * their own messages and call the cache's InvalidationListener. Pub/sub is fire-and-forget, so a
 * subscriber that was disconnected may have missed messages: Lettuce re-subscribes after a
 * reconnect, and every `subscribed` confirmation after the first tells the cache to clear its
 * first level (resync), bounding staleness by the outage instead of the TTL.
 *
 * Faults: every command goes through Guard (circuit breaker + timeout on the TimeSource); the
 * cache turns a failed read into a miss and ignores a failed write. Lettuce reconnects by itself;
 * once the breaker's probe succeeds, the level is used again. Chosen over RESP3 client-side
 * tracking: see docs/adr/redis-0001-invalidation-by-pub-sub.md.
 */
/**
 * A Redis second cache level shared by every instance of a service: plug it under a memoized
 * function with {@code AsyncCaches.builder().expireAfterWrite(ttl).secondLevel(level)}. Values are
 * stored under {@code keyPrefix + key} with the first level's time to live; an invalidation in one
 * instance removes the key in Redis and, through Redis pub/sub, from every other instance's first
 * level.
 *
 * {@snippet class=dev.asyncpatterns.redis.snippets.RedisSnippets region=sharedCache}
 *
 * <p><b>Faults.</b> Each command is bounded by {@link Builder#timeout(Duration)} on the injected
 * {@link TimeSource} and guarded by a circuit breaker ({@link Builder#circuitBreaker(int, Duration)}):
 * while Redis is down or slow the cache answers from its first level or the function, the breaker
 * stops sending after a few failures, and once Redis answers a probe again the level is used again,
 * without a restart (Lettuce reconnects on its own; give the client a short reconnect delay). A
 * value that cannot be decoded, or decodes to the wrong {@linkplain Builder#valueType(Class) type},
 * is a miss. All of it shows in {@link #stats()}.
 *
 * <p><b>Threads.</b> Thread-safe. Returned stages complete on Lettuce's I/O threads or the time
 * source's timer; the cache moves the function off them. The invalidation listener runs on
 * Lettuce's pub/sub thread.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @since 0.1.0
 */
public final class RedisSecondLevel<K, V> implements SecondLevel<K, V>, AutoCloseable {

    /** The default time a command may take before it counts as failed: 100 ms. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
    /** The default number of consecutive failures that opens the circuit: 5. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 5;
    /** The default time the circuit stays open before a probe: 1 s. */
    public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(RedisSecondLevel.class);
    static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_:.{}\\-]{1,128}");
    private static final int ID_LENGTH = 8;

    private final RedisCodec<K, V> codec;
    private final @Nullable Class<?> valueType;
    private final String keyPrefix;
    private final byte[] prefix;
    private final byte[] channel;
    private final byte[] instanceId = new byte[ID_LENGTH];
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final RedisAsyncCommands<byte[], byte[]> commands;
    private final StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
    private final Guard guard;
    private final AtomicBoolean subscribedOnce = new AtomicBoolean();
    private volatile @Nullable InvalidationListener<K> listener;
    private volatile boolean closed;

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder corrupt = new LongAdder();
    private final LongAdder puts = new LongAdder();
    private final LongAdder published = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder resyncs = new LongAdder();

    private RedisSecondLevel(Builder<K, V> b, String keyPrefix) {
        this.codec = b.codec;
        this.valueType = b.valueType;
        this.keyPrefix = keyPrefix;
        this.prefix = keyPrefix.getBytes(StandardCharsets.UTF_8);
        this.channel = ("asyncpatterns:invalidate:" + keyPrefix).getBytes(StandardCharsets.UTF_8);
        ThreadLocalRandom.current().nextBytes(instanceId);
        TimeSource time = b.timeSource != null ? b.timeSource : TimeSource.system();
        // circuitBreaker(...) sets both or neither
        int failureThreshold = b.failureThreshold != null ? b.failureThreshold : DEFAULT_FAILURE_THRESHOLD;
        Duration openDuration = b.openDuration != null ? b.openDuration : DEFAULT_OPEN_DURATION;
        this.guard = new Guard(
                "RedisSecondLevel[" + keyPrefix + "]",
                new Breaker(failureThreshold, Durations.toNanosSaturated(openDuration), time),
                b.timeout != null ? b.timeout : DEFAULT_TIMEOUT,
                time);
        this.connection = b.client.connect(ByteArrayCodec.INSTANCE);
        this.commands = connection.async();
        StatefulRedisPubSubConnection<byte[], byte[]> subscriber = null;
        try {
            subscriber = b.client.connectPubSub(ByteArrayCodec.INSTANCE);
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] from, byte[] message) {
                    onMessage(message);
                }

                @Override
                public void subscribed(byte[] to, long count) {
                    if (subscribedOnce.getAndSet(true)) {
                        resync();
                    }
                }
            });
            subscriber.sync().subscribe(channel);
        } catch (RuntimeException failure) {
            connection.closeAsync();
            if (subscriber != null) {
                subscriber.closeAsync();
            }
            throw failure;
        }
        this.pubSub = subscriber;
    }

    /**
     * Starts building a second level that talks to Redis through {@code client} and stores keys
     * and values as {@code codec} encodes them. {@link Builder#keyPrefix(String)} is required.
     *
     * @param client the Lettuce client (yours: this level opens two connections on it and closes
     *     them in {@link #close()}, never the client)
     * @param codec how keys and values become bytes
     * @param <K> the key type
     * @param <V> the value type
     * @return a new builder
     * @throws NullPointerException if an argument is null
     */
    public static <K, V> Builder<K, V> builder(RedisClient client, RedisCodec<K, V> codec) {
        return new Builder<>(Objects.requireNonNull(client, "client"), Objects.requireNonNull(codec, "codec"));
    }

    /**
     * Reads {@code key} from Redis ({@code GET prefix+key}).
     *
     * <p>Thread-safe, never blocks. The stage completes with the value, with {@code null} if it is
     * absent or cannot be decoded, or fails with a {@link java.util.concurrent.TimeoutException}
     * after the timeout, with {@link RedisUnavailableException} at once while the circuit is open,
     * with Lettuce's exception if Redis answered with an error, or with {@link ClosedException}
     * after {@link #close()}.
     *
     * @param key the key
     * @return the value's stage
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public CompletableFuture<V> get(K key) {
        byte[] redisKey = redisKey(key);
        if (closed) {
            return closedFailure("get");
        }
        return guard.call("GET", () -> commands.get(redisKey)).thenApply(bytes -> decode(key, bytes));
    }

    /**
     * Writes {@code value} under {@code key} ({@code SET prefix+key value PX ttl}).
     *
     * <p>Thread-safe, never blocks. Fails as {@link #get} does, or with the codec's exception.
     *
     * @param key the key
     * @param value the value
     * @param ttl the time to live, positive (rounded up to a millisecond), or {@code null} for none
     * @return a stage completed once Redis stored it
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     */
    @Override
    public CompletableFuture<Void> put(K key, V value, Duration ttl) {
        byte[] redisKey = redisKey(key);
        Objects.requireNonNull(value, "value");
        if (ttl != null) {
            Durations.requirePositive(ttl, "ttl");
        }
        if (closed) {
            return closedFailure("put");
        }
        byte[] bytes;
        try {
            bytes = toBytes(codec.encodeValue(value));
        } catch (RuntimeException failure) {
            return CompletableFuture.failedFuture(failure);
        }
        SetArgs args = ttl == null ? new SetArgs() : SetArgs.Builder.px(Math.max(1, ceilMillis(ttl)));
        return guard.call("SET", () -> commands.set(redisKey, bytes, args)).thenApply(ok -> {
            puts.increment();
            return null;
        });
    }

    /**
     * Removes {@code key} from Redis and tells every other instance sharing this prefix to drop it
     * from its first level ({@code DEL} then {@code PUBLISH}, pipelined).
     *
     * <p>Thread-safe, never blocks. Fails as {@link #get} does; the other instances are then not
     * told. Instances whose subscription was down when it was published clear their first level
     * when it comes back.
     *
     * @param key the key
     * @return a stage completed once Redis removed it and published the invalidation
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public CompletableFuture<Void> invalidate(K key) {
        byte[] redisKey = redisKey(key);
        if (closed) {
            return closedFailure("invalidate");
        }
        byte[] message = new byte[ID_LENGTH + redisKey.length - prefix.length];
        System.arraycopy(instanceId, 0, message, 0, ID_LENGTH);
        System.arraycopy(redisKey, prefix.length, message, ID_LENGTH, redisKey.length - prefix.length);
        return guard.call("DEL+PUBLISH", () -> {
                    var deleted = commands.del(redisKey);
                    var sent = commands.publish(channel, message);
                    return deleted.thenCombine(sent, (d, s) -> (Void) null);
                })
                .thenApply(ignored -> {
                    published.increment();
                    return null;
                });
    }

    /**
     * Registers the cache's invalidation listener (a memoized function does it when built); a
     * later registration replaces an earlier one.
     *
     * @param listener the listener, called on Lettuce's pub/sub thread
     * @throws NullPointerException if {@code listener} is null
     */
    @Override
    public void subscribe(InvalidationListener<K> listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * A snapshot of the counters and the circuit's state.
     *
     * @return the statistics
     */
    public Stats stats() {
        return new Stats(
                keyPrefix,
                hits.sum(),
                misses.sum(),
                corrupt.sum(),
                guard.errors.sum(),
                guard.timeouts.sum(),
                guard.rejected.sum(),
                puts.sum(),
                published.sum(),
                received.sum(),
                resyncs.sum(),
                guard.state());
    }

    /**
     * An immutable snapshot of the level's counters (the toolkit's one stats vocabulary, ADR
     * core-0003), cheap to take. Counts only grow; subtract two snapshots to get the activity in
     * between.
     *
     * @param name the level's name (its key prefix)
     * @param hits reads answered with a value
     * @param misses reads that found no value (absent or expired)
     * @param corrupt reads that found a value that could not be decoded, or decoded to the wrong
     *     type; answered as misses and logged at debug level
     * @param failed calls that failed in Redis or in transit, timeouts included
     * @param timedOut calls that did not answer within the configured timeout
     * @param rejected calls refused without a round trip because the circuit was open
     * @param puts values written
     * @param invalidationsPublished invalidations this instance removed and published
     * @param invalidationsReceived invalidations received from other instances
     * @param resyncs times the subscription was re-established and the first level cleared,
     *     because invalidations may have been missed while it was down
     * @param circuitState the circuit breaker's state now
     */
    public record Stats(
            String name,
            long hits,
            long misses,
            long corrupt,
            long failed,
            long timedOut,
            long rejected,
            long puts,
            long invalidationsPublished,
            long invalidationsReceived,
            long resyncs,
            CircuitState circuitState) {

        /**
         * Validates the snapshot.
         *
         * @throws NullPointerException if {@code name} or {@code circuitState} is null
         */
        public Stats {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(circuitState, "circuitState");
        }
    }

    /**
     * The key prefix.
     *
     * @return the prefix every key of this level starts with in Redis
     */
    public String keyPrefix() {
        return keyPrefix;
    }

    /**
     * Closes the two connections this level opened (not the client). Later calls fail with
     * {@link ClosedException}. Idempotent, never blocks.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pubSub.closeAsync();
        connection.closeAsync();
    }

    @Override
    public String toString() {
        return "RedisSecondLevel[prefix=" + keyPrefix + ", " + stats() + "]";
    }

    // ---------------------------------------------------------------- internals

    private byte[] redisKey(K key) {
        Objects.requireNonNull(key, "key");
        byte[] encoded = toBytes(codec.encodeKey(key));
        byte[] full = Arrays.copyOf(prefix, prefix.length + encoded.length);
        System.arraycopy(encoded, 0, full, prefix.length, encoded.length);
        return full;
    }

    private @Nullable V decode(K key, byte @Nullable [] bytes) {
        if (bytes == null) {
            misses.increment();
            return null;
        }
        V value;
        try {
            value = codec.decodeValue(ByteBuffer.wrap(bytes));
        } catch (RuntimeException failure) {
            corrupt.increment();
            LOG.debug(
                    "{}: value of key {} ({} bytes) could not be decoded; treated as a miss",
                    this,
                    key,
                    bytes.length,
                    failure);
            return null;
        }
        if (value == null || (valueType != null && !valueType.isInstance(value))) {
            corrupt.increment();
            LOG.debug(
                    "{}: value of key {} decoded to {}, not a {}; treated as a miss",
                    this,
                    key,
                    value == null ? "null" : value.getClass().getName(),
                    valueType == null ? "value" : valueType.getName());
            return null;
        }
        hits.increment();
        return value;
    }

    private void onMessage(byte[] message) {
        InvalidationListener<K> target = listener;
        if (target == null
                || message.length < ID_LENGTH
                || Arrays.equals(message, 0, ID_LENGTH, instanceId, 0, ID_LENGTH)) {
            return; // no cache yet, or our own invalidation (already applied locally)
        }
        received.increment();
        K key;
        try {
            key = codec.decodeKey(ByteBuffer.wrap(message, ID_LENGTH, message.length - ID_LENGTH));
        } catch (RuntimeException failure) {
            LOG.debug("{}: invalidation message with an undecodable key; clearing the first level", this, failure);
            notifyAll(target);
            return;
        }
        try {
            target.invalidated(key);
        } catch (Throwable failure) {
            LOG.warn("{}: invalidation listener threw for key {}; ignored", this, key, failure);
        }
    }

    private void resync() {
        resyncs.increment();
        InvalidationListener<K> target = listener;
        if (target != null) {
            LOG.debug("{}: re-subscribed after a disconnection; clearing the first level", this);
            notifyAll(target);
        }
    }

    private void notifyAll(InvalidationListener<K> target) {
        try {
            target.invalidatedAll();
        } catch (Throwable failure) {
            LOG.warn("{}: invalidation listener threw on invalidatedAll; ignored", this, failure);
        }
    }

    private <T> CompletableFuture<T> closedFailure(String what) {
        return CompletableFuture.failedFuture(
                new ClosedException("RedisSecondLevel[" + keyPrefix + "] is closed: " + what + " refused"));
    }

    private static byte[] toBytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static long ceilMillis(Duration ttl) {
        long millis = ttl.toMillis();
        return ttl.minusMillis(millis).isZero() ? millis : millis + 1;
    }

    static String checkPrefix(String keyPrefix) {
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (!PREFIX.matcher(keyPrefix).matches()) {
            throw new IllegalArgumentException("keyPrefix must be 1 to 128 characters from [A-Za-z0-9_:.{}-]"
                    + " (no spaces, glob characters or control characters), was \"" + keyPrefix + "\"");
        }
        return keyPrefix;
    }

    /**
     * Configures a {@link RedisSecondLevel}. Each setting may be given once; {@link #build()}
     * snapshots them.
     *
     * @param <K> the key type
     * @param <V> the value type
     */
    public static final class Builder<K, V> {
        private final RedisClient client;
        private final RedisCodec<K, V> codec;
        private @Nullable String keyPrefix;
        private @Nullable Class<?> valueType;
        private @Nullable Duration timeout;
        private @Nullable Integer failureThreshold;
        private @Nullable Duration openDuration;
        private @Nullable TimeSource timeSource;

        private Builder(RedisClient client, RedisCodec<K, V> codec) {
            this.client = client;
            this.codec = codec;
        }

        /**
         * The prefix of every key this level writes, and the name of its invalidation channel:
         * instances sharing a cache use the same prefix, different caches different ones.
         * Required.
         *
         * @param keyPrefix 1 to 128 characters from {@code [A-Za-z0-9_:.{}-]}, say {@code "users:"}
         * @return this builder
         * @throws NullPointerException if {@code keyPrefix} is null
         * @throws IllegalArgumentException if {@code keyPrefix} is empty, too long or has other characters
         * @throws IllegalStateException if already set
         */
        public Builder<K, V> keyPrefix(String keyPrefix) {
            checkPrefix(keyPrefix);
            Checks.unset(this.keyPrefix, "keyPrefix");
            this.keyPrefix = keyPrefix;
            return this;
        }

        /**
         * The type every decoded value must have: a value the codec decodes to anything else (say,
         * one written by another version of the service) is a miss, so a wrong type never reaches
         * your code as a {@code ClassCastException}. Recommended whenever the codec can decode
         * other types than {@code V} (Java serialization, generic JSON).
         *
         * @param valueType the value class
         * @return this builder
         * @throws NullPointerException if {@code valueType} is null
         * @throws IllegalStateException if already set
         */
        public Builder<K, V> valueType(Class<? extends V> valueType) {
            Objects.requireNonNull(valueType, "valueType");
            Checks.unset(this.valueType, "valueType");
            this.valueType = valueType;
            return this;
        }

        /**
         * How long a command may take before it counts as failed (and the cache goes on without
         * it). Default {@link #DEFAULT_TIMEOUT}.
         *
         * @param timeout the timeout, positive
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         * @throws IllegalStateException if already set
         */
        public Builder<K, V> timeout(Duration timeout) {
            Durations.requirePositive(timeout, "timeout");
            Checks.unset(this.timeout, "timeout");
            this.timeout = timeout;
            return this;
        }

        /**
         * The circuit breaker: after {@code failureThreshold} consecutive failures (errors and
         * timeouts) no command is sent for {@code openDuration}; then one probe is, and its
         * success closes the circuit. Defaults {@link #DEFAULT_FAILURE_THRESHOLD},
         * {@link #DEFAULT_OPEN_DURATION}.
         *
         * @param failureThreshold consecutive failures that open the circuit, at least 1
         * @param openDuration how long the circuit stays open before a probe, positive
         * @return this builder
         * @throws NullPointerException if {@code openDuration} is null
         * @throws IllegalArgumentException if an argument is out of range
         * @throws IllegalStateException if already set
         */
        public Builder<K, V> circuitBreaker(int failureThreshold, Duration openDuration) {
            Checks.positive(failureThreshold, "failureThreshold");
            Durations.requirePositive(openDuration, "openDuration");
            Checks.unset(this.failureThreshold, "circuitBreaker");
            this.failureThreshold = failureThreshold;
            this.openDuration = openDuration;
            return this;
        }

        /**
         * The clock for timeouts and the breaker's open time. Default {@link TimeSource#system()}.
         *
         * @param timeSource the time source
         * @return this builder
         * @throws NullPointerException if {@code timeSource} is null
         * @throws IllegalStateException if already set
         */
        public Builder<K, V> timeSource(TimeSource timeSource) {
            Objects.requireNonNull(timeSource, "timeSource");
            Checks.unset(this.timeSource, "timeSource");
            this.timeSource = timeSource;
            return this;
        }

        /**
         * Opens the command and pub/sub connections and subscribes to the invalidation channel,
         * waiting until that is done, as {@link RedisClient#connect()} does: call it at startup,
         * not on a request path.
         *
         * @return the second level
         * @throws IllegalStateException if no key prefix was given
         * @throws io.lettuce.core.RedisConnectionException if Redis cannot be reached
         */
        public RedisSecondLevel<K, V> build() {
            if (keyPrefix == null) {
                throw new IllegalStateException(
                        "keyPrefix is required: it names this cache's keys and invalidation channel");
            }
            return new RedisSecondLevel<>(this, keyPrefix);
        }
    }
}
