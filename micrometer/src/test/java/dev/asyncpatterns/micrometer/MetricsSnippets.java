package dev.asyncpatterns.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.BatchLoader;
import dev.asyncpatterns.cache.MemoizedFunction;
import dev.asyncpatterns.core.pool.AsyncPool;
import dev.asyncpatterns.core.pool.WorkerPool;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.scope.TaskScope;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.supervision.Supervisor;
import dev.asyncpatterns.core.sync.AsyncLock;
import dev.asyncpatterns.core.sync.AsyncRateLimiter;
import dev.asyncpatterns.core.sync.AsyncReadWriteLock;
import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.core.time.LagProbe;
import dev.asyncpatterns.pipeline.Pipeline;
import dev.asyncpatterns.pipeline.PipelineRun;
import dev.asyncpatterns.resilience.AsyncResilience;
import dev.asyncpatterns.resilience.RetryQueue;
import dev.asyncpatterns.testkit.VirtualClock;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The examples in the binders' javadoc ({@code {@snippet class=... region=...}}), each run against
 * a {@link SimpleMeterRegistry} after real operations on a real component, asserting the meters'
 * values (and that they match the component's own {@code stats()}).
 */
class MetricsSnippets {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final VirtualClock clock = VirtualClock.create();

    private double gauge(String meter, String name) {
        return registry.get(meter).tag("name", name).gauge().value();
    }

    private double counter(String meter, String name, String... tags) {
        return registry.get(meter)
                .tag("name", name)
                .tags(tags)
                .functionCounter()
                .count();
    }

    // ---------------------------------------------------------------- core.sync

    @Test
    void semaphore_waitsTimeoutsAndCancellations_areCounted() {
        // @start region=semaphore
        var connections = AsyncSemaphore.builder(1).name("db").timeSource(clock).build();
        SemaphoreMetrics.monitor(registry, connections, "app", "shop");
        // @end
        connections.acquire(); // takes the permit
        CompletableFuture<Void> queued = connections.acquire(); // waits
        CompletableFuture<Void> timed = connections.acquire(Duration.ofSeconds(1));
        CompletableFuture<Void> cancelled = connections.acquire();
        cancelled.cancel(true);
        clock.advance(Duration.ofSeconds(1));

        assertThat(timed).isCompletedExceptionally();
        assertThat(gauge("asyncpatterns.semaphore.available", "db")).isZero();
        assertThat(gauge("asyncpatterns.semaphore.waiters", "db")).isEqualTo(1);
        assertThat(counter("asyncpatterns.semaphore.waits", "db")).isEqualTo(3);
        assertThat(counter("asyncpatterns.semaphore.timeouts", "db")).isEqualTo(1);
        assertThat(counter("asyncpatterns.semaphore.cancellations", "db")).isEqualTo(1);
        assertThat(registry.get("asyncpatterns.semaphore.waiters")
                        .tag("app", "shop")
                        .gauge()
                        .value())
                .isEqualTo(1);

        connections.release();
        assertThat(queued).isCompleted();
        assertThat(gauge("asyncpatterns.semaphore.waiters", "db")).isZero();
        assertThat(connections.stats()).isEqualTo(new AsyncSemaphore.Stats("db", 0, 0, 3, 1, 1, Duration.ofSeconds(1)));
        var waits = registry.get("asyncpatterns.semaphore.wait.duration")
                .tag("name", "db")
                .functionTimer();
        assertThat(waits.count()).isEqualTo(1); // the queued one, granted
        assertThat(waits.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1000); // after 1 s on the clock
    }

    @Test
    void lock_lockedAndWaiters_followTheLock() {
        // @start region=lock
        var lock = AsyncLock.builder().name("ledger").build();
        new LockMetrics(lock, Tags.empty()).bindTo(registry);
        // @end
        var guard = lock.lock().join();
        var next = lock.lock();
        assertThat(gauge("asyncpatterns.lock.locked", "ledger")).isEqualTo(1);
        assertThat(gauge("asyncpatterns.lock.waiters", "ledger")).isEqualTo(1);
        assertThat(counter("asyncpatterns.lock.waits", "ledger")).isEqualTo(1);

        guard.unlock();
        next.join().unlock();
        assertThat(gauge("asyncpatterns.lock.locked", "ledger")).isZero();
        assertThat(gauge("asyncpatterns.lock.waiters", "ledger")).isZero();
    }

    @Test
    void readWriteLock_readersAndWriter_areGauged() {
        // @start region=readWriteLock
        var lock = AsyncReadWriteLock.builder().name("config").build();
        ReadWriteLockMetrics.monitor(registry, lock);
        // @end
        var r1 = lock.readLock().join();
        var r2 = lock.readLock().join();
        var writer = lock.writeLock();
        assertThat(gauge("asyncpatterns.rwlock.readers", "config")).isEqualTo(2);
        assertThat(gauge("asyncpatterns.rwlock.write.locked", "config")).isZero();
        assertThat(gauge("asyncpatterns.rwlock.waiters", "config")).isEqualTo(1);

        r1.unlock();
        r2.unlock();
        assertThat(writer).isCompleted();
        assertThat(gauge("asyncpatterns.rwlock.write.locked", "config")).isEqualTo(1);
        assertThat(counter("asyncpatterns.rwlock.waits", "config")).isEqualTo(1);
    }

    @Test
    void rateLimiter_tokensWaitsAndRejections_areMeasured() {
        // @start region=rateLimiter
        var limiter = AsyncRateLimiter.builder()
                .name("partner-api")
                .rate(2, Duration.ofSeconds(1))
                .timeSource(clock)
                .build();
        RateLimiterMetrics.monitor(registry, limiter);
        // @end
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse(); // rejected
        CompletableFuture<Void> waiting = limiter.acquire(); // waits for a refill
        assertThat(gauge("asyncpatterns.ratelimiter.available", "partner-api")).isZero();
        assertThat(gauge("asyncpatterns.ratelimiter.burst", "partner-api")).isEqualTo(2);
        assertThat(gauge("asyncpatterns.ratelimiter.waiters", "partner-api")).isEqualTo(1);
        assertThat(counter("asyncpatterns.ratelimiter.rejections", "partner-api"))
                .isEqualTo(1);

        clock.advance(Duration.ofMillis(500));
        assertThat(waiting).isCompleted();
        assertThat(counter("asyncpatterns.ratelimiter.waits", "partner-api")).isEqualTo(1);
        var waits = registry.get("asyncpatterns.ratelimiter.wait.duration")
                .tag("name", "partner-api")
                .functionTimer();
        assertThat(waits.count()).isEqualTo(1);
        assertThat(waits.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(500); // one token refills in 500 ms
        assertThat(gauge("asyncpatterns.ratelimiter.waiters", "partner-api")).isZero();
        limiter.close();
    }

    @Test
    void lagProbe_lagAndSamples_areMeasured() {
        var tasks = new java.util.ArrayDeque<Runnable>();
        java.util.concurrent.Executor executor = tasks::add; // runs ticks when the test says so
        // @start region=lagProbe
        LagProbe probe = LagProbe.start("cpu-pool", executor, Duration.ofMillis(100), Duration.ofMillis(50), clock);
        LagProbeMetrics.monitor(registry, probe);
        // @end
        clock.advance(Duration.ofMillis(100)); // a tick is submitted...
        clock.advance(Duration.ofMillis(30)); // ...and waits 30 ms for the executor
        tasks.poll().run();
        assertThat(counter("asyncpatterns.lag.samples", "cpu-pool")).isEqualTo(1);
        assertThat(gauge("asyncpatterns.lag.last", "cpu-pool")).isEqualTo(0.030);
        assertThat(gauge("asyncpatterns.lag.max", "cpu-pool")).isEqualTo(0.030);
        assertThat(gauge("asyncpatterns.lag.starved", "cpu-pool")).isZero();
        probe.close();
    }

    // ---------------------------------------------------------------- core.pool, core.queue

    @Test
    void asyncPool_objectsAndAcquisitions_areMeasured() {
        var made = new AtomicInteger();
        // @start region=pool
        AsyncPool<String> pool = AsyncPool.builder(
                        () -> CompletableFuture.completedFuture("conn-" + made.incrementAndGet()))
                .name("conns")
                .maxSize(2)
                .timeSource(clock)
                .build();
        AsyncPoolMetrics.monitor(registry, pool);
        // @end
        String a = pool.acquire().join();
        String b = pool.acquire().join();
        CompletableFuture<String> third = pool.acquire(Duration.ofSeconds(1));
        assertThat(gauge("asyncpatterns.pool.size", "conns")).isEqualTo(2);
        assertThat(gauge("asyncpatterns.pool.borrowed", "conns")).isEqualTo(2);
        assertThat(gauge("asyncpatterns.pool.capacity", "conns")).isEqualTo(2);
        assertThat(gauge("asyncpatterns.pool.waiters", "conns")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(third).isCompletedExceptionally();
        pool.release(a);
        pool.invalidate(b);

        assertThat(gauge("asyncpatterns.pool.idle", "conns")).isEqualTo(1);
        assertThat(counter("asyncpatterns.pool.acquisitions", "conns")).isEqualTo(2);
        assertThat(counter("asyncpatterns.pool.creations", "conns", "result", "succeeded"))
                .isEqualTo(2);
        assertThat(counter("asyncpatterns.pool.creations", "conns", "result", "failed"))
                .isZero();
        assertThat(counter("asyncpatterns.pool.destructions", "conns")).isEqualTo(1);
        assertThat(counter("asyncpatterns.pool.timeouts", "conns")).isEqualTo(1);
        pool.shutdown().join();
    }

    @Test
    void queue_depthAndFlow_areMeasured() {
        // @start region=queue
        AsyncQueue<String> orders = AsyncQueue.<String>builder(2).name("orders").build();
        QueueMetrics.monitor(registry, orders);
        // @end
        orders.put("a");
        orders.put("b");
        CompletableFuture<Void> blocked = orders.put("c");
        assertThat(gauge("asyncpatterns.queue.depth", "orders")).isEqualTo(2);
        assertThat(gauge("asyncpatterns.queue.capacity", "orders")).isEqualTo(2);
        assertThat(gauge("asyncpatterns.queue.put.waiters", "orders")).isEqualTo(1);

        assertThat(orders.take().join()).isEqualTo("a");
        assertThat(blocked).isCompleted();
        assertThat(counter("asyncpatterns.queue.puts", "orders")).isEqualTo(3);
        assertThat(counter("asyncpatterns.queue.takes", "orders")).isEqualTo(1);
        assertThat(gauge("asyncpatterns.queue.unfinished", "orders")).isEqualTo(3);
        assertThat(gauge("asyncpatterns.queue.take.waiters", "orders")).isZero();
    }

    @Test
    void workerPool_jobsByResult_andBusyTime() {
        // @start region=workerPool
        WorkerPool<Integer, Integer> pool = WorkerPool.<Integer, Integer>builder(n -> n < 0
                        ? CompletableFuture.failedFuture(new IllegalArgumentException("negative"))
                        : CompletableFuture.completedFuture(n * 2))
                .name("resize")
                .workers(2)
                .queueCapacity(16)
                .build();
        WorkerPoolMetrics.monitor(registry, pool);
        // @end
        List<CompletableFuture<Integer>> jobs = List.of(pool.submit(1), pool.submit(2), pool.submit(-1));
        CompletableFuture.allOf(jobs.toArray(CompletableFuture[]::new))
                .exceptionally(e -> null)
                .join();
        pool.shutdown().join();

        assertThat(gauge("asyncpatterns.workerpool.workers", "resize")).isEqualTo(2);
        assertThat(gauge("asyncpatterns.workerpool.capacity", "resize")).isEqualTo(16);
        assertThat(counter("asyncpatterns.workerpool.submissions", "resize")).isEqualTo(3);
        assertThat(counter("asyncpatterns.workerpool.jobs", "resize", "result", "succeeded"))
                .isEqualTo(2);
        assertThat(counter("asyncpatterns.workerpool.jobs", "resize", "result", "failed"))
                .isEqualTo(1);
        assertThat(counter("asyncpatterns.workerpool.jobs", "resize", "result", "cancelled"))
                .isZero();
        assertThat(counter("asyncpatterns.workerpool.busy", "resize"))
                .isEqualTo(pool.stats().busyTime().toNanos() / 1e9);
        assertThat(registry.get("asyncpatterns.workerpool.busy")
                        .functionCounter()
                        .getId()
                        .getBaseUnit())
                .isEqualTo("seconds");
    }

    // ---------------------------------------------------------------- core.supervision, core.scope

    @Test
    void supervisor_restartsAndEscalation_areCounted() {
        var runs = new AtomicInteger();
        // @start region=supervisor
        var supervisor = Supervisor.builder()
                .name("ingest")
                .timeSource(clock)
                .backoff(Backoff.fixed(Duration.ofSeconds(1)))
                .maxRestarts(2, Duration.ofMinutes(1))
                .child(
                        "poller",
                        Supervisor.Restart.PERMANENT,
                        () -> CompletableFuture.failedFuture(new IOException("run " + runs.incrementAndGet())))
                .build();
        SupervisorMetrics.monitor(registry, supervisor);
        // @end
        CompletableFuture<Void> run = supervisor.start();
        assertThat(gauge("asyncpatterns.supervisor.restarting", "ingest")).isEqualTo(1);
        assertThat(gauge("asyncpatterns.supervisor.active", "ingest")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));

        assertThat(run).isCompletedExceptionally();
        assertThat(runs).hasValue(3);
        assertThat(gauge("asyncpatterns.supervisor.children", "ingest")).isEqualTo(1);
        assertThat(gauge("asyncpatterns.supervisor.active", "ingest")).isZero();
        assertThat(counter("asyncpatterns.supervisor.restarts", "ingest")).isEqualTo(2);
        assertThat(counter("asyncpatterns.supervisor.child.failures", "ingest")).isEqualTo(3);
        assertThat(counter("asyncpatterns.supervisor.escalations", "ingest")).isEqualTo(1);
    }

    @Test
    void taskScope_forksByResult() throws Exception {
        // @start region=scope
        try (var scope = TaskScope.builder()
                .name("checkout")
                .policy(TaskScope.Policy.COLLECT_ALL)
                .open()) {
            TaskScopeMetrics.monitor(registry, scope);
            // @end
            var first = new CompletableFuture<String>();
            var second = new CompletableFuture<String>();
            var failing = new CompletableFuture<String>();
            scope.forkAsync(() -> first);
            scope.forkAsync(() -> second);
            scope.forkAsync(() -> failing);
            assertThat(gauge("asyncpatterns.scope.in.flight", "checkout")).isEqualTo(3);
            failing.completeExceptionally(new IOException("down"));
            first.complete("done");
            second.complete("done too");
            scope.joinBlocking();
            assertThat(gauge("asyncpatterns.scope.in.flight", "checkout")).isZero();
            assertThat(counter("asyncpatterns.scope.forks.started", "checkout")).isEqualTo(3);
            assertThat(counter("asyncpatterns.scope.forks", "checkout", "result", "succeeded"))
                    .isEqualTo(2);
            assertThat(counter("asyncpatterns.scope.forks", "checkout", "result", "failed"))
                    .isEqualTo(1);
            assertThat(counter("asyncpatterns.scope.forks", "checkout", "result", "cancelled"))
                    .isZero();
        }
    }

    // ---------------------------------------------------------------- resilience

    @Test
    void resilience_callsAttemptsAndTimers_areMeasured() {
        var calls = new AtomicInteger();
        // @start region=resilience
        AsyncResilience<String> prices = AsyncResilience.<String>builder("prices")
                .timeSource(clock)
                .retry(Retry.of(
                        "prices",
                        RetryConfig.custom()
                                .maxAttempts(3)
                                .waitDuration(Duration.ofMillis(10))
                                .build()))
                .onEvent(ResilienceMetrics.timers(registry)) // call and attempt durations
                .build();
        ResilienceMetrics.monitor(registry, prices); // counters and gauges
        // @end
        CompletableFuture<String> call = prices.call(() -> calls.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new IOException("flaky"))
                : CompletableFuture.completedFuture("42"));
        clock.advance(Duration.ofMillis(10));

        assertThat(call).isCompletedWithValue("42");
        assertThat(counter("asyncpatterns.resilience.calls", "prices", "result", "succeeded"))
                .isEqualTo(1);
        assertThat(counter("asyncpatterns.resilience.calls", "prices", "result", "failed"))
                .isZero();
        assertThat(counter("asyncpatterns.resilience.attempts", "prices")).isEqualTo(2);
        assertThat(counter("asyncpatterns.resilience.retries", "prices")).isEqualTo(1);
        assertThat(counter("asyncpatterns.resilience.attempt.failures", "prices", "kind", "error"))
                .isEqualTo(1);
        assertThat(gauge("asyncpatterns.resilience.in.flight", "prices")).isZero();
        assertThat(registry.find("asyncpatterns.resilience.circuit.state").meters())
                .isEmpty(); // no breaker
        var callTimer = registry.get("asyncpatterns.resilience.call.duration")
                .tags("name", "prices", "result", "succeeded")
                .timer();
        assertThat(callTimer.count()).isEqualTo(1);
        assertThat(callTimer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(10);
        assertThat(registry.get("asyncpatterns.resilience.attempt.duration")
                        .tags("result", "error")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("asyncpatterns.resilience.attempt.duration")
                        .tags("result", "succeeded")
                        .timer()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void retryQueue_jobsByResult_andDeadLetters() {
        // @start region=retryQueue
        RetryQueue<String> outbox = RetryQueue.<String>builder(
                        "outbox",
                        job -> job.startsWith("poison")
                                ? CompletableFuture.failedFuture(new IOException("rejected"))
                                : CompletableFuture.completedFuture(null))
                .backoff(Backoff.fixed(Duration.ofMillis(100)).maxAttempts(3))
                .timeSource(clock)
                .build();
        RetryQueueMetrics.monitor(registry, outbox);
        // @end
        outbox.submit("mail-1").join();
        outbox.submit("poison-1").join();
        clock.advance(Duration.ofMinutes(1));

        assertThat(counter("asyncpatterns.retryqueue.submissions", "outbox")).isEqualTo(2);
        assertThat(counter("asyncpatterns.retryqueue.jobs", "outbox", "result", "succeeded"))
                .isEqualTo(1);
        assertThat(counter("asyncpatterns.retryqueue.jobs", "outbox", "result", "dead_lettered"))
                .isEqualTo(1);
        assertThat(counter("asyncpatterns.retryqueue.attempts", "outbox")).isEqualTo(4);
        assertThat(counter("asyncpatterns.retryqueue.retries", "outbox")).isEqualTo(2);
        assertThat(gauge("asyncpatterns.retryqueue.dead", "outbox")).isEqualTo(1);
        assertThat(gauge("asyncpatterns.retryqueue.pending", "outbox")).isZero();
        outbox.shutdown();
        clock.advance(Duration.ofMinutes(1));
    }

    // ---------------------------------------------------------------- cache

    @Test
    void memoizedFunction_getsByResult_loadsAndLoadDuration() {
        // @start region=cache
        MemoizedFunction<String, Integer> lengths = AsyncCaches.builder()
                .maximumSize(100)
                .name("lengths")
                .executor(Runnable::run)
                .memoize((String key) -> CompletableFuture.completedFuture(key.length()));
        MemoizedFunctionMetrics.monitor(registry, lengths);
        // @end
        lengths.apply("a").join();
        lengths.apply("a").join();
        lengths.apply("bb").join();
        lengths.apply("a").join();

        assertThat(counter("asyncpatterns.cache.gets", "lengths", "result", "hit"))
                .isEqualTo(2);
        assertThat(counter("asyncpatterns.cache.gets", "lengths", "result", "miss"))
                .isEqualTo(2);
        assertThat(counter("asyncpatterns.cache.loads", "lengths", "result", "success"))
                .isEqualTo(2);
        assertThat(gauge("asyncpatterns.cache.size", "lengths")).isEqualTo(2);
        var loadTimer = registry.get("asyncpatterns.cache.load.duration")
                .tag("name", "lengths")
                .functionTimer();
        assertThat(loadTimer.count()).isEqualTo(2);
        // the timer keeps seconds as a double: nanoseconds come back within rounding, not bit-exact
        // (256360 ns read back as 256360.00000000003), so compare to half a nanosecond
        assertThat(loadTimer.totalTime(TimeUnit.NANOSECONDS))
                .isCloseTo(lengths.stats().loadTime().toNanos(), within(0.5));
    }

    @Test
    void batchLoader_batchesAndKeys_areCounted() {
        // @start region=batchLoader
        BatchLoader<Integer, String> users = BatchLoader.<Integer, String>builder(ids ->
                        CompletableFuture.completedFuture(ids.stream()
                                .filter(id -> id != 3)
                                .collect(Collectors.toMap(id -> id, id -> "user-" + id))))
                .name("users")
                .missingKeys(BatchLoader.MissingKeys.NULL)
                .timeSource(clock)
                .build();
        BatchLoaderMetrics.monitor(registry, users);
        // @end
        var one = users.load(1);
        var two = users.load(2);
        var three = users.load(3);
        assertThat(gauge("asyncpatterns.batchloader.pending", "users")).isEqualTo(3);
        users.dispatch();

        assertThat(one).isCompletedWithValue("user-1");
        assertThat(three).isCompletedWithValue(null);
        assertThat(two).isCompleted();
        assertThat(counter("asyncpatterns.batchloader.batches", "users")).isEqualTo(1);
        assertThat(counter("asyncpatterns.batchloader.keys", "users")).isEqualTo(3);
        assertThat(counter("asyncpatterns.batchloader.keys.missing", "users")).isEqualTo(1);
        assertThat(gauge("asyncpatterns.batchloader.batch.largest", "users")).isEqualTo(3);
        assertThat(gauge("asyncpatterns.batchloader.pending", "users")).isZero();
    }

    // ---------------------------------------------------------------- pipeline

    @Test
    void pipelineRun_elementsInAndOut() {
        // @start region=pipeline
        PipelineRun<Long> run = Pipeline.range(0, 100)
                .filter(n -> n % 3 == 0)
                .count()
                .name("nightly-export")
                .executor(Runnable::run)
                .start();
        PipelineRunMetrics.monitor(registry, run);
        // @end
        assertThat(run.result().join()).isEqualTo(34);
        assertThat(counter("asyncpatterns.pipeline.elements.in", "nightly-export"))
                .isEqualTo(100);
        assertThat(counter("asyncpatterns.pipeline.elements.out", "nightly-export"))
                .isEqualTo(34);
        assertThat(counter("asyncpatterns.pipeline.failures", "nightly-export")).isZero();
        assertThat(gauge("asyncpatterns.pipeline.done", "nightly-export")).isEqualTo(1);
        assertThat(gauge("asyncpatterns.pipeline.depth", "nightly-export")).isZero();
    }

    // ---------------------------------------------------------------- conventions

    @Test
    void everyMeter_isDotSeparatedLowerCase_andTaggedWithTheName() {
        semaphore_waitsTimeoutsAndCancellations_areCounted();
        queue_depthAndFlow_areMeasured();
        memoizedFunction_getsByResult_loadsAndLoadDuration();
        Map<String, Set<String>> names = new HashMap<>();
        registry.getMeters()
                .forEach(m -> names.computeIfAbsent(m.getId().getName(), k -> new java.util.TreeSet<>())
                        .add(m.getId().getTag("name")));
        assertThat(names).isNotEmpty();
        assertThat(names.keySet()).allMatch(n -> n.matches("asyncpatterns(\\.[a-z]+)+"));
        assertThat(names.values()).allSatisfy(tagged -> assertThat(tagged).doesNotContainNull());
    }

    @Test
    void timeout_isCountedAsTimedOut_notCancelled() {
        var semaphore = AsyncSemaphore.builder(0).name("t").timeSource(clock).build();
        SemaphoreMetrics.monitor(registry, semaphore);
        var waiting = semaphore.acquire(Duration.ofMillis(5));
        clock.advance(Duration.ofMillis(5));
        assertThat(waiting).failsWithin(Duration.ZERO).withThrowableThat().withCauseInstanceOf(TimeoutException.class);
        assertThat(counter("asyncpatterns.semaphore.timeouts", "t")).isEqualTo(1);
        assertThat(counter("asyncpatterns.semaphore.cancellations", "t")).isZero();
    }
}
