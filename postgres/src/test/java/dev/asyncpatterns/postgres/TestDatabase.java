package dev.asyncpatterns.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A real PostgreSQL for one test class: an embedded server (real binaries from Maven) on a free
 * loopback port, or the server named by the system property {@code asyncpatterns.postgres.url}
 * (a JDBC URL with user and password in it). Each call to {@link #newTable()} gives a fresh table
 * name, so tests of one class share the server but never each other's jobs.
 */
final class TestDatabase implements AutoCloseable {

    static final String URL_PROPERTY = "asyncpatterns.postgres.url";

    private static final AtomicInteger TABLES = new AtomicInteger();

    private final EmbeddedPostgres embedded;
    private final DataSource dataSource;
    private final String url;

    private TestDatabase(EmbeddedPostgres embedded, DataSource dataSource, String url) {
        this.embedded = embedded;
        this.dataSource = dataSource;
        this.url = url;
    }

    static TestDatabase start() {
        String url = System.getProperty(URL_PROPERTY);
        if (url != null && !url.isBlank()) {
            return new TestDatabase(null, new UrlDataSource(url), url);
        }
        try {
            // the library waits 10 s for the server to come up: too short for a loaded 2-core CI box
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setPort(freePort())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
            String jdbc = pg.getJdbcUrl("postgres", "postgres");
            return new TestDatabase(pg, pg.getPostgresDatabase(), jdbc);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start embedded PostgreSQL", e);
        }
    }

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    DataSource dataSource() {
        return dataSource;
    }

    String url() {
        return url;
    }

    /** A table name no other test used. */
    static String newTable() {
        return "jobs_" + ProcessHandle.current().pid() + "_" + TABLES.incrementAndGet();
    }

    /** Kills every other backend connected to this database (as a failover or a DBA would). */
    int terminateOtherBackends() throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        + "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        + "AND backend_type = 'client backend'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The database's clock, in microseconds since the epoch. */
    long nowMicros() {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    long queryLong(String sql) {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    void execute(String sql) {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
