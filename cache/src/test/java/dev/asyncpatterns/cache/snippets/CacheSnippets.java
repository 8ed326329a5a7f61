package dev.asyncpatterns.cache.snippets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.BatchLoader;
import dev.asyncpatterns.cache.MemoizedFunction;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The examples in the cache module's javadoc, compiled and run: each region is shown by a
 * {@code {@snippet class=... region=...}} tag, and each test checks that the example does what
 * its javadoc says. The services they call are small fakes defined outside the regions.
 */
class CacheSnippets {

    private final VirtualClock clock = VirtualClock.create();

    record User(String id, String name) {}

    record Quote(String symbol, long cents) {}

    /** Answers user "N" as "user-N"; a pending answer stays pending until {@link #complete}. */
    static final class UserService {
        final AtomicInteger calls = new AtomicInteger();
        final List<CompletableFuture<User>> pending = new CopyOnWriteArrayList<>();
        volatile boolean answerAtOnce = true;

        CompletableFuture<User> fetch(String id) {
            calls.incrementAndGet();
            var user = new User(id, "user-" + id);
            if (answerAtOnce) {
                return CompletableFuture.completedFuture(user);
            }
            var future = new CompletableFuture<User>();
            pending.add(future);
            return future;
        }

        void complete(String id) {
            pending.forEach(f -> f.complete(new User(id, "user-" + id)));
        }
    }

    /** Records each call; the test answers it with {@link #last()}. */
    static final class QuoteService {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Quote>> answers = new CopyOnWriteArrayList<>();

        CompletableFuture<Quote> fetch(String symbol) {
            calls.add(symbol);
            var answer = new CompletableFuture<Quote>();
            answers.add(answer);
            return answer;
        }

        CompletableFuture<Quote> last() {
            return answers.get(answers.size() - 1);
        }

        long calls(String symbol) {
            return calls.stream().filter(symbol::equals).count();
        }
    }

    /** {@code SELECT ... WHERE id IN (...)}: records each bulk call. */
    static final class UserRepository {
        final List<Set<Long>> calls = new CopyOnWriteArrayList<>();

        CompletableFuture<Map<Long, User>> findAllByIds(Set<Long> ids) {
            calls.add(Set.copyOf(ids));
            var users = new HashMap<Long, User>();
            ids.forEach(id -> users.put(id, new User(String.valueOf(id), "user-" + id)));
            return CompletableFuture.completedFuture(users);
        }
    }

    private final UserService userService = new UserService();
    private final QuoteService quoteService = new QuoteService();
    private final UserRepository userRepository = new UserRepository();

    @Test
    void memoizeThreeWays_oneBackendCallPerKeyInEachCache() {
        // @start region=memoizeThreeWays
        // one line: bounded (10,000 entries, W-TinyLFU), single-flight, failures not cached
        MemoizedFunction<String, User> users = AsyncCaches.memoize(userService::fetch);

        // configured
        MemoizedFunction<String, User> fresh = AsyncCaches.builder()
                .maximumSize(1_000)
                .expireAfterWrite(Duration.ofMinutes(5))
                .memoize(userService::fetch);

        // on a Caffeine cache you configured yourself
        AsyncCache<String, User> mine = Caffeine.newBuilder().maximumSize(100).buildAsync();
        MemoizedFunction<String, User> onMine = AsyncCaches.memoize(mine, userService::fetch);
        // @end

        for (var memo : List.of(users, fresh, onMine)) {
            assertThat(memo.apply("42").join()).isEqualTo(new User("42", "user-42"));
            assertThat(memo.apply("42").join()).isEqualTo(new User("42", "user-42"));
        }
        assertThat(userService.calls)
                .as("one call per cache, the second read is a hit")
                .hasValue(3);

        var defaults = users.cache().synchronous().policy();
        assertThat(defaults.eviction().orElseThrow().getMaximum()).isEqualTo(AsyncCaches.DEFAULT_MAXIMUM_SIZE);
        assertThat(defaults.expireAfterWrite()).isEmpty();
        var configured = fresh.cache().synchronous().policy();
        assertThat(configured.eviction().orElseThrow().getMaximum()).isEqualTo(1_000);
        assertThat(configured.expireAfterWrite().orElseThrow().getExpiresAfter())
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(onMine.cache()).isSameAs(mine);
        assertThat(mine.synchronous().getIfPresent("42")).isEqualTo(new User("42", "user-42"));
    }

