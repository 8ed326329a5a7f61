package dev.asyncpatterns.benchmarks.postgres;

import dev.asyncpatterns.resilience.JobStore;
import dev.asyncpatterns.resilience.RetryQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Jobs per second through {@code RetryQueue}s end to end with a no-op handler: each invocation
 * submits {@value #JOBS} jobs (concurrently, as many producers would) and returns when the
 * workers have run them all and the store recorded every success. Score = jobs/s.
 *
 * <ul>
 *   <li>{@code store}: {@code IN_MEMORY} (one {@code InMemoryJobStore} shared by the worker
 *       queues: the floor) or {@code POSTGRES} ({@code PostgresJobStore} on a local server);
 *   <li>{@code batch}: the most jobs one claim takes (the queue's concurrency: a queue claims as
 *       many jobs as it has free slots, with {@code FOR UPDATE SKIP LOCKED} on PostgreSQL);
 *   <li>{@code workers}: worker queues, each with its own owner id and, on PostgreSQL, its own
 *       store (its own connections and LISTEN), all in the benchmark's JVM: the same SQL traffic
 *       as worker processes, without the cost of extra JVMs in the measurement.
 * </ul>
 *
 * The bar (issue 14): at least 5,000 jobs/s on PostgreSQL on a 2-core machine.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar JobThroughputBenchmark -f 3}; add
 * {@code -jvmArgsAppend -Dasyncpatterns.postgres.url=jdbc:postgresql://...} for a running server
 * (else each trial starts an embedded one).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(3)
public class JobThroughputBenchmark {

    static final int JOBS = 1_000;

    @Param({"IN_MEMORY", "POSTGRES"})
    public JobStores.Kind store;

    @Param({"1", "16", "128"})
    public int batch;

    @Param({"1", "2", "4"})
    public int workers;

    private JobStores stores;
    private JobStore<String> producer;
    private final List<RetryQueue<String>> queues = new ArrayList<>();
    private final AtomicLong succeeded = new AtomicLong();
    private volatile long target;
    private volatile CompletableFuture<Void> reached = new CompletableFuture<>();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        stores = new JobStores(store);
        producer = stores.open();
        for (int w = 0; w < workers; w++) {
            queues.add(RetryQueue.<String>builder("worker-" + w, job -> CompletableFuture.completedFuture(null))
                    .store(stores.open())
                    .concurrency(batch)
                    .capacity(100_000)
                    .onSuccess(job -> {
                        if (succeeded.incrementAndGet() == target) {
                            reached.complete(null);
                        }
                    })
                    .build());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        for (RetryQueue<String> q : queues) {
            q.shutdownNow().get(30, TimeUnit.SECONDS);
        }
        stores.close();
    }

    @Benchmark
    @OperationsPerInvocation(JOBS)
    public long submitAndRunAll() throws Exception {
        var done = new CompletableFuture<Void>();
        reached = done;
        target = succeeded.get() + JOBS;
        var acks = new CompletableFuture<?>[JOBS];
        for (int i = 0; i < JOBS; i++) {
            acks[i] = producer.add("job-" + i, 0, 100_000).toCompletableFuture();
        }
        CompletableFuture.allOf(acks).get(60, TimeUnit.SECONDS);
        done.get(60, TimeUnit.SECONDS); // every success recorded by the store
        return succeeded.get();
    }
}
