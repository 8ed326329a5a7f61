package dev.asyncpatterns.core.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.sync.AsyncBarrier;
import dev.asyncpatterns.core.sync.AsyncEvent;
import dev.asyncpatterns.core.sync.AsyncLatch;
import dev.asyncpatterns.core.sync.AsyncLock;
import dev.asyncpatterns.core.sync.AsyncRateLimiter;
import dev.asyncpatterns.core.sync.AsyncReadWriteLock;
import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The examples in the javadoc of the synchronization primitives ({@code AsyncSemaphore},
 * {@code AsyncLock}, {@code AsyncReadWriteLock}, {@code AsyncEvent}, {@code AsyncLatch},
 * {@code AsyncBarrier}, {@code AsyncRateLimiter}), shown through
 * {@code {@snippet class=... region=...}}: each region is compiled and run here, and checked.
 * The services the examples call ({@code client}, {@code store}, {@code api}...) are fakes whose
 * futures the tests complete by hand.
 */
class SyncSnippets {

    // ---------------------------------------------------------------- fakes

    record Request(String path) {}

    record Response(int status) {}

    record Config(String version) {}

    /** A service call whose futures stay pending until the test completes them, in call order. */
    static final class Calls<A, R> {
        final List<A> arguments = new ArrayList<>();
        final Queue<CompletableFuture<R>> pending = new ArrayDeque<>();

        CompletableFuture<R> call(A argument) {
            arguments.add(argument);
            var future = new CompletableFuture<R>();
            pending.add(future);
            return future;
        }

        void completeNext(R result) {
            pending.remove().complete(result);
        }
    }

    /** An HTTP client whose responses arrive when the test says so. */
    static final class Client {
        final Calls<Request, Response> sends = new Calls<>();

        CompletableFuture<Response> send(Request request) {
            return sends.call(request);
        }
    }

    /** A key-value store whose writes finish when the test says so. */
    static final class Store {
        final Map<String, String> data = new HashMap<>();
        final Calls<Map.Entry<String, String>, Void> writes = new Calls<>();

        CompletableFuture<Void> write(String key, String value) {
            return writes.call(Map.entry(key, value)).thenRun(() -> data.put(key, value));
        }
    }

    /** A remote API that answers at once. */
    static final class Api {
        final List<Request> calls = new ArrayList<>();

        CompletableFuture<Response> call(Request request) {
            calls.add(request);
            return CompletableFuture.completedFuture(new Response(200));
        }
    }

    /** A worker whose start finishes when the test says so. */
    static final class Worker {
        final CompletableFuture<Void> started = new CompletableFuture<>();

        CompletableFuture<Void> start() {
            return started;
        }
    }

    /** A player whose preparation finishes when the test says so, and who records going. */
    final class Player {
        final String name;
        final CompletableFuture<Boolean> prepared = new CompletableFuture<>();

        Player(String name) {
            this.name = name;
        }

        CompletableFuture<Boolean> prepare() {
            return prepared;
        }

        void go() {
            went.add(name);
        }
    }

    /** Records what is logged. */
    static final class Log {
        final List<String> lines = new ArrayList<>();

        void info(String line) {
            lines.add(line);
        }
    }

    private final VirtualClock clock = VirtualClock.create();
    private final Request request = new Request("/orders");
    private final Client client = new Client();
    private final Store store = new Store();
    private final String key = "user:42";
    private final String value = "Ada";
    private final Api api = new Api();
    private final Log log = new Log();
    private final List<Worker> workers = List.of(new Worker(), new Worker(), new Worker());
    private final List<String> went = new ArrayList<>();
    private final List<Player> players = List.of(new Player("ann"), new Player("bob"), new Player("cy"));

    private final Calls<Void, Config> loads = new Calls<>();
    private final Calls<Config, Void> saves = new Calls<>();
    private final Config next = new Config("v2");
    private int served;

    private CompletableFuture<Config> loadConfig() {
        return loads.call(null);
    }

    private CompletableFuture<Void> saveConfig(Config config) {
        return saves.call(config);
    }

    private void serve() {
        served++;
    }

    // ---------------------------------------------------------------- AsyncSemaphore

    @Test
    void semaphoreWithPermit_boundsConcurrentRequests() {
        // @start region=semaphoreWithPermit
        var connections = new AsyncSemaphore(10); // at most 10 requests at a time
        CompletableFuture<Response> response = connections.withPermit(() -> client.send(request));
        // @end

        assertThat(response).isNotDone();
        assertThat(connections.availablePermits()).isEqualTo(9);

        var more = new ArrayList<CompletableFuture<Response>>();
        for (int i = 0; i < 10; i++) {
            more.add(connections.withPermit(() -> client.send(request)));
        }
        assertThat(client.sends.arguments).hasSize(10); // the 11th request waits for a permit
        assertThat(connections.waiters()).isEqualTo(1);

        client.sends.completeNext(new Response(200));
        assertThat(response).isCompletedWithValue(new Response(200));
        assertThat(client.sends.arguments).hasSize(11); // its permit went to the waiting request
        while (!client.sends.pending.isEmpty()) {
            client.sends.completeNext(new Response(204));
        }
        assertThat(more).allSatisfy(f -> assertThat(f).isCompletedWithValue(new Response(204)));
        assertThat(connections.availablePermits()).isEqualTo(10);
    }

    @Test
    void semaphoreBuilder_namedWithStats() {
        // @start region=semaphoreBuilder
        var connections = AsyncSemaphore.builder(2).name("db-connections").build();
        connections.acquire();
        connections.acquire();
        CompletableFuture<Void> third = connections.acquire(); // queues: no permit left
        AsyncSemaphore.Stats stats = connections.stats();
        // stats: name=db-connections available=0 waiters=1 waited=1
        // @end

        assertThat(stats).isEqualTo(new AsyncSemaphore.Stats("db-connections", 0, 1, 1, 0, 0, Duration.ZERO));
        third.cancel(true);
        assertThat(connections.stats())
                .isEqualTo(new AsyncSemaphore.Stats("db-connections", 0, 0, 1, 0, 1, Duration.ZERO));
    }

