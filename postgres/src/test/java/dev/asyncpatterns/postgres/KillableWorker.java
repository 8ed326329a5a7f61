package dev.asyncpatterns.postgres;

import dev.asyncpatterns.resilience.RetryQueue;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A worker process for {@link PostgresFaultsTest}: runs a {@link RetryQueue} on the given table
 * whose handler records each start in {@code <table>_runs} and then never finishes, until the
 * test kills the process with SIGKILL.
 *
 * <p>Arguments: JDBC URL, table, lease in milliseconds, concurrency.
 */
public final class KillableWorker {

    private KillableWorker() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String table = args[1];
        Duration lease = Duration.ofMillis(Long.parseLong(args[2]));
        int concurrency = Integer.parseInt(args[3]);
        Connection runs = DriverManager.getConnection(url);
        runs.setAutoCommit(true);
        var store = PostgresJobStore.builder(new UrlDataSource(url), JobCodec.text())
                .table(table)
                .pollInterval(Duration.ofMillis(100))
                .build();
        RetryQueue.<String>builder("doomed", job -> {
                    synchronized (runs) {
                        try (PreparedStatement s = runs.prepareStatement(
                                "INSERT INTO " + table + "_runs (job, worker) VALUES (?, 'doomed')")) {
                            s.setString(1, job);
                            s.executeUpdate();
                        } catch (Exception e) {
                            return CompletableFuture.failedFuture(e);
                        }
                    }
                    return new CompletableFuture<Void>(); // still running when the process is killed
                })
                .store(store)
                .owner("doomed-" + ProcessHandle.current().pid())
                .lease(lease)
                .concurrency(concurrency)
                .build();
        System.out.println("worker started");
        Thread.currentThread().join(); // until killed
    }
}
