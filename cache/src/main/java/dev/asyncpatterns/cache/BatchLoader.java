package dev.asyncpatterns.cache;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.internal.CapturedContext;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.Failures;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * State (guarded by lock): the batch being collected (insertion-ordered key -> shared future,
 * which also de-duplicates keys within a batch), the window timer of that batch and its
 * generation number, and `pending`, the keys accepted but not yet answered (collecting plus in
 * flight), which enforces maxPendingKeys.
 *
 * A batch closes when it reaches maxBatchSize (the adding caller takes it) or when its window timer
 * fires (the timer task takes it, if the generation still matches: a batch closed by size bumps
 * the generation, so a late timer does nothing). Taking a batch happens under the lock; calling the
 * bulk function and completing the per-key futures never does, so user code never runs under our
 * lock. A caller-taken batch is dispatched on the caller's thread, except through Caffeine's
 * AsyncCacheLoader entry points, which run inside Caffeine's map compute: there the batch is handed
 * to Caffeine's executor so the bulk function and the completions of other keys' futures never
 * run inside that compute.
 */
/**
 * The DataLoader pattern: individual {@link #load(Object)} calls made within a short window (or
 * until a batch is full) are coalesced into one call of a bulk function, whose results are
 * distributed per key. Typical use: N+1 queries become one {@code WHERE id IN (...)}.
 *
 * {@snippet class=dev.asyncpatterns.cache.snippets.CacheSnippets region=batchLoader}
 *
 * <p><b>Windows.</b> The first key of a new batch starts a timer of {@code window} on the time
 * source; the batch is dispatched when it fires, or as soon as it holds {@code maxBatchSize}
 * distinct keys, or on {@link #dispatch()}. The same key loaded twice in one batch is sent once.
 *
 * <p><b>Results.</b> Each key's future completes with the value the bulk function mapped it to.
 * A key missing from the returned map is handled as {@link MissingKeys} says: by default its
 * future fails with {@link NoSuchElementException}. A failed, throwing or {@code null}-returning
 * bulk function fails every future of that batch with the same exception. Extra keys in the map
 * are ignored.
 *
 * <p><b>Bounds.</b> At most {@code maxPendingKeys} keys may be accepted and not yet answered
 * (collecting or in flight); beyond that {@code load} returns a future failed with
 * {@link RejectedExecutionException}, at once.
 *
 * <p><b>Cancellation.</b> Each caller gets its own future: cancelling it does not affect other
 * callers of the same key nor the batch, which is still sent.
 *
 * <p>It is also a Caffeine {@link AsyncCacheLoader}, so it can back a cache built directly with
 * Caffeine.
 *
 * <p>Thread-safe. Memory effects: actions in the bulk function before its future completes
 * happen-before the completion of the futures of that batch.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @since 0.1.0
 */
public final class BatchLoader<K, V> implements Function<K, CompletableFuture<V>>, AsyncCacheLoader<K, V> {

    /** Default {@link Builder#maxBatchSize(int)}: 100 keys. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 100;

    /** Default {@link Builder#window(Duration)}: 5 ms. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMillis(5);

    /** Default {@link Builder#maxPendingKeys(int)}: 10,000 keys. */
    public static final int DEFAULT_MAX_PENDING_KEYS = 10_000;

    /** What to do with a requested key that the bulk function's map does not contain. */
    public enum MissingKeys {
        /** Fail that key's future with {@link NoSuchElementException} naming the key. */
        FAIL,
        /** Complete that key's future with {@code null} (which a memoized function does not cache). */
        NULL
    }

    /**
     * A consistent snapshot of a batch loader (ADR core-0003), read under its lock.
     *
     * @param name the loader's name
     * @param pendingKeys keys waiting for their batch to be sent now
     * @param batches bulk calls made
     * @param keys keys sent in those calls
     * @param largestBatch the most keys sent in one call
     * @param failedBatches batches whose bulk call failed, threw or returned {@code null}, or that
     *     Caffeine's executor refused to run
     * @param missingKeys keys the bulk function left out of its result
     * @param rejectedKeys loads refused because {@code maxPendingKeys} keys were pending
     */
    public record Stats(
            String name,
            int pendingKeys,
            long batches,
            long keys,
            int largestBatch,
            long failedBatches,
            long missingKeys,
            long rejectedKeys) {

        /**
         * The average number of keys per bulk call.
         *
         * @return keys divided by batches, or 0 if none was sent
         */
        public double averageBatchSize() {
            return batches == 0 ? 0 : (double) keys / batches;
        }
    }

    private final Function<? super Set<K>, ? extends CompletionStage<? extends Map<K, V>>> bulk;
    private final int maxBatchSize;
    private final Duration window;
    private final int maxPendingKeys;
    private final MissingKeys missingKeys;
    private final TimeSource timeSource;
    private final String name;