    // ---------------------------------------------------------------- AsyncLock

    @Test
    void lockWithLock_oneWriterAtATime() {
        // @start region=lockWithLock
        var lock = new AsyncLock();
        CompletableFuture<Void> saved = lock.withLock(() -> store.write(key, value)); // one writer at a time
        // @end

        assertThat(lock.isLocked()).isTrue();
        CompletableFuture<Void> second = lock.withLock(() -> store.write(key, "Grace"));
        assertThat(store.writes.arguments).containsExactly(Map.entry(key, value)); // the second waits

        store.writes.completeNext(null);
        assertThat(saved).isCompleted();
        assertThat(store.data).containsEntry(key, value);
        assertThat(store.writes.arguments).containsExactly(Map.entry(key, value), Map.entry(key, "Grace"));

        store.writes.completeNext(null);
        assertThat(second).isCompleted();
        assertThat(store.data).containsEntry(key, "Grace");
        assertThat(lock.isLocked()).isFalse();
    }

    // ---------------------------------------------------------------- AsyncReadWriteLock

    @Test
    void readWriteLock_writerWaitsForReaders() {
        // @start region=readWriteLock
        var rw = new AsyncReadWriteLock();
        CompletableFuture<Config> current = rw.withReadLock(() -> loadConfig());
        CompletableFuture<Void> updated = rw.withWriteLock(() -> saveConfig(next));
        // @end

        assertThat(rw.readers()).isEqualTo(1);
        assertThat(saves.arguments).isEmpty(); // the writer waits for the reader
        assertThat(rw.waiters()).isEqualTo(1);

        loads.completeNext(new Config("v1"));
        assertThat(current).isCompletedWithValue(new Config("v1"));
        assertThat(rw.isWriteLocked()).isTrue();
        assertThat(saves.arguments).containsExactly(next);

        saves.completeNext(null);
        assertThat(updated).isCompleted();
        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.readers()).isZero();
    }

    // ---------------------------------------------------------------- AsyncEvent

    @Test
    void eventSet_wakesWaiters() {
        // @start region=eventSet
        var ready = new AsyncEvent();
        ready.await().thenRun(() -> serve()); // waits, without a thread, until...
        ready.set(); // ...this wakes every waiter
        // @end

        assertThat(served).isEqualTo(1);
        assertThat(ready.waiters()).isZero();

        ready.clear(); // the same again, looking between the two steps
        ready.await().thenRun(() -> serve());
        assertThat(served).isEqualTo(1);
        assertThat(ready.waiters()).isEqualTo(1);
        ready.set();
        assertThat(served).isEqualTo(2);
    }

    // ---------------------------------------------------------------- AsyncLatch

    @Test
    void latchAwait_opensWhenEveryWorkerStarted() {
        // @start region=latchAwait
        var started = new AsyncLatch(workers.size());
        workers.forEach(worker -> worker.start().thenRun(started::countDown));
        started.await().thenRun(() -> log.info("all workers up"));
        // @end

        assertThat(started.getCount()).isEqualTo(3);
        workers.get(0).started.complete(null);
        workers.get(2).started.complete(null);
        assertThat(started.getCount()).isEqualTo(1);
        assertThat(log.lines).isEmpty();

        workers.get(1).started.complete(null);
        assertThat(started.getCount()).isZero();
        assertThat(log.lines).containsExactly("all workers up");
    }

    // ---------------------------------------------------------------- AsyncBarrier

    @Test
    void barrierAwait_allPlayersGoTogether() {
        // @start region=barrierAwait
        var round = new AsyncBarrier(3);
        for (var player : players) {
            player.prepare().thenCompose(ready -> round.await()).thenRun(player::go); // all go together
        }
        // @end

        players.get(1).prepared.complete(true);
        players.get(0).prepared.complete(true);
        assertThat(round.waiters()).isEqualTo(2);
        assertThat(went).isEmpty();

        players.get(2).prepared.complete(true);
        assertThat(went).containsExactlyInAnyOrder("ann", "bob", "cy");
        assertThat(round.waiters()).isZero();
    }

    // ---------------------------------------------------------------- AsyncRateLimiter

    @Test
    void rateLimiterAcquire_burstThenSteadyRate() {
        // The virtual clock is left out of the rendered example by the @replace markup.
        // @start region=rateLimiterAcquire
        var quota = AsyncRateLimiter.builder()
                .rate(10, Duration.ofSeconds(1)) // 10 calls per second on average
                // @replace substring=".timeSource(clock)" replacement="                  " :
                .burst(20)
                .timeSource(clock) // up to 20 at once after a quiet spell
                .build();
        CompletableFuture<Response> response = quota.acquire().thenCompose(ignored -> api.call(request));
        // @end

        assertThat(response).isCompletedWithValue(new Response(200)); // the bucket starts full
        assertThat(api.calls).containsExactly(request);

        for (int i = 0; i < 19; i++) { // the rest of the burst goes at once
            assertThat(quota.acquire()).isCompleted();
        }
        var paced = quota.acquire().thenCompose(ignored -> api.call(request));
        assertThat(paced).isNotDone();
        clock.advance(Duration.ofMillis(99));
        assertThat(paced).isNotDone();
        clock.advance(Duration.ofMillis(1)); // one token every 100 ms
        assertThat(paced).isCompletedWithValue(new Response(200));
        assertThat(api.calls).hasSize(2);
        quota.close();
    }
}