    @Test
    void quoteCache_refreshesAheadServesStaleOnErrorAndRemembersFailures() {
        // @start region=quoteCache
        MemoizedFunction<String, Quote> quotes = AsyncCaches.builder()
                .maximumSize(10_000) // W-TinyLFU, not LRU
                .refreshAfterWrite(Duration.ofSeconds(30)) // serve the current value while reloading
                .staleIfError(Duration.ofMinutes(5)) // a failing backend does not empty the cache
                .negativeCaching(Duration.ofSeconds(2)) // remember failures briefly
                .timeSource(clock)
                .executor(Runnable::run) // in tests only: virtual time, refresh on this thread
                .memoize(quoteService::fetch);
        // @end

        var first = quotes.apply("ACME");
        quoteService.last().complete(new Quote("ACME", 100));
        assertThat(first.join()).isEqualTo(new Quote("ACME", 100));

        // refresh-ahead: a read after 30 s gets the current value at once and triggers a reload
        clock.advance(Duration.ofSeconds(31));
        assertThat(quotes.apply("ACME")).isCompletedWithValue(new Quote("ACME", 100));
        assertThat(quoteService.calls("ACME")).isEqualTo(2);
        assertThat(quotes.apply("ACME")).as("still reloading").isCompletedWithValue(new Quote("ACME", 100));
        quoteService.last().complete(new Quote("ACME", 101));
        assertThat(quotes.apply("ACME")).as("reloaded").isCompletedWithValue(new Quote("ACME", 101));

        // stale-if-error: the next refresh fails, and the cache keeps serving the last good quote
        clock.advance(Duration.ofSeconds(31));
        assertThat(quotes.apply("ACME")).isCompletedWithValue(new Quote("ACME", 101));
        quoteService.last().completeExceptionally(new IllegalStateException("quote service down"));
        assertThat(quotes.apply("ACME")).isCompletedWithValue(new Quote("ACME", 101));
        assertThat(quoteService.calls("ACME")).isEqualTo(3);
        assertThat(quotes.stats().refreshFailures()).isEqualTo(1);

        // negative caching: a failure is answered from the cache for 2 s, then loaded again
        var unknown = quotes.apply("NOPE");
        quoteService.last().completeExceptionally(new NoSuchElementException("unknown symbol NOPE"));
        assertThatThrownBy(unknown::join).hasCauseInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> quotes.apply("NOPE").join()).hasCauseInstanceOf(NoSuchElementException.class);
        assertThat(quoteService.calls("NOPE")).as("the failure was remembered").isEqualTo(1);
        assertThat(quotes.stats().negativeHits()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        assertThat(quotes.apply("NOPE")).isNotDone();
        assertThat(quoteService.calls("NOPE")).as("forgotten after 2 s").isEqualTo(2);
    }

    @Test
    void memoizeUsers_concurrentCallersShareOneLoad() {
        userService.answerAtOnce = false;

        // @start region=memoizeUsers
        MemoizedFunction<String, User> users = AsyncCaches.memoize(userService::fetch);
        CompletableFuture<User> user = users.apply("42");
        // @end

        CompletableFuture<User> sameUser = users.apply("42"); // while the first load is in flight
        assertThat(user).isNotDone();
        assertThat(userService.calls).as("single flight").hasValue(1);
        userService.complete("42");
        assertThat(user).isCompletedWithValue(new User("42", "user-42"));
        assertThat(sameUser).isCompletedWithValue(new User("42", "user-42"));
        assertThat(users.apply("42").join()).isEqualTo(new User("42", "user-42"));
        assertThat(userService.calls).as("then cached").hasValue(1);
    }

