package dev.asyncpatterns.examples;

import dev.asyncpatterns.console.ResilienceViews;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.postgres.JobCodec;
import dev.asyncpatterns.postgres.PostgresJobStore;
import dev.asyncpatterns.resilience.JobRecord;
import dev.asyncpatterns.resilience.RetryQueue;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.PrintStream;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Example 14, the capstone scaled out: a distributed task system on PostgreSQL.
 * <ul>
 *   <li>the <b>coordinator</b> (this process) submits typed jobs, e-mails, image resizes and
 *       reports, with <b>priorities</b>, into a {@link PostgresJobStore};</li>
 *   <li>three <b>worker processes</b> (separate JVMs, {@link DistributedTasksWorker}) each run a
 *       {@code RetryQueue} on the same table: they claim jobs with {@code FOR UPDATE SKIP
 *       LOCKED}, retry failures with backoff, time out slow attempts, and dead-letter what
 *       keeps failing;</li>
 *   <li>mid-run the coordinator <b>kills one worker with SIGKILL</b>: the jobs it held come back
 *       when their leases expire and finish on the survivors;</li>
 *   <li>the final <b>ledger</b>: submitted = succeeded + dead, none lost, and every job in flight
 *       at the kill ran again on a survivor (delivery is at least once: on a busy machine a job
 *       whose lease or timeout ran out on a survivor may run twice too).</li>
 * </ul>
 * Runs on an embedded PostgreSQL by default (real binaries from Maven, no install); pass
 * {@code --jdbc-url jdbc:postgresql://host/db?user=...&password=...} to use a server of yours.
 *
 * <p>asyncio: what Celery/arq/RQ workers do for asyncio programs, with PostgreSQL as the broker.
 */
final class DistributedTasks implements Example {

    static final int WORKERS = 3;
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(800);

    @Override
    public String name() {
        return "distributed-tasks";
    }

    @Override
    public String description() {
        return "capstone scaled out: typed jobs in PostgreSQL, 3 worker JVMs, one SIGKILLed, nothing lost";
    }

    // ---- the jobs (shared with the workers) ---------------------------------------------------

    /** What a job does. Stored as one line of text: {@code kind|argument|id}. */
    sealed interface Task permits SendEmail, ResizeImage, BuildReport {
        String id();

        int priority();
    }

    /** Priority 10. To a {@code bounce@} address it fails for good (not retried). */
    record SendEmail(String id, String to) implements Task {
        public int priority() {
            return 10;
        }
    }

    /** Priority 5. Takes {@code millis}; beyond the attempt timeout it times out on every attempt. */
    record ResizeImage(String id, int millis) implements Task {
        public int priority() {
            return 5;
        }
    }

    /** Priority 0. Its first attempt fails (the warehouse is cold), the retry succeeds. */
    record BuildReport(String id, String title) implements Task {
        public int priority() {
            return 0;
        }
    }

    static final JobCodec<Task> CODEC = JobCodec.text(DistributedTasks::write, DistributedTasks::read);

    static String write(Task task) {
        return switch (task) {
            case SendEmail e -> "email|" + e.to() + "|" + e.id();
            case ResizeImage r -> "resize|" + r.millis() + "|" + r.id();
            case BuildReport b -> "report|" + b.title() + "|" + b.id();
        };
    }

    static Task read(String text) {
        String[] parts = text.split("\\|", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a task: " + text);
        }
        return switch (parts[0]) {
            case "email" -> new SendEmail(parts[2], parts[1]);
            case "resize" -> new ResizeImage(parts[2], Integer.parseInt(parts[1]));
            case "report" -> new BuildReport(parts[2], parts[1]);
            default -> throw new IllegalArgumentException("unknown task kind: " + parts[0]);
        };
    }

    static List<Task> jobs(int count) {
        List<Task> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = String.format("t%03d", i);
            jobs.add(
                    switch (i % 3) {
                        case 0 -> new SendEmail(id, i % 27 == 0 ? "bounce@example.com" : "user" + i + "@example.com");
                        case 1 -> new ResizeImage(id, i % 25 == 1 ? 5_000 : 100 + (i * 37) % 200);
                        default -> new BuildReport(id, "report-" + i);
                    });
        }
        return jobs;
    }

    // ---- the coordinator ----------------------------------------------------------------------

    /** The jobs worker-2 holds a lease on (format: select list, table). */
    private static final String HELD_BY_VICTIM =
            "SELECT %1$s FROM %2$s WHERE state = 'IN_FLIGHT' AND owner LIKE 'worker-2@%%'";

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.io.zonky", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.dev.asyncpatterns", "warn");
        Optional<String> givenUrl = Launcher.option("--jdbc-url");
        int count = fast ? 60 : 150;
        String table = "demo_tasks_" + ProcessHandle.current().pid();
        EmbeddedPostgres embedded = null;
        try {
            String url;
            if (givenUrl.isPresent()) {
                url = givenUrl.get();
                out.println("PostgreSQL: " + url.replaceAll("password=[^&]*", "password=***"));
            } else {
                embedded = EmbeddedPostgres.builder().start();
                url = embedded.getJdbcUrl("postgres", "postgres");
                out.println("PostgreSQL: embedded server on port " + embedded.getPort()
                        + " (pass --jdbc-url to use yours)");
            }
            runOn(url, table, count, out);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** A DataSource without a pool for a JDBC URL (the example needs none): pgjdbc's own. */
    static DataSource dataSource(String url) {
        var dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        return dataSource;
    }

    private void runOn(String url, String table, int count, PrintStream out) throws Exception {
        var dataSource = dataSource(url);
        try (var store =
                        PostgresJobStore.builder(dataSource, CODEC).table(table).build();
                Connection db = DriverManager.getConnection(url)) {
            store.migrate().toCompletableFuture().join();
            execute(
                    db,
                    "CREATE TABLE " + table + "_runs (job text NOT NULL, worker text NOT NULL, "
                            + "started_at timestamptz NOT NULL DEFAULT clock_timestamp(), result text)");
            execute(
                    db,
                    "CREATE TABLE " + table + "_outcomes (job text NOT NULL, worker text NOT NULL, "
                            + "outcome text NOT NULL)");
            try {
                coordinate(store, db, url, table, count, out);
            } finally {
                for (String t : List.of(
                        table + "_runs",
                        table + "_outcomes",
                        table + "_held",
                        table + "_attempts",
                        table,
                        table + "_schema")) {
                    execute(db, "DROP TABLE IF EXISTS " + t);
                }
                execute(db, "DROP SEQUENCE IF EXISTS " + table + "_lease_seq");
            }
        }
    }

    private void coordinate(
            PostgresJobStore<Task> store, Connection db, String url, String table, int count, PrintStream out)
            throws Exception {
        List<Task> jobs = jobs(count);
        for (Task job : jobs) {
            store.add(job, job.priority(), 10_000).toCompletableFuture().join();
        }
        Map<String, Long> kinds = jobs.stream()
                .collect(Collectors.groupingBy(
                        j -> j.getClass().getSimpleName(), LinkedHashMap::new, Collectors.counting()));
        out.printf("coordinator: submitted %d jobs into table %s: %s%n", count, table, kinds);
        out.printf(
                "workers: %d JVMs, 4 attempts at once each, 3 attempts per job (backoff from 100 ms), "
                        + "%d ms timeout per attempt, lease %d s%n",
                WORKERS, ATTEMPT_TIMEOUT.toMillis(), LEASE.toSeconds());

        long start = System.nanoTime();
        List<Process> workers = new ArrayList<>();
        try {
            for (int w = 1; w <= WORKERS; w++) {
                workers.add(startWorker(url, table, "worker-" + w));
            }
            Process victim = workers.get(1);
            // let the work get going, then kill worker-2 while it holds jobs
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (queryLong(db, "SELECT count(*) FROM " + table + "_outcomes") < count / 3
                    || queryLong(db, HELD_BY_VICTIM.formatted("count(*)", table)) < 2
                    || queryLong(
                                    db,
                                    "SELECT count(*) FROM " + table + "_runs WHERE worker = 'worker-2' "
                                            + "AND result IS NULL")
                            < 2) {
                check(System.nanoTime() < deadline, "the workers made no progress in 60 s");
                TimeSource.system().delay(Duration.ofMillis(5)).join();
            }
            victim.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no goodbye to the database
            victim.waitFor(10, TimeUnit.SECONDS);
            execute(
                    db,
                    "CREATE TABLE " + table + "_held AS "
                            + HELD_BY_VICTIM.formatted(
                                    "split_part(convert_from(payload, 'UTF8'), '|', 3) AS job, clock_timestamp() AS killed_at",
                                    table));
            long finished = queryLong(db, "SELECT count(*) FROM " + table + "_outcomes");
            out.printf(
                    "killed worker-2 (pid %d) with SIGKILL %.1f s in, after %d jobs had finished; it held %d jobs "
                            + "(exit code %d)%n",
                    victim.pid(),
                    (System.nanoTime() - start) / 1e9,
                    finished,
                    queryLong(db, "SELECT count(*) FROM " + table + "_held"),
                    victim.exitValue());

            while (store.refreshCounts().toCompletableFuture().join().live() > 0) {
                check(System.nanoTime() < deadline, "jobs still live after 60 s");
                TimeSource.system().delay(Duration.ofMillis(20)).join();
            }
            out.printf("all jobs settled %.1f s after the workers started%n", (System.nanoTime() - start) / 1e9);
            // the survivors write a run's result and a job's outcome to the ledger on threads of
            // their own, after the store has the job settled: let those writes land before the
            // workers are stopped (bounded: a job really lost never shows up, and the ledger says so)
            long ledgerDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!ledgerComplete(store, db, table, count) && System.nanoTime() < ledgerDeadline) {
                TimeSource.system().delay(Duration.ofMillis(20)).join();
            }
        } finally {
            for (Process p : workers) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        report(store, db, table, count, out);
    }

    private static void report(PostgresJobStore<Task> store, Connection db, String table, int count, PrintStream out)
            throws SQLException, java.io.IOException {
        out.println("worker    runs  succeeded  dead  cut off");
        for (int w = 1; w <= WORKERS; w++) {
            String worker = "worker-" + w;
            out.printf(
                    "%-8s %5d  %9d  %4d  %d%n",
                    worker,
                    queryLong(db, "SELECT count(*) FROM " + table + "_runs WHERE worker = '" + worker + "'"),
                    queryLong(
                            db,
                            "SELECT count(*) FROM " + table + "_outcomes WHERE worker = '" + worker
                                    + "' AND outcome = 'succeeded'"),
                    queryLong(
                            db,
                            "SELECT count(*) FROM " + table + "_outcomes WHERE worker = '" + worker
                                    + "' AND outcome = 'dead'"),
                    queryLong(
                            db,
                            "SELECT count(*) FROM " + table + "_runs WHERE worker = '" + worker
                                    + "' AND result IS NULL"));
        }
        // a job succeeded if its handler finished ok or the queue recorded its success (either may be
        // missing if a worker died between the two)
        long succeeded = succeeded(db, table);
        List<JobRecord<Task>> dead = store.deadLetters().toCompletableFuture().join();
        long held = queryLong(db, "SELECT count(*) FROM " + table + "_held");
        long heldRanAgain = queryLong(
                db,
                "SELECT count(DISTINCT h.job) FROM " + table + "_held h JOIN " + table
                        + "_runs r ON r.job = h.job AND r.worker <> 'worker-2' AND r.started_at > h.killed_at");
        // a job ran twice if a run followed one that did not fail (it was cut off, or its result was lost)
        long twice = queryLong(
                db,
                "SELECT count(DISTINCT r.job) FROM " + table + "_runs r JOIN " + table
                        + "_runs later ON later.job = r.job AND later.started_at > r.started_at "
                        + "WHERE r.result IS DISTINCT FROM 'failed'");
        long retried = queryLong(db, "SELECT count(DISTINCT job) FROM " + table + "_runs WHERE result = 'failed'");
        for (JobRecord<Task> letter : dead) {
            long expired = letter.history().stream()
                    .filter(a -> a.failure() instanceof dev.asyncpatterns.resilience.LeaseExpiredException)
                    .count();
            out.printf(
                    "dead letter %s %s after %d attempts%s: %s%n",
                    letter.job().id(),
                    write(letter.job()).split("\\|")[0],
                    letter.history().size(),
                    expired == 0 ? "" : " (" + expired + " lost with an expired lease)",
                    letter.history().getLast().failure());
        }
        out.printf(
                "ledger: submitted %d = succeeded %d + dead %d; lost %d%n",
                count, succeeded, dead.size(), count - succeeded - dead.size());
        out.printf(
                "held by worker-2 at the kill: %d, finished on the survivors: %d; jobs run twice: %d; "
                        + "retried after a failure: %d%n",
                held, heldRanAgain, twice, retried);
        if (ConsoleOption.requested()) {
            // the coordinator joins as a queue on the same table: the console shows its figures and
            // the dead letters of every worker; a replayed job runs here (a no-op that succeeds)
            RetryQueue<Task> coordinator = RetryQueue.<Task>builder(
                            "distributed-tasks", task -> java.util.concurrent.CompletableFuture.completedFuture(null))
                    .store(store)
                    .owner("coordinator@" + ProcessHandle.current().pid())
                    .lease(LEASE)
                    .build();
            try {
                ConsoleOption.serveUntilEnter(
                        out,
                        console -> console.panel(ResilienceViews.retryQueue(coordinator))
                                .deadLetters(ResilienceViews.deadLetters(coordinator, DistributedTasks::write)));
            } finally {
                coordinator.shutdownNow().join();
            }
        }
    }

    // ---- plumbing -----------------------------------------------------------------------------

    private static Process startWorker(String url, String table, String name) throws Exception {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        return new ProcessBuilder(
                        java,
                        "-XX:TieredStopAtLevel=1",
                        "-Xmx256m",
                        "-cp",
                        classPath(),
                        DistributedTasksWorker.class.getName(),
                        url,
                        table,
                        name)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** This program's class path, also when it runs inside Maven (exec:java) rather than from a jar. */
    private static String classPath() {
        if (DistributedTasks.class.getClassLoader() instanceof URLClassLoader loader) {
            return Stream.of(loader.getURLs())
                    .map(u -> {
                        try {
                            return new File(u.toURI()).getPath();
                        } catch (Exception e) {
                            return u.getPath();
                        }
                    })
                    .collect(Collectors.joining(File.pathSeparator));
        }
        return System.getProperty("java.class.path");
    }

    /** Whether every survivor's run has its result in the ledger and every job succeeded or is dead. */
    private static boolean ledgerComplete(PostgresJobStore<Task> store, Connection db, String table, int count)
            throws SQLException {
        long unfinished =
                queryLong(db, "SELECT count(*) FROM " + table + "_runs WHERE worker <> 'worker-2' AND result IS NULL");
        long dead = store.deadLetters().toCompletableFuture().join().size();
        return unfinished == 0 && succeeded(db, table) + dead >= count;
    }

    /** Jobs the ledger has as succeeded: their handler finished ok, or the queue recorded success. */
    private static long succeeded(Connection db, String table) throws SQLException {
        return queryLong(
                db,
                "SELECT count(*) FROM (SELECT job FROM " + table + "_runs WHERE result = 'ok' "
                        + "UNION SELECT job FROM " + table + "_outcomes WHERE outcome = 'succeeded') t");
    }

    static void execute(Connection db, String sql) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute(sql);
        }
    }

    static long queryLong(Connection db, String sql) throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
