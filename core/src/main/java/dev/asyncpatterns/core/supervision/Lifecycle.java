package dev.asyncpatterns.core.supervision;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.Stages;
import dev.asyncpatterns.core.pool.WorkerPool;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * Registration appends to a list under a lock; shutdown() flips the state once (later calls get
 * the same future) and takes a snapshot. The shutdown sequence is an asynchronous chain, so it
 * never blocks the caller and runs deterministically on a virtual clock:
 *
 *   drain phase: for each participant in REVERSE registration order (the last registered, usually
 *   the entry point, stops intake first): call drain(), wait for its stage or the shared grace
 *   deadline (one TimeSource timer for the whole phase). Once the deadline has passed, the
 *   participant being waited for and every later one are drained (to stop intake) and aborted at
 *   once.
 *   close phase: close() each participant in reverse registration order.
 *
 * Every exception (drain stage failed, drain/abort/close threw) is recorded in the report and
 * the sequence continues. User callbacks run with no lock held, on whichever thread moves the
 * chain along (the caller of shutdown, the thread completing a drain stage, or the timer).
 */
/**
 * Graceful shutdown for an application's asynchronous parts: register resources and background
 * work in start order; {@link #shutdown(Duration)} stops intake and drains in reverse order,
 * aborts what is still running when the grace period ends, then closes everything in reverse
 * order, logging progress and reporting every failure without stopping at the first.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.LifecycleSnippets region=lifecycle}
 *
 * <p>Thread-safe. {@link #shutdown} never blocks; callbacks ({@link Participant} methods) run on
 * the thread that moves the sequence along and should not block for long.
 *
 * @since 0.1.0
 */
public final class Lifecycle {

    /**
     * Something the lifecycle shuts down. Only {@link #drain()} is required.
     */
    public interface Participant {
        /**
         * Stops taking new work and returns a stage that completes once the work already
         * accepted is finished.
         *
         * @return the drain's completion
         */
        CompletionStage<?> drain();

        /**
         * Cancels what is still running; called if {@link #drain()} did not finish within the
         * grace period. Default: nothing.
         */
        default void abort() {}

        /**
         * Releases resources; called after every participant drained or was aborted, in reverse
         * registration order. Default: nothing.
         *
         * @throws Exception if closing failed (recorded, the shutdown goes on)
         */
        default void close() throws Exception {}
    }

    /**
     * One failure during shutdown.
     *
     * @param participant the participant's name
     * @param phase {@code "drain"}, {@code "abort"} or {@code "close"}
     * @param error what went wrong
     */
    public record Failure(String participant, String phase, Throwable error) {}

    /**
     * What a shutdown did.
     *
     * @param elapsed how long it took, on the lifecycle's time source
     * @param drained participants that drained within the grace period, in drain order
     * @param aborted participants aborted after the grace period, in drain order
     * @param failures every failure, in the order they happened
     */
    public record Report(Duration elapsed, List<String> drained, List<String> aborted, List<Failure> failures) {
        /**
         * Whether everything drained in time and nothing failed.
         *
         * @return {@code true} for a clean shutdown
         */
        public boolean clean() {
            return aborted.isEmpty() && failures.isEmpty();
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private final String name;
    private final TimeSource time;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final List<Entry> entries = new ArrayList<>();

    @GuardedBy("lock")
    private @Nullable CompletableFuture<Report> shutdown;

    private Lifecycle(String name, TimeSource time) {
        this.name = name;
        this.time = time;
    }

    /**
     * A lifecycle on the system clock.
     *
     * @return a new lifecycle with nothing registered
     */
    public static Lifecycle create() {
        return new Lifecycle("lifecycle", TimeSource.system());
    }

    /**
     * A named lifecycle on the given clock.
     *
     * @param name the name used in logs
     * @param timeSource the clock for the grace period and the report
     * @return a new lifecycle with nothing registered
     * @throws NullPointerException if an argument is null
     */
    public static Lifecycle create(String name, TimeSource timeSource) {
        return new Lifecycle(Objects.requireNonNull(name, "name"), Objects.requireNonNull(timeSource, "timeSource"));
    }

    // ---------------------------------------------------------------- registering

    /**
     * Registers a participant.
     *
     * @param name its name in logs and the report
     * @param participant what to drain, abort and close
     * @return this lifecycle
     * @throws NullPointerException if an argument is null
     * @throws ClosedException if shutdown has begun
     */
    public Lifecycle register(String name, Participant participant) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(participant, "participant");
        lock.lock();
        try {
            if (shutdown != null) {
                throw new ClosedException(
                        "Lifecycle[" + this.name + "] is shutting down: register(" + name + ") refused");
            }
            entries.add(new Entry(name, participant));
        } finally {
            lock.unlock();
        }
        return this;
    }

