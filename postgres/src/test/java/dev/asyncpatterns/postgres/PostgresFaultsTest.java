package dev.asyncpatterns.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.resilience.JobStoreException;
import dev.asyncpatterns.resilience.RetryQueue;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults against a real PostgreSQL: the database down at submit, connections killed mid-run, a
 * job that cannot be decoded, a worker process killed with SIGKILL. (A handler that outlives its
 * lease is in the shared contract suite, {@code PostgresJobStoreTest}.)
 */
class PostgresFaultsTest {

    private static TestDatabase db;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startDatabase() {
        db = TestDatabase.start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        db.close();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeAfter.reversed()) {
            c.close();
        }
    }

    private PostgresJobStore<String> newStore(String table) {
        var store = PostgresJobStore.builder(db.dataSource(), JobCodec.text())
                .table(table)
                .pollInterval(Duration.ofMillis(100))
                .build();
        store.migrate().toCompletableFuture().join();
        closeAfter.add(store);
        return store;
    }

    private static void await(String what, java.util.concurrent.Callable<Boolean> condition) {
        Awaitility.await(what)
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(condition);
    }

    // ---------------------------------------------------------------- database down

    @Test
    void submit_databaseDown_failsWithAClearException_andNothingIsAcknowledged() throws Exception {
        int deadPort = TestDatabase.freePort(); // nothing listens there
        var down = new UrlDataSource(
                "jdbc:postgresql://127.0.0.1:" + deadPort + "/postgres?user=postgres&connectTimeout=5");
        var store = PostgresJobStore.builder(down, JobCodec.text()).build();
        closeAfter.add(store);
        var handled = new AtomicInteger();
        var queue = RetryQueue.<String>builder("down", job -> {
                    handled.incrementAndGet();
                    return CompletableFuture.completedFuture(null);
                })
                .store(store)
                .build();

        var submitted = queue.submit("lost?");

        assertThatThrownBy(() -> submitted.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(JobStoreException.class)
                .hasMessageContaining("could not add a job")
                .hasRootCauseInstanceOf(java.net.ConnectException.class);
        assertThat(queue.stats().submitted()).isZero();
        assertThat(handled).hasValue(0);
        queue.shutdownNow();
    }

    // ---------------------------------------------------------------- connections lost

    @Test
    void connectionsKilledMidRun_queueRetriesWithBackoff_andLosesNothing() throws Exception {
        var store = newStore(TestDatabase.newTable());
        int jobs = 300;
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        var done = new AtomicInteger();
        var pool = Executors.newVirtualThreadPerTaskExecutor();
        closeAfter.add(pool);
        var queue = RetryQueue.<String>builder(
                        "survives",
                        job -> CompletableFuture.runAsync(
                                () -> {
                                    runs.computeIfAbsent(job, k -> new AtomicInteger())
                                            .incrementAndGet();
                                },
                                pool))
                .store(store)
                .lease(Duration.ofSeconds(1))
                .concurrency(8)
                .onSuccess(r -> done.incrementAndGet())
                .build();

        var acks = new ArrayList<CompletableFuture<?>>();
        int killed = 0;
        for (int i = 0; i < jobs; i++) {
            acks.add(queue.submit("job-" + i).exceptionally(e -> null));
            if (i == 100 || i == 200) {
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
                killed += db.terminateOtherBackends();
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        long acknowledged = acks.stream().filter(a -> a.join() != null).count();
        killed += db.terminateOtherBackends();
        await(
                "every acknowledged job ran and the store is empty",
                () -> runs.size() >= acknowledged
                        && store.refreshCounts().toCompletableFuture().join().live() == 0);

        long twice = runs.values().stream().filter(n -> n.get() > 1).count();
        var stats = queue.stats();
        System.out.printf(
                "pg-connection-kills jobs=%d acknowledged=%d killedBackends=%d ran=%d ranTwice=%d succeeded=%d "
                        + "storeFailures=%d lost=%d%n",
                jobs,
                acknowledged,
                killed,
                runs.size(),
                twice,
                stats.succeeded(),
                stats.storeFailures(),
                acknowledged - runs.size());
        assertThat(killed).isPositive();
        assertThat(stats.storeFailures()).as("the kills were felt").isPositive();
        assertThat(runs).hasSizeGreaterThanOrEqualTo((int) acknowledged);
        assertThat(store.refreshCounts().toCompletableFuture().join().dead()).isZero();
        queue.shutdown().get(30, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- undecodable job

    @Test
    void undecodableJob_isDeadLetteredWithTheDecodeError_andTheOthersGoOn() throws Exception {
        String table = TestDatabase.newTable();
        var store = newStore(table);
        db.execute("INSERT INTO " + table + " (state, payload) VALUES ('PENDING', decode('fffe00', 'hex'))");
        var ran = new ConcurrentHashMap<String, Boolean>();
        var queue = RetryQueue.<String>builder("decodes", job -> {
                    ran.put(job, true);
                    return CompletableFuture.completedFuture(null);
                })
                .store(store)
                .build();
        for (int i = 0; i < 5; i++) {
            queue.submit("good-" + i).join();
        }

        await("the good jobs ran", () -> ran.size() == 5);
        await(
                "the bad one is dead",
                () -> store.refreshCounts().toCompletableFuture().join().dead() == 1);
        assertThat(db.queryLong("SELECT count(*) FROM " + table + "_attempts WHERE failure_class = '"
                        + JobDecodeException.class.getName() + "' AND failure_message LIKE '%cannot be decoded%'"))
                .isEqualTo(1);
        assertThat(store.refreshCounts().toCompletableFuture().join().live()).isZero();
        assertThat(queue.deadLetters().join())
                .as("cannot be listed as a typed record")
                .isEmpty();
        long badId = db.queryLong("SELECT id FROM " + table + " WHERE state = 'DEAD'");
        assertThat(queue.purge(new dev.asyncpatterns.resilience.JobId(badId)).join())
                .isTrue();
        queue.shutdown().get(30, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- SIGKILL

    @Test
    void workerKilledWithSigkill_itsJobsFinishOnTheSurvivorAfterLeaseExpiry() throws Exception {
        String table = TestDatabase.newTable();
        var store = newStore(table);
        db.execute("CREATE TABLE " + table + "_runs (job text NOT NULL, worker text NOT NULL)");
        int jobs = 20;
        for (int i = 0; i < jobs; i++) {
            store.add("job-" + i, 0, 1000).toCompletableFuture().join();
        }
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        Process worker = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        KillableWorker.class.getName(),
                        db.url(),
                        table,
                        "1000",
                        "4")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            await(
                    "the worker holds four jobs",
                    () -> db.queryLong("SELECT count(*) FROM " + table + "_runs WHERE worker = 'doomed'") == 4);
        } catch (RuntimeException e) {
            worker.destroyForcibly();
            throw e;
        }
        Map<String, AtomicInteger> survivorRuns = new ConcurrentHashMap<>();
        var survivor = RetryQueue.<String>builder("survivor", job -> {
                    survivorRuns.computeIfAbsent(job, k -> new AtomicInteger()).incrementAndGet();
                    db.execute("INSERT INTO " + table + "_runs (job, worker) VALUES ('" + job + "', 'survivor')");
                    return CompletableFuture.completedFuture(null);
                })
                .store(store)
                .concurrency(4)
                .build();
        await("the survivor ran the jobs nobody held", () -> survivorRuns.size() == jobs - 4);

        worker.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no goodbye to the database
        assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
        await(
                "the killed worker's jobs finished on the survivor",
                () -> survivorRuns.size() == jobs
                        && store.refreshCounts().toCompletableFuture().join().live() == 0);

        long ranTwice = db.queryLong(
                "SELECT count(*) FROM (SELECT job FROM " + table + "_runs GROUP BY job HAVING count(*) > 1) t");
        long inFlightAtKill = db.queryLong("SELECT count(*) FROM " + table + "_runs WHERE worker = 'doomed'");
        long survivorTwice =
                survivorRuns.values().stream().filter(n -> n.get() > 1).count();
        System.out.printf(
                "pg-sigkill jobs=%d inFlightAtKill=%d ranTwice=%d survivorRan=%d exitCode=%d lost=%d%n",
                jobs, inFlightAtKill, ranTwice, survivorRuns.size(), worker.exitValue(), jobs - survivorRuns.size());
        assertThat(worker.exitValue()).as("killed by signal 9").isEqualTo(137);
        assertThat(ranTwice)
                .as("only the jobs in flight at the kill ran twice")
                .isEqualTo(inFlightAtKill)
                .isEqualTo(4);
        assertThat(survivorTwice).isZero();
        assertThat(db.queryLong(
                        "SELECT count(*) FROM " + table + "_attempts WHERE failure_class LIKE '%LeaseExpired%'"))
                .as("the expired leases are gone with the succeeded jobs")
                .isZero();
        survivor.shutdown().get(30, TimeUnit.SECONDS);
    }
}
