package dev.asyncpatterns.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.testing.GcFinalization;
import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.BatchLoader;
import dev.asyncpatterns.core.pool.AsyncPool;
import dev.asyncpatterns.core.pool.WorkerPool;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.scope.TaskScope;
import dev.asyncpatterns.core.supervision.Supervisor;
import dev.asyncpatterns.core.sync.AsyncLock;
import dev.asyncpatterns.core.sync.AsyncRateLimiter;
import dev.asyncpatterns.core.sync.AsyncReadWriteLock;
import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.pipeline.Pipeline;
import dev.asyncpatterns.resilience.AsyncResilience;
import dev.asyncpatterns.resilience.RetryQueue;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Binding never keeps a component alive: after {@code bindTo}, with the binder itself still
 * referenced, the component is collected once the test drops it, and its gauges then read
 * {@code NaN} (Micrometer's convention for a collected state object).
 */
class WeakBindingTest {

    record Case(String kind, Supplier<Object> component, Function<Object, MeterBinder> binder) {
        @Override
        public String toString() {
            return kind;
        }
    }

    static Stream<Arguments> components() {
        return Stream.of(
                        new Case(
                                "semaphore",
                                () -> AsyncSemaphore.builder(1).name("gc").build(),
                                c -> new SemaphoreMetrics((AsyncSemaphore) c, Tags.empty())),
                        new Case(
                                "lock",
                                () -> AsyncLock.builder().name("gc").build(),
                                c -> new LockMetrics((AsyncLock) c, Tags.empty())),
                        new Case(
                                "rwlock",
                                () -> AsyncReadWriteLock.builder().name("gc").build(),
                                c -> new ReadWriteLockMetrics((AsyncReadWriteLock) c, Tags.empty())),
                        new Case(
                                "ratelimiter",
                                () -> AsyncRateLimiter.builder()
                                        .name("gc")
                                        .rate(1, Duration.ofSeconds(1))
                                        .build(),
                                c -> new RateLimiterMetrics((AsyncRateLimiter) c, Tags.empty())),
                        new Case(
                                "pool",
                                () -> AsyncPool.builder(() -> CompletableFuture.completedFuture("x"))
                                        .name("gc")
                                        .build(),
                                c -> new AsyncPoolMetrics((AsyncPool<?>) c, Tags.empty())),
                        new Case(
                                "queue",
                                () -> AsyncQueue.builder(4).name("gc").build(),
                                c -> new QueueMetrics((AsyncQueue<?>) c, Tags.empty())),
                        new Case(
                                "workerpool",
                                WeakBindingTest::stoppedWorkerPool,
                                c -> new WorkerPoolMetrics((WorkerPool<?, ?>) c, Tags.empty())),
                        new Case(
                                "supervisor",
                                () -> Supervisor.builder().name("gc").build(),
                                c -> new SupervisorMetrics((Supervisor) c, Tags.empty())),
                        new Case(
                                "scope",
                                WeakBindingTest::closedScope,
                                c -> new TaskScopeMetrics((TaskScope) c, Tags.empty())),
                        new Case(
                                "resilience",
                                () -> AsyncResilience.<String>builder("gc").build(),
                                c -> new ResilienceMetrics((AsyncResilience<?>) c, Tags.empty())),
                        new Case(
                                "retryqueue",
                                WeakBindingTest::stoppedRetryQueue,
                                c -> new RetryQueueMetrics((RetryQueue<?>) c, Tags.empty())),
                        new Case(
                                "cache",
                                () -> AsyncCaches.builder()
                                        .name("gc")
                                        .executor(Runnable::run)
                                        .memoize((String k) -> CompletableFuture.completedFuture(k)),
                                c -> new MemoizedFunctionMetrics(
                                        (dev.asyncpatterns.cache.MemoizedFunction<?, ?>) c, Tags.empty())),
                        new Case(
                                "batchloader",
                                () -> BatchLoader.<String, String>builder(
                                                keys -> CompletableFuture.completedFuture(Map.of()))
                                        .name("gc")
                                        .build(),
                                c -> new BatchLoaderMetrics((BatchLoader<?, ?>) c, Tags.empty())),
                        new Case(
                                "lag",
                                () -> {
                                    var probe = dev.asyncpatterns.core.time.LagProbe.start(
                                            "gc",
                                            Runnable::run,
                                            Duration.ofSeconds(1),
                                            Duration.ofSeconds(1),
                                            dev.asyncpatterns.testkit.VirtualClock.create());
                                    probe.close(); // a running probe is kept alive by its own timer
                                    return probe;
                                },
                                c -> new LagProbeMetrics((dev.asyncpatterns.core.time.LagProbe) c, Tags.empty())),
                        new Case(
                                "pipeline",
                                () -> {
                                    var run = Pipeline.range(0, 3)
                                            .count()
                                            .name("gc")
                                            .executor(Runnable::run)
                                            .start();
                                    run.result().join();
                                    return run;
                                },
                                c -> new PipelineRunMetrics(
                                        (dev.asyncpatterns.pipeline.PipelineRun<?>) c, Tags.empty())))
                .map(Arguments::of);
    }

    private static WorkerPool<String, String> stoppedWorkerPool() {
        WorkerPool<String, String> pool = WorkerPool.<String, String>builder(CompletableFuture::completedFuture)
                .name("gc")
                .workers(1)
                .build();
        pool.shutdown().join(); // running workers belong to the pool: stop them first
        return pool;
    }

    private static TaskScope closedScope() {
        try (var scope = TaskScope.builder().name("gc").open()) {
            return scope;
        }
    }

    private static RetryQueue<String> stoppedRetryQueue() {
        RetryQueue<String> queue = RetryQueue.<String>builder("gc", job -> CompletableFuture.completedFuture(null))
                .build();
        queue.shutdown().join();
        return queue;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("components")
    void bindTo_componentDropped_isCollectedAndGaugesReadNaN(Case c) {
        var registry = new SimpleMeterRegistry();
        var bound = bind(c, registry);
        assertThat(registry.getMeters()).as("meters of " + c).isNotEmpty();
        assertThat(registry.getMeters())
                .allSatisfy(m -> assertThat(m.getId().getTag("name")).isEqualTo("gc"));

        GcFinalization.awaitClear(bound.component());

        assertThat(bound.binder()).isNotNull(); // the binder was kept: it must not pin the component
        registry.getMeters().stream()
                .filter(m -> m.getId().getType() == Meter.Type.GAUGE)
                .forEach(m -> assertThat(registry.get(m.getId().getName())
                                .tags(m.getId().getTags())
                                .gauge()
                                .value())
                        .as(m.getId().toString())
                        .isNaN());
    }

    record Bound(WeakReference<Object> component, MeterBinder binder) {}

    /** Creates, binds and scrapes the component in a frame of its own, so no local keeps it. */
    private static Bound bind(Case c, SimpleMeterRegistry registry) {
        Object component = c.component().get();
        MeterBinder binder = c.binder().apply(component);
        binder.bindTo(registry);
        registry.getMeters().forEach(Meter::measure); // a scrape, while it lives
        return new Bound(new WeakReference<>(component), binder);
    }
}
