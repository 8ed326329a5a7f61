package dev.asyncpatterns.examples;

import dev.asyncpatterns.core.future.Blocking;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.examples.DistributedTasks.BuildReport;
import dev.asyncpatterns.examples.DistributedTasks.ResizeImage;
import dev.asyncpatterns.examples.DistributedTasks.SendEmail;
import dev.asyncpatterns.examples.DistributedTasks.Task;
import dev.asyncpatterns.postgres.PostgresJobStore;
import dev.asyncpatterns.resilience.JobRecord;
import dev.asyncpatterns.resilience.RetryQueue;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One worker process of the {@code distributed-tasks} example: a {@link RetryQueue} on the shared
 * PostgreSQL table, with the handlers of each task type. It records every run and every final
 * outcome in the example's ledger tables, and runs until it is killed.
 *
 * <p>Arguments: JDBC URL, table, worker name.
 */
public final class DistributedTasksWorker {

    private final Connection ledger;
    private final ReentrantLock ledgerLock = new ReentrantLock();
    private final String table;
    private final String name;

    private DistributedTasksWorker(Connection ledger, String table, String name) {
        this.ledger = ledger;
        this.table = table;
        this.name = name;
    }

    /**
     * Runs the worker until the process is stopped.
     *
     * @param args JDBC URL, table, worker name
     * @throws Exception if it cannot connect
     */
    public static void main(String[] args) throws Exception {
        String url = args[0];
        String table = args[1];
        String name = args[2];
        Connection ledger = DriverManager.getConnection(url);
        ledger.setAutoCommit(true);
        var worker = new DistributedTasksWorker(ledger, table, name);
        var store = PostgresJobStore.builder(DistributedTasks.dataSource(url), DistributedTasks.CODEC)
                .table(table)
                .connections(4)
                .pollInterval(Duration.ofMillis(200))
                .build();
        RetryQueue.<Task>builder(name, worker::handle)
                .store(store)
                .owner(name + "@" + ProcessHandle.current().pid())
                .concurrency(4)
                .lease(DistributedTasks.LEASE)
                .attemptTimeout(DistributedTasks.ATTEMPT_TIMEOUT)
                .backoff(Backoff.exponential(Duration.ofMillis(100)).maxAttempts(3))
                .retryOn(failure -> !(failure instanceof IllegalArgumentException))
                .onSuccess(job -> worker.outcome(job, "succeeded"))
                .onDeadLetter(job -> worker.outcome(job, "dead"))
                .build();
        Thread.currentThread().join(); // until the coordinator stops (or kills) this process
    }

    private CompletionStage<Void> handle(Task task) {
        CompletableFuture<Void> started =
                ledger("INSERT INTO " + table + "_runs (job, worker) VALUES (?, ?)", task.id(), name);
        CompletableFuture<Void> run = started.thenCompose(ignored -> work(task));
        // also when the queue cancels the attempt at its timeout, which may come while the insert
        // still waits for the ledger: the update waits for the insert (each statement runs on a
        // thread of its own, so an update issued first could find no row and leave it unfinished)
        run.whenComplete((ok, failure) -> started.whenComplete((inserted, notInserted) -> ledger(
                "UPDATE " + table + "_runs SET result = ? WHERE job = ? AND worker = ? " + "AND result IS NULL",
                failure == null ? "ok" : "failed",
                task.id(),
                name)));
        return run;
    }

    private CompletableFuture<Void> work(Task task) {
        TimeSource time = TimeSource.system();
        return switch (task) {
            case SendEmail e
            when e.to().startsWith("bounce@") ->
                CompletableFuture.failedFuture(new IllegalArgumentException("mailbox " + e.to() + " does not exist"));
            case SendEmail e -> time.delay(Duration.ofMillis(60));
            case ResizeImage r -> time.delay(Duration.ofMillis(r.millis())); // cancelled by the attempt timeout
            case BuildReport b ->
                earlierRuns(b.id())
                        .thenCompose(runs -> runs <= 1
                                ? CompletableFuture.<Void>failedFuture(
                                        new IOException("the warehouse is cold; try again"))
                                : time.delay(Duration.ofMillis(120)));
        };
    }

    private CompletableFuture<Long> earlierRuns(String job) {
        return Blocking.call(() -> {
            ledgerLock.lock();
            try (PreparedStatement s =
                    ledger.prepareStatement("SELECT count(*) FROM " + table + "_runs WHERE job = ?")) {
                s.setString(1, job);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            } finally {
                ledgerLock.unlock();
            }
        });
    }

    private void outcome(JobRecord<Task> job, String outcome) {
        ledger(
                        "INSERT INTO " + table + "_outcomes (job, worker, outcome) VALUES (?, ?, ?)",
                        job.job().id(),
                        name,
                        outcome)
                .join();
    }

    /** One ledger statement on a virtual thread (JDBC blocks; the queue's threads must not). */
    private CompletableFuture<Void> ledger(String sql, String... args) {
        return Blocking.run(() -> {
            ledgerLock.lock();
            try (PreparedStatement s = ledger.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    s.setString(i + 1, args[i]);
                }
                s.executeUpdate();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            } finally {
                ledgerLock.unlock();
            }
        });
    }
}