    private final ReentrantLock lock = new ReentrantLock();
    private LinkedHashMap<K, CompletableFuture<V>> collecting = new LinkedHashMap<>();
    private long generation;
    private @Nullable Cancellable windowTimer;
    private int pending;
    private long batches;
    private long keysSent;
    private int largestBatch;
    private long failedBatches;
    private long missing;
    private long rejected;

    private BatchLoader(Builder<K, V> builder) {
        this.name = builder.name == null ? Checks.defaultName("batchloader", this) : builder.name;
        this.bulk = builder.bulk;
        this.maxBatchSize = builder.maxBatchSize != 0 ? builder.maxBatchSize : DEFAULT_MAX_BATCH_SIZE;
        this.window = builder.window != null ? builder.window : DEFAULT_WINDOW;
        this.maxPendingKeys = builder.maxPendingKeys != 0 ? builder.maxPendingKeys : DEFAULT_MAX_PENDING_KEYS;
        this.missingKeys = builder.missingKeys != null ? builder.missingKeys : MissingKeys.FAIL;
        this.timeSource = builder.timeSource != null ? builder.timeSource : TimeSource.system();
    }

    /**
     * A builder for a loader calling {@code bulk} with the set of keys of each batch. The bulk
     * function returns a future of a map from (some of) those keys to their values.
     *
     * @param bulk the bulk function; called on the thread that closes a batch (a loading caller,
     *     the time source's timer, or Caffeine's executor), never under a lock
     * @param <K> the key type
     * @param <V> the value type
     * @return a new builder with the defaults
     * @throws NullPointerException if {@code bulk} is null
     */
    public static <K, V> Builder<K, V> builder(
            Function<? super Set<K>, ? extends CompletionStage<? extends Map<K, V>>> bulk) {
        return new Builder<>(Objects.requireNonNull(bulk, "bulk"));
    }

    /**
     * Loads {@code key} as part of the next batch. Never blocks; may call the bulk function on
     * this thread if this key fills the batch.
     *
     * @param key the key, not null
     * @return this caller's future of the key's value
     * @throws NullPointerException if {@code key} is null
     */
    public CompletableFuture<V> load(K key) {
        return load(key, null);
    }

    /**
     * Same as {@link #load(Object)}, so a loader can be passed where a function is expected, such as
     * {@link AsyncCacheBuilder#memoize(Function)}.
     *
     * @param key the key, not null
     * @return this caller's future of the key's value
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public CompletableFuture<V> apply(K key) {
        return load(key, null);
    }

    /**
     * Loads several keys, in as few batches as the batch size allows (together with keys other
     * callers are loading).
     *
     * @param keys the keys, none null; duplicates are loaded once
     * @return a future of a map from every requested key to its value (values may be {@code null}
     *     with {@link MissingKeys#NULL}); it fails if any key fails
     * @throws NullPointerException if {@code keys} or one of them is null
     */
    public CompletableFuture<Map<K, V>> loadAll(Collection<? extends K> keys) {
        return loadAll(keys, null);
    }

    /**
     * Sends the batch being collected now, without waiting for its window. Does nothing if no key
     * is waiting. The bulk function runs on this thread.
     */
    public void dispatch() {
        Map<K, CompletableFuture<V>> batch;
        lock.lock();
        try {
            batch = takeBatch();
        } finally {
            lock.unlock();
        }
        if (batch != null) {
            send(batch);
        }
    }

