package dev.asyncpatterns.benchmarks.postgres;

import dev.asyncpatterns.postgres.JobCodec;
import dev.asyncpatterns.postgres.PostgresJobStore;
import dev.asyncpatterns.resilience.InMemoryJobStore;
import dev.asyncpatterns.resilience.JobStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The stores the job benchmarks compare, and the PostgreSQL they run on: the server named by
 * {@code -Dasyncpatterns.postgres.url=jdbc:postgresql://...} (pass it to the forks with
 * {@code -jvmArgsAppend}), else an embedded server started per trial. Every trial gets fresh
 * tables.
 */
public final class JobStores implements AutoCloseable {

    /** Which store a benchmark runs on. */
    public enum Kind {
        /** {@code InMemoryJobStore}. */
        IN_MEMORY,
        /** {@code PostgresJobStore}. */
        POSTGRES
    }

    private static final AtomicInteger TABLES = new AtomicInteger();

    private final Kind kind;
    private final EmbeddedPostgres embedded;
    private final String url;
    private final String table;
    private final InMemoryJobStore<String> shared;
    private final List<PostgresJobStore<String>> opened = new ArrayList<>();

    private final Duration pollInterval;

    JobStores(Kind kind) throws IOException {
        this(kind, Duration.ofSeconds(1));
    }

    JobStores(Kind kind, Duration pollInterval) throws IOException {
        this.kind = kind;
        this.pollInterval = pollInterval;
        if (kind == Kind.IN_MEMORY) {
            embedded = null;
            url = null;
            table = null;
            shared = new InMemoryJobStore<>();
            return;
        }
        shared = null;
        String given = System.getProperty("asyncpatterns.postgres.url");
        if (given != null && !given.isBlank()) {
            embedded = null;
            url = given;
        } else {
            System.setProperty("org.slf4j.simpleLogger.log.io.zonky", "warn");
            embedded = EmbeddedPostgres.builder().start();
            url = embedded.getJdbcUrl("postgres", "postgres");
        }
        table = "bench_" + ProcessHandle.current().pid() + "_" + TABLES.incrementAndGet();
        ((PostgresJobStore<String>) open()).migrate().toCompletableFuture().join();
    }

    /**
     * A store for one worker (one coordinator, one process's worth of connections): for
     * PostgreSQL a new store with its own connections and LISTEN on the shared table; in memory
     * the one shared store.
     */
    JobStore<String> open() {
        if (kind == Kind.IN_MEMORY) {
            return shared;
        }
        var store = PostgresJobStore.builder(dataSource(url), JobCodec.text())
                .table(table)
                .connections(8)
                .pollInterval(pollInterval)
                .build();
        opened.add(store);
        return store;
    }

    @Override
    public void close() throws Exception {
        opened.forEach(PostgresJobStore::close);
        if (table != null) {
            try (Connection c = DriverManager.getConnection(url);
                    var s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + table + "_attempts, " + table + "_schema, " + table);
                s.execute("DROP SEQUENCE IF EXISTS " + table + "_lease_seq");
            } catch (SQLException e) {
                // the server may be gone already; the tables were per trial anyway
            }
        }
        if (embedded != null) {
            embedded.close();
        }
    }

    /** A DataSource without a pool (the store keeps its own connections): pgjdbc's own. */
    private static DataSource dataSource(String url) {
        var dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        return dataSource;
    }

    /** Runs an embedded PostgreSQL until killed, for {@code -Dasyncpatterns.postgres.url}. */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.io.zonky", "warn");
        var builder = EmbeddedPostgres.builder();
        if (args.length > 0) {
            builder.setPort(Integer.parseInt(args[0]));
        }
        try (EmbeddedPostgres pg = builder.start()) {
            System.out.println(pg.getJdbcUrl("postgres", "postgres"));
            System.out.flush();
            Thread.currentThread().join();
        }
    }
}