    /**
     * Registers a resource that only needs closing.
     *
     * @param name its name
     * @param resource closed in the close phase
     * @return this lifecycle
     * @throws NullPointerException if an argument is null
     * @throws ClosedException if shutdown has begun
     */
    public Lifecycle registerResource(String name, AutoCloseable resource) {
        Objects.requireNonNull(resource, "resource");
        return register(name, new Participant() {
            @Override
            public CompletionStage<?> drain() {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close() throws Exception {
                resource.close();
            }
        });
    }

    /**
     * Registers background work: drained when {@code work} completes, cancelled (with interrupt)
     * if it has not by the end of the grace period.
     *
     * @param name its name
     * @param work the background work's future
     * @return this lifecycle
     * @throws NullPointerException if an argument is null
     * @throws ClosedException if shutdown has begun
     */
    public Lifecycle registerWork(String name, CompletionStage<?> work) {
        Objects.requireNonNull(work, "work");
        CompletableFuture<?> future = Stages.toFuture(work);
        return register(name, new Participant() {
            @Override
            public CompletionStage<?> drain() {
                return future.handle((r, e) -> null);
            }

            @Override
            public void abort() {
                future.cancel(true);
            }
        });
    }

    /**
     * Registers a worker pool: drain is {@link WorkerPool#shutdown()} (queued jobs finish), abort
     * is {@link WorkerPool#shutdownNow()}.
     *
     * @param name its name
     * @param pool the pool
     * @return this lifecycle
     * @throws NullPointerException if an argument is null
     * @throws ClosedException if shutdown has begun
     */
    public Lifecycle registerPool(String name, WorkerPool<?, ?> pool) {
        Objects.requireNonNull(pool, "pool");
        return register(name, new Participant() {
            @Override
            public CompletionStage<?> drain() {
                return pool.shutdown();
            }

            @Override
            public void abort() {
                pool.shutdownNow().thenAccept(unstarted -> {
                    if (!unstarted.isEmpty()) {
                        LOG.warn(
                                "Lifecycle[{}]: pool {} aborted with {} unstarted jobs",
                                Lifecycle.this.name,
                                name,
                                unstarted.size());
                    }
                });
            }
        });
    }

    /**
     * Registers a queue: drain is {@link AsyncQueue#close()} followed by waiting for
     * {@link AsyncQueue#join()} (every taken item reported done); abort is
     * {@link AsyncQueue#closeExceptionally} (what is left is discarded and logged).
     *
     * @param name its name
     * @param queue the queue
     * @return this lifecycle
     * @throws NullPointerException if an argument is null
     * @throws ClosedException if shutdown has begun
     */
    public Lifecycle registerQueue(String name, AsyncQueue<?> queue) {
        Objects.requireNonNull(queue, "queue");
        return register(name, new Participant() {
            @Override
            public CompletionStage<?> drain() {
                queue.close();
                return queue.join();
            }

            @Override
            public void abort() {
                List<?> left = queue.closeExceptionally(
                        new ClosedException("Lifecycle[" + Lifecycle.this.name + "] aborted " + name));
                if (!left.isEmpty()) {
                    LOG.warn(
                            "Lifecycle[{}]: queue {} aborted with {} items left",
                            Lifecycle.this.name,
                            name,
                            left.size());
                }
            }
        });
    }

    /**
     * Registers a supervisor: drain is {@link Supervisor#shutdown()}.
     *
     * @param name its name
     * @param supervisor the supervisor
     * @return this lifecycle
     * @throws NullPointerException if an argument is null
     * @throws ClosedException if shutdown has begun
     */
    public Lifecycle registerSupervisor(String name, Supervisor supervisor) {
        Objects.requireNonNull(supervisor, "supervisor");
        return register(name, supervisor::shutdown);
    }

    // ---------------------------------------------------------------- shutting down

    /**
     * Shuts everything down: drains participants in reverse registration order within
     * {@code grace} (shared by all), aborts those still draining when it ends, then closes all in
     * reverse registration order. Later calls return the same future (their grace is ignored).
     *
     * <p>The returned future completes with a {@link Report} listing every failure; it does not
     * fail because a participant did. Never blocks.
     *
     * @param grace how long draining may take in total; zero aborts whatever is not already done
     * @return the shutdown's report
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public CompletableFuture<Report> shutdown(Duration grace) {
        Durations.requireNonNegative(grace, "grace");
        List<Entry> snapshot;
        CompletableFuture<Report> result;
        lock.lock();
        try {
            if (shutdown != null) {
                return shutdown;
            }
            result = new CompletableFuture<>();
            shutdown = result;
            snapshot = List.copyOf(entries);
        } finally {
            lock.unlock();
        }
        new Run(snapshot, grace, result).begin();
        return result;
    }

    /**
     * Whether {@link #shutdown} has been called.
     *
     * @return {@code true} once shutdown has begun
     */
    public boolean isShuttingDown() {
        lock.lock();
        try {
            return shutdown != null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Installs a JVM shutdown hook (SIGTERM, Ctrl-C, {@code System.exit}) that runs
     * {@link #shutdown(Duration) shutdown(grace)} and waits for it, at most {@code grace} plus
     * five seconds on the lifecycle's time source, so a hanging close cannot hold the JVM forever.
     *
     * @param grace the grace period for the hook's shutdown
     * @return a handle that uninstalls the hook ({@code false} if the JVM is already shutting
     *     down or it was removed before)
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public Cancellable installShutdownHook(Duration grace) {
        Durations.requireNonNegative(grace, "grace");
        Thread hook = Thread.ofPlatform()
                .name("lifecycle-shutdown-hook-" + name)
                .inheritInheritableThreadLocals(false)
                .unstarted(() -> {
                    CompletableFuture<Report> report = shutdown(grace);
                    CompletableFuture<Void> backstop = time.delay(grace.plusSeconds(5));
                    try {
                        CompletableFuture.anyOf(report, backstop).get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (ExecutionException impossible) {
                        LOG.error("Lifecycle[{}]: shutdown hook failed", name, impossible);
                    } finally {
                        backstop.cancel(false);
                    }
                    if (!report.isDone()) {
                        LOG.error(
                                "Lifecycle[{}]: shutdown did not finish in {} ms + 5 s; JVM exits anyway",
                                name,
                                grace.toMillis());
                    }
                });
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            try {
                return Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                return false;
            }
        };
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "Lifecycle[" + name + ", participants=" + entries.size()
                    + (shutdown != null ? ", shutting down" : "") + "]";
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the sequence

    private record Entry(String name, Participant participant) {}

    /** One shutdown run: an asynchronous walk over the snapshot. */
    private final class Run {
        private final List<Entry> order; // drain/close order: reverse registration
        private final long graceNanos;
        private final CompletableFuture<Report> result;
        private final long start = time.nanoTime();
        private final CompletableFuture<Void> deadline = new CompletableFuture<>();
        private final List<String> drained = new ArrayList<>();
        private final List<String> aborted = new ArrayList<>();
        private final List<Failure> failures = new ArrayList<>();

        @SuppressWarnings("NullAway.Init") // armed first thing in begin(), before the drain that ends in closeAll()
        private Cancellable timer;

        Run(List<Entry> snapshot, Duration grace, CompletableFuture<Report> result) {
            List<Entry> reversed = new ArrayList<>(snapshot);
            java.util.Collections.reverse(reversed);
            this.order = reversed;
            this.graceNanos = Durations.toNanosSaturated(grace);
            this.result = result;
        }

        void begin() {
            LOG.debug(
                    "Lifecycle[{}]: shutting down {} participants, grace {} ms",
                    name,
                    order.size(),
                    Duration.ofNanos(graceNanos).toMillis());
            timer = time.schedule(Duration.ofNanos(graceNanos), () -> deadline.complete(null));
            drainFrom(0);
        }

        /** Drains order[i..]; each step continues from the completion of the previous drain. */
        private void drainFrom(int first) {
            for (int i = first; i < order.size(); i++) {
                Entry entry = order.get(i);
                if (deadline.isDone()) {
                    abortFrom(i);
                    return;
                }
                LOG.debug("Lifecycle[{}]: draining {}", name, entry.name);
                CompletableFuture<?> stage;
                try {
                    CompletionStage<?> returned = entry.participant.drain();
                    stage = returned == null ? CompletableFuture.completedFuture(null) : returned.toCompletableFuture();
                } catch (RuntimeException | Error e) {
                    failures.add(new Failure(entry.name, "drain", e));
                    continue;
                }
                if (stage.isDone()) {
                    recordDrain(entry, stage);
                    continue;
                }
                int index = i;
                CompletableFuture.anyOf(stage, deadline).whenComplete((ignored, failure) -> {
                    if (stage.isDone()) {
                        recordDrain(entry, stage);
                        drainFrom(index + 1);
                    } else {
                        abortFrom(index);
                    }
                });
                return;
            }
            closeAll();
        }

        private void recordDrain(Entry entry, CompletableFuture<?> stage) {
            if (stage.isCompletedExceptionally()) {
                failures.add(new Failure(entry.name, "drain", causeOf(stage)));
            } else {
                drained.add(entry.name);
            }
        }

        /** Grace is over: order[first] is still draining; the rest must stop intake and abort. */
        private void abortFrom(int first) {
            LOG.warn("Lifecycle[{}]: grace period over, aborting {} participants", name, order.size() - first);
            for (int i = first; i < order.size(); i++) {
                Entry entry = order.get(i);
                if (i > first) {
                    try {
                        entry.participant.drain(); // stop intake; no time left to wait
                    } catch (RuntimeException | Error e) {
                        failures.add(new Failure(entry.name, "drain", e));
                    }
                }
                try {
                    entry.participant.abort();
                    aborted.add(entry.name);
                } catch (RuntimeException | Error e) {
                    failures.add(new Failure(entry.name, "abort", e));
                }
            }
            closeAll();
        }

        private void closeAll() {
            timer.cancel();
            for (Entry entry : order) {
                try {
                    entry.participant.close();
                } catch (Exception | Error e) {
                    failures.add(new Failure(entry.name, "close", e));
                    LOG.warn("Lifecycle[{}]: closing {} failed", name, entry.name, e);
                }
            }
            Duration elapsed = Duration.ofNanos(time.nanoTime() - start);
            LOG.debug(
                    "Lifecycle[{}]: shut down in {} ms: {} drained, {} aborted, {} failures",
                    name,
                    elapsed.toMillis(),
                    drained.size(),
                    aborted.size(),
                    failures.size());
            result.complete(new Report(elapsed, List.copyOf(drained), List.copyOf(aborted), List.copyOf(failures)));
        }

        private Throwable causeOf(CompletableFuture<?> failed) {
            try {
                failed.join();
                return new IllegalStateException("not failed");
            } catch (CompletionException e) {
                return e.getCause() == null ? e : e.getCause();
            } catch (java.util.concurrent.CancellationException e) {
                return e;
            }
        }
    }
}