    @Test
    void batchLoader_loadsInOneWindowShareOneBulkCall() {
        // @start region=batchLoader
        BatchLoader<Long, User> loader = BatchLoader.builder(
                        userRepository::findAllByIds) // Set<Long> -> CF<Map<Long, User>>
                .maxBatchSize(100)
                .window(Duration.ofMillis(5))
                .timeSource(clock) // in tests only: virtual time
                .build();
        CompletableFuture<User> a = loader.load(1L); // both end up in one findAllByIds({1, 2})
        CompletableFuture<User> b = loader.load(2L);

        // batching plus caching and single-flight
        MemoizedFunction<Long, User> users =
                AsyncCaches.builder().maximumSize(10_000).memoize(loader);
        // @end

        assertThat(userRepository.calls)
                .as("nothing sent before the window closes")
                .isEmpty();
        clock.advance(Duration.ofMillis(5));
        assertThat(userRepository.calls).containsExactly(Set.of(1L, 2L));
        assertThat(a).isCompletedWithValue(new User("1", "user-1"));
        assertThat(b).isCompletedWithValue(new User("2", "user-2"));

        var three = users.apply(3L);
        var four = users.apply(4L);
        var threeAgain = users.apply(3L);
        clock.advance(Duration.ofMillis(5));
        assertThat(userRepository.calls).containsExactly(Set.of(1L, 2L), Set.of(3L, 4L));
        assertThat(List.of(three.join(), four.join(), threeAgain.join()))
                .extracting(User::id)
                .containsExactly("3", "4", "3");
        assertThat(users.apply(3L).join().id()).isEqualTo("3");
        assertThat(userRepository.calls).as("cached: no new batch").hasSize(2);
        assertThat(loader.stats().batches()).isEqualTo(2);
    }

    /** A second level kept in this JVM, standing in for Redis (the redis module's tests use a real one). */
    static final class SharedMap<K, V> implements dev.asyncpatterns.cache.SecondLevel<K, V> {
        final Map<K, V> values = new java.util.concurrent.ConcurrentHashMap<>();
        final List<InvalidationListener<K>> instances = new CopyOnWriteArrayList<>();

        @Override
        public java.util.concurrent.CompletionStage<V> get(K key) {
            return CompletableFuture.completedFuture(values.get(key));
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> put(K key, V value, Duration ttl) {
            values.put(key, value);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> invalidate(K key) {
            values.remove(key);
            instances.forEach(instance -> instance.invalidated(key));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void subscribe(InvalidationListener<K> listener) {
            instances.add(listener);
        }
    }

    @Test
    void secondLevel_twoInstancesShareOneBackendCallAndOneInvalidation() {
        var userService = new UserService();
        SharedMap<String, User> shared = new SharedMap<>();
        // @start region=secondLevel
        // in production the level is Redis: RedisSecondLevel.builder(redisClient, codec)...build()
        MemoizedFunction<String, User> instanceA = AsyncCaches.builder()
                .expireAfterWrite(Duration.ofMinutes(5)) // also the time to live in the second level
                .secondLevel(shared)
                .memoize(userService::fetch);
        MemoizedFunction<String, User> instanceB = AsyncCaches.builder()
                .expireAfterWrite(Duration.ofMinutes(5))
                .secondLevel(shared)
                .memoize(userService::fetch);

        instanceA.apply("42").join(); // first level miss, second level miss: the backend is called
        instanceB.apply("42").join(); // first level miss, second level hit: no backend call
        instanceA.invalidate("42").join(); // gone from the second level and from B's first level
        // @end
        assertThat(userService.calls).hasValue(1);
        assertThat(instanceB.getIfPresent("42")).isNull();
        assertThat(shared.values).isEmpty();
    }
}