    /**
     * Keys accepted and not yet answered: waiting for their batch to be sent, or in a bulk call
     * that has not completed.
     *
     * @return the number of pending keys
     */
    public int pendingKeys() {
        lock.lock();
        try {
            return pending;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A snapshot of the counters.
     *
     * @return the statistics
     */
    public Stats stats() {
        lock.lock();
        try {
            return new Stats(name, pending, batches, keysSent, largestBatch, failedBatches, missing, rejected);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The loader's name, for logs and metrics (default {@code batchloader@<hash>}).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Caffeine's loader entry point: {@link #load(Object)}, with a batch filled by this call sent on
     * {@code executor} rather than inside Caffeine's compute.
     *
     * @param key the key
     * @param executor Caffeine's executor
     * @return the future of the value
     */
    @Override
    public CompletableFuture<? extends V> asyncLoad(K key, Executor executor) {
        return load(key, Objects.requireNonNull(executor, "executor"));
    }

    /**
     * Caffeine's bulk entry point: {@link #loadAll(Collection)}, with filled batches sent on
     * {@code executor}; keys whose value is {@code null} are left out of the map, as Caffeine
     * expects.
     *
     * @param keys the keys
     * @param executor Caffeine's executor
     * @return the future of the values found
     */
    @Override
    public CompletableFuture<? extends Map<? extends K, ? extends V>> asyncLoadAll(
            Set<? extends K> keys, Executor executor) {
        return loadAll(keys, Objects.requireNonNull(executor, "executor")).thenApply(map -> {
            map.values().removeIf(Objects::isNull);
            return map;
        });
    }

    @Override
    public String toString() {
        return "BatchLoader[" + name + ", maxBatchSize=" + maxBatchSize + ", window=" + window + ", pending="
                + pendingKeys() + ", " + stats() + "]";
    }

    // ---------------------------------------------------------------- internals

    private CompletableFuture<Map<K, V>> loadAll(Collection<? extends K> keys, @Nullable Executor executor) {
        Objects.requireNonNull(keys, "keys");
        var unique = new LinkedHashSet<K>(keys);
        for (K key : unique) {
            Objects.requireNonNull(key, "keys contains null");
        }
        var futures = new ArrayList<CompletableFuture<V>>(unique.size());
        for (K key : unique) {
            futures.add(load(key, executor));
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> {
                    var result = new HashMap<K, V>();
                    int i = 0;
                    for (K key : unique) {
                        result.put(key, futures.get(i++).join());
                    }
                    return result;
                });
    }

    private CompletableFuture<V> load(K key, @Nullable Executor executor) {
        Objects.requireNonNull(key, "key");
        CompletableFuture<V> shared;
        Map<K, CompletableFuture<V>> full = null;
        lock.lock();
        try {
            shared = collecting.get(key);
            if (shared == null) {
                if (pending >= maxPendingKeys) {
                    rejected++;
                    return CompletableFuture.failedFuture(
                            new RejectedExecutionException("BatchLoader: " + pending + " keys pending (maxPendingKeys "
                                    + maxPendingKeys + "); load of key " + key + " refused"));
                }
                shared = new CompletableFuture<>();
                collecting.put(key, shared);
                pending++;
                if (collecting.size() >= maxBatchSize) {
                    full = takeBatch();
                } else if (collecting.size() == 1) {
                    long myGeneration = generation;
                    windowTimer = timeSource.schedule(window, () -> windowClosed(myGeneration));
                }
            }
        } finally {
            lock.unlock();
        }
        CompletableFuture<V> mine = Futures.shield(shared);
        if (full != null) {
            Map<K, CompletableFuture<V>> batch = full;
            if (executor == null) {
                send(batch);
            } else {
                try {
                    executor.execute(CapturedContext.capture().wrap(() -> send(batch))); // the filling caller's context
                } catch (RuntimeException
                        | Error rejectedByExecutor) { // rejected, out of threads: fail the batch rather than strand it
                    distribute(batch, null, rejectedByExecutor);
                }
            }
        }
        return mine;
    }

    private void windowClosed(long timerGeneration) {
        Map<K, CompletableFuture<V>> batch = null;
        lock.lock();
        try {
            if (generation == timerGeneration) {
                windowTimer = null; // it is running: nothing to cancel
                batch = takeBatch();
            }
        } finally {
            lock.unlock();
        }
        if (batch != null) {
            send(batch);
        }
    }

    /** Called under the lock; returns null if nothing is collecting. */
    private @Nullable Map<K, CompletableFuture<V>> takeBatch() {
        if (collecting.isEmpty()) {
            return null;
        }
        Map<K, CompletableFuture<V>> batch = collecting;
        collecting = new LinkedHashMap<>();
        generation++;
        if (windowTimer != null) {
            windowTimer.cancel();
            windowTimer = null;
        }
        batches++;
        keysSent += batch.size();
        largestBatch = Math.max(largestBatch, batch.size());
        return batch;
    }

    private void send(Map<K, CompletableFuture<V>> batch) {
        Set<K> keys = Collections.unmodifiableSet(new LinkedHashSet<>(batch.keySet()));
        CompletionStage<? extends Map<K, V>> stage;
        try {
            stage = bulk.apply(keys);
            if (stage == null) {
                stage = CompletableFuture.failedFuture(
                        new NullPointerException("the bulk function returned null instead of a future"));
            }
        } catch (Throwable failure) {
            stage = CompletableFuture.failedFuture(failure);
        }
        stage.whenComplete((values, failure) -> distribute(batch, values, failure));
    }

    @SuppressWarnings("NullAway") // values is non-null whenever cause is null (cause is set when values is null)
    private void distribute(
            Map<K, CompletableFuture<V>> batch, @Nullable Map<K, V> values, @Nullable Throwable failure) {
        Throwable cause = failure != null
                ? Failures.unwrap(failure)
                : values == null
                        ? new NullPointerException("the bulk function's future completed with null instead of a map")
                        : null;
        List<K> absent = new ArrayList<>();
        if (cause == null) {
            for (K key : batch.keySet()) {
                if (!values.containsKey(key)) {
                    absent.add(key);
                }
            }
        }
        lock.lock();
        try {
            pending -= batch.size();
            failedBatches += cause != null ? 1 : 0;
            missing += absent.size();
        } finally {
            lock.unlock();
        }
        for (var entry : batch.entrySet()) {
            K key = entry.getKey();
            CompletableFuture<V> future = entry.getValue();
            if (cause != null) {
                future.completeExceptionally(cause);
            } else if (values.containsKey(key)) {
                future.complete(values.get(key));
            } else if (missingKeys == MissingKeys.NULL) {
                future.complete(null);
            } else {
                future.completeExceptionally(
                        new NoSuchElementException("the bulk function returned no value for key " + key));
            }
        }
    }

    /**
     * Configures a {@link BatchLoader}. Each setting may be given once; {@link #build()} snapshots
     * them. Not thread-safe.
     *
     * @param <K> the key type
     * @param <V> the value type
     */
    public static final class Builder<K, V> {

        private final Function<? super Set<K>, ? extends CompletionStage<? extends Map<K, V>>> bulk;
        private int maxBatchSize; // 0: not set
        private @Nullable Duration window;
        private int maxPendingKeys; // 0: not set
        private @Nullable MissingKeys missingKeys;
        private @Nullable TimeSource timeSource;
        private @Nullable String name;

        private Builder(Function<? super Set<K>, ? extends CompletionStage<? extends Map<K, V>>> bulk) {
            this.bulk = bulk;
        }

        /**
         * The most distinct keys per bulk call (default 100); a
         * batch reaching it is sent at once.
         *
         * @param maxBatchSize at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxBatchSize < 1}
         * @throws IllegalStateException if already set
         */
        public Builder<K, V> maxBatchSize(int maxBatchSize) {
            Checks.positive(maxBatchSize, "maxBatchSize");
            Checks.once(this.maxBatchSize != 0, "maxBatchSize");
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /**
         * How long a batch collects keys after its first one (default 5 ms), timed on the time
         * source. Zero sends each batch at the time source's next tick.
         *
         * @param window zero or positive
         * @return this builder
         * @throws NullPointerException if {@code window} is null
         * @throws IllegalArgumentException if {@code window} is negative
         * @throws IllegalStateException if already set
         */
        public Builder<K, V> window(Duration window) {
            Durations.requireNonNegative(window, "window");
            Checks.unset(this.window, "window");
            this.window = window;
            return this;
        }

        /**
         * The most keys accepted and not yet answered (default 10,000); further loads fail at once
         * with {@link RejectedExecutionException}.
         *
         * @param maxPendingKeys at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxPendingKeys < 1}
         * @throws IllegalStateException if already set
         */
        public Builder<K, V> maxPendingKeys(int maxPendingKeys) {
            Checks.positive(maxPendingKeys, "maxPendingKeys");
            Checks.once(this.maxPendingKeys != 0, "maxPendingKeys");
            this.maxPendingKeys = maxPendingKeys;
            return this;
        }

        /**
         * What a key absent from the bulk result gets (default {@link MissingKeys#FAIL}).
         *
         * @param missingKeys the policy
         * @return this builder
         * @throws NullPointerException if {@code missingKeys} is null
         * @throws IllegalStateException if already set
         */
        public Builder<K, V> missingKeys(MissingKeys missingKeys) {
            this.missingKeys = Checks.setOnce(this.missingKeys, missingKeys, "missingKeys", "missingKeys");
            return this;
        }

        /**
         * The clock timing the windows (default {@link TimeSource#system()}).
         *
         * @param timeSource the time source
         * @return this builder
         * @throws NullPointerException if {@code timeSource} is null
         * @throws IllegalStateException if already set
         */
        public Builder<K, V> timeSource(TimeSource timeSource) {
            this.timeSource = Checks.setOnce(this.timeSource, timeSource, "timeSource", "timeSource");
            return this;
        }

        /**
         * The name used in logs, {@code toString} and {@link BatchLoader#stats()} (default
         * {@code batchloader@<hash>}).
         *
         * @param name the name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank, longer than 200 characters or
         *     holds a control character
         * @throws IllegalStateException if already set
         */
        public Builder<K, V> name(String name) {
            Checks.name(name);
            Checks.unset(this.name, "name");
            this.name = name;
            return this;
        }

        /**
         * Builds the loader; later changes to this builder do not affect it.
         *
         * @return a new batch loader
         */
        public BatchLoader<K, V> build() {
            return new BatchLoader<>(this);
        }
    }
}
