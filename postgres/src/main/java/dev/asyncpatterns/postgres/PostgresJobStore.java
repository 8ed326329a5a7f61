package dev.asyncpatterns.postgres;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.WorkListeners;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.resilience.JobAttempt;
import dev.asyncpatterns.resilience.JobId;
import dev.asyncpatterns.resilience.JobRecord;
import dev.asyncpatterns.resilience.JobStore;
import dev.asyncpatterns.resilience.JobStoreException;
import dev.asyncpatterns.resilience.LeaseExpiredException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * Every JobStore method is one transaction on one connection, run on a virtual thread of
 * `executor` after taking one of `permits` (the connection concurrency). Connections come from
 * the user's DataSource and are kept in `idle` for reuse (at most `connections` of them); a
 * connection that saw any error is closed, never reused, so a backend killed by
 * pg_terminate_backend or a restarted server costs one failed operation per connection. Results
 * are completed after the connection and permit are given back, so dependents (the queue's pump)
 * never hold a connection.
 *
 * State lives only in the table (see schema-v1.sql): state + owner/lease_token/lease_until for
 * IN_FLIGHT. Every comparison with time uses the database's now() (one clock for all processes);
 * durations travel as microseconds. Claim = (1) return expired leases to PENDING, appending a
 * LeaseExpiredException attempt, (2) UPDATE ... WHERE id IN (SELECT ... ORDER BY priority DESC,
 * due_at, id LIMIT n FOR UPDATE SKIP LOCKED) RETURNING, with one fencing token from a sequence
 * for the whole claim, (3) decode; rows that do not decode are dead-lettered with a
 * JobDecodeException attempt in the same transaction, (4) load histories, (5) if the batch was not
 * full, ask when the next job falls due or the next lease expires. Outcomes are conditional
 * updates (state = IN_FLIGHT AND lease_token = ? AND owner = ? AND lease_until > now()): 0 rows
 * means fenced.
 *
 * Wake-up: add and replay NOTIFY `channel` in their transaction (delivered on commit). One
 * virtual thread (`listener`) holds its own connection in LISTEN and calls the work listeners on
 * every notification batch and, as the polling fallback, every `pollInterval` without one (also
 * refreshing the cached counts then). If the listening connection breaks, it reconnects with
 * backoff on the TimeSource and keeps signalling at every try, so queues poll meanwhile.
 */
/**
 * A durable {@link JobStore} on PostgreSQL, shared by any number of {@code RetryQueue}s in any
 * number of processes: jobs survive restarts, and the processes share the work.
 *
 * {@snippet class=dev.asyncpatterns.postgres.snippets.PostgresSnippets region=store}
 *
 * <p><b>How it works.</b> Claims use {@code FOR UPDATE SKIP LOCKED} in batches, so claimers never
 * wait for one another and never hand out a job twice; the highest priority, then earliest due,
 * job goes first across all processes. A claim is a lease (see {@link JobStore}); the lease's
 * expiry and every due time are compared with the <em>database's</em> clock ({@code now()}), so
 * processes whose clocks disagree still agree on who holds a job. (The queue's
 * {@link TimeSource} only schedules its own heartbeats and wake-ups.) New work is announced with
 * {@code NOTIFY}; a listening connection wakes idle queues at once, and polls every
 * {@linkplain Builder#pollInterval poll interval} as a fallback.
 *
 * <p><b>Schema.</b> Tables {@code <table>}, {@code <table>_attempts}, {@code <table>_schema} and
 * sequence {@code <table>_lease_seq}, created by {@link #migrate()} or by the user's migration
 * tool from {@link #schemaSql(String)} (resource {@code dev/asyncpatterns/postgres/schema-v1.sql}).
 * The table name is a plain lower-case identifier (validated), created in the connection's
 * {@code search_path} schema.
 *
 * <p><b>Threads and connections.</b> Methods never block the caller: each runs as one
 * transaction on a virtual thread, at most {@link Builder#connections(int)} at once (more wait
 * for a permit). The store keeps up to that many connections from the {@link DataSource} open for
 * reuse, plus one for {@code LISTEN}. Stages complete on those virtual threads. Cancelling a
 * returned stage interrupts its operation (the transaction is rolled back if it did not commit).
 *
 * <p><b>Failures.</b> A database error fails the stage with {@link JobStoreException} naming the
 * operation; for {@link #add} that means the job was not acknowledged. A job whose bytes the
 * codec cannot decode is dead-lettered with a {@link JobDecodeException} attempt when it is
 * claimed; it stays in the table (and in {@link #counts()}) until purged, but
 * {@link #deadLetters()} cannot return it as a record and logs it instead. Failures read back
 * from the table are {@link RecordedFailure}s (class name and message) or
 * {@link LeaseExpiredException}s.
 *
 * <p>{@link #counts()} answers from a cache refreshed every poll interval (and by
 * {@link #refreshCounts()}).
 *
 * @param <J> the job type
 * @since 0.1.0
 */
public final class PostgresJobStore<J> implements JobStore<J>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresJobStore.class);

    /** The default table name. */
    public static final String DEFAULT_TABLE = "async_jobs";

    /** The default number of connections used at once. */
    public static final int DEFAULT_CONNECTIONS = 8;

    /** The default polling interval when no notification arrives. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    /** The schema version {@link #migrate()} applies. */
    public static final int SCHEMA_VERSION = 1;

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,39}");
    private static final int MAX_MESSAGE = 4000;
    private static final int EXPIRE_BATCH = 1000;

    private final DataSource dataSource;
    private final JobCodec<J> codec;
    private final String table;
    private final String channel;
    private final int connections;
    private final Duration pollInterval;
    private final TimeSource time;
    private final Sql sql;

    private final Semaphore permits;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final ExecutorService executor;
    private final WorkListeners workListeners = new WorkListeners();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean listening = new AtomicBoolean();
    private volatile @Nullable Thread listener;
    private volatile @Nullable Connection listenConnection;
    private volatile Counts counts = new Counts(0, 0, 0);
    private final Batcher<NewJob<J>, JobRecord<J>> adds = new Batcher<>("add a job", this::addAll);
    private final Batcher<Success, Boolean> successes = new Batcher<>("record a success", this::succeededAll);

    private PostgresJobStore(Builder<J> builder) {
        this.dataSource = builder.dataSource;
        this.codec = builder.codec;
        this.table = builder.table != null ? builder.table : DEFAULT_TABLE;
        this.channel = table + "_work";
        this.connections = builder.connections > 0 ? builder.connections : DEFAULT_CONNECTIONS;
        this.pollInterval = builder.pollInterval != null ? builder.pollInterval : DEFAULT_POLL_INTERVAL;
        this.time = builder.time != null ? builder.time : TimeSource.system();
        this.sql = new Sql(table, channel);
        this.permits = new Semaphore(connections, true);
        this.executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("pg-jobs-" + table + "-", 0).factory());
    }

    /**
     * Starts building a store.
     *
     * @param <J> the job type
     * @param dataSource where connections come from (pooled or not: the store reuses its own)
     * @param codec turns jobs into bytes and back
     * @return a new builder
     * @throws NullPointerException if an argument is null
     */
    public static <J> Builder<J> builder(DataSource dataSource, JobCodec<J> codec) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(codec, "codec");
        return new Builder<>(dataSource, codec);
    }

    /**
     * The schema's SQL for {@code table}, for a migration tool.
     *
     * @param table a plain lower-case identifier: {@code [a-z_][a-z0-9_]*}, at most 40 characters
     * @return the statements, separated by semicolons
     * @throws NullPointerException if {@code table} is null
     * @throws IllegalArgumentException if {@code table} is not such an identifier
     */
    public static String schemaSql(String table) {
        validateTable(table);
        try (InputStream in = PostgresJobStore.class.getResourceAsStream("schema-v1.sql")) {
            if (in == null) {
                throw new IllegalStateException("resource dev/asyncpatterns/postgres/schema-v1.sql is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${table}", table);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the schema resource", e);
        }
    }

    private static String validateTable(String table) {
        Objects.requireNonNull(table, "table");
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("table must be a plain lower-case identifier ([a-z_][a-z0-9_]*, "
                    + "at most 40 characters), was \"" + table + "\"");
        }
        return table;
    }

    /**
     * Creates the tables, indexes and sequence if they do not exist, and records the schema
     * version; safe to call from several processes at once (serialized by an advisory lock).
     *
     * @return the schema version now in place
     */
    public CompletionStage<Integer> migrate() {
        String ddl = schemaSql(table);
        return run("migrate the schema", c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + ("async-patterns:" + table).hashCode() + ")");
                s.execute(ddl);
                try (ResultSet rs = s.executeQuery("SELECT max(version) FROM " + table + "_schema")) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    // ---------------------------------------------------------------- JobStore

    @Override
    public CompletionStage<JobRecord<J>> add(J job, int priority, int maxLive) {
        Objects.requireNonNull(job, "job");
        if (maxLive <= 0) {
            throw new IllegalArgumentException("maxLive must be positive, was " + maxLive);
        }
        return adds.submit(new NewJob<>(job, priority, codec.encode(job), maxLive));
    }

    @SuppressWarnings("ArrayRecordComponent") // private carrier of a payload; never compared or hashed
    private record NewJob<J>(J job, int priority, byte[] payload, int maxLive) {}

    /** One transaction for a batch of adds: a multi-row INSERT with the capacity check and one NOTIFY. */
    private List<Object> addAll(Connection c, List<NewJob<J>> batch) throws SQLException {
        int maxLive = batch.stream().mapToInt(NewJob::maxLive).max().orElseThrow();
        List<Object> results = new ArrayList<>(batch.size());
        try (PreparedStatement s = c.prepareStatement(sql.addAll)) {
            s.setInt(1, maxLive);
            s.setArray(
                    2,
                    c.createArrayOf(
                            "integer", batch.stream().map(NewJob::priority).toArray(Integer[]::new)));
            s.setArray(
                    3,
                    c.createArrayOf("bytea", batch.stream().map(NewJob::payload).toArray(byte[][]::new)));
            s.setArray(
                    4,
                    c.createArrayOf(
                            "integer", batch.stream().map(NewJob::maxLive).toArray(Integer[]::new)));
            s.setString(5, channel);
            for (int i = 0; i < batch.size(); i++) {
                results.add(null);
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    int ord = rs.getInt(2) - 1;
                    results.set(
                            ord,
                            new JobRecord<>(
                                    new JobId(rs.getLong(1)), batch.get(ord).job(), instant(rs, 3), List.of(), 0, 0));
                }
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            if (results.get(i) == null) {
                results.set(
                        i,
                        new RejectedExecutionException(this + " is full: "
                                + batch.get(i).maxLive() + " live jobs (the capacity); job refused"));
            }
        }
        return results;
    }

    @Override
    public CompletionStage<Claim<J>> claim(String owner, int max, Duration lease) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(lease, "lease");
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive, was " + max);
        }
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive, was " + lease);
        }
        return run("claim jobs", c -> {
            try (PreparedStatement s = c.prepareStatement(sql.expire)) {
                s.setInt(1, EXPIRE_BATCH);
                int expired = s.executeUpdate();
                if (expired > 0) {
                    LOG.info("{}: {} expired lease(s) returned to pending", this, expired);
                }
            }
            List<Row> rows = new ArrayList<>();
            long token = -1;
            try (PreparedStatement s = c.prepareStatement(sql.claim)) {
                s.setString(1, owner);
                s.setLong(2, micros(lease));
                s.setInt(3, max);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        rows.add(Row.read(rs));
                        token = rs.getLong(9);
                    }
                }
            }
            rows.sort(Row.CLAIM_ORDER);
            List<JobRecord<J>> jobs = records(c, rows);
            Optional<Duration> nextDueIn;
            if (rows.size() == max) {
                nextDueIn = Optional.of(Duration.ZERO);
            } else {
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery(sql.nextDue)) {
                    rs.next();
                    long micros = rs.getLong(1);
                    nextDueIn =
                            rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofNanos(Math.max(0, micros) * 1000));
                }
            }
            return new Claim<>(jobs, new Lease(owner, token), nextDueIn);
        });
    }

    @Override
    public CompletionStage<Integer> heartbeat(Collection<Lease> held, Duration lease) {
        Objects.requireNonNull(held, "held");
        Objects.requireNonNull(lease, "lease");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive, was " + lease);
        }
        String[] owners = held.stream().map(Lease::owner).toArray(String[]::new);
        Long[] tokens = held.stream().map(Lease::token).toArray(Long[]::new);
        return run("extend leases", c -> {
            try (PreparedStatement s = c.prepareStatement(sql.heartbeat)) {
                s.setLong(1, micros(lease));
                s.setArray(2, c.createArrayOf("text", owners));
                s.setArray(3, c.createArrayOf("bigint", tokens));
                return s.executeUpdate();
            }
        });
    }

    @Override
    public CompletionStage<Boolean> succeeded(JobId id, Lease lease) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lease, "lease");
        return successes.submit(new Success(id, lease));
    }

    private record Success(JobId id, Lease lease) {}

    /** One transaction for a batch of successes: one fenced DELETE. */
    private List<Object> succeededAll(Connection c, List<Success> batch) throws SQLException {
        java.util.Set<Long> deleted = new java.util.HashSet<>();
        try (PreparedStatement s = c.prepareStatement(sql.succeededAll)) {
            var ids = c.createArrayOf(
                    "bigint", batch.stream().map(b -> b.id().value()).toArray(Long[]::new));
            s.setArray(1, ids);
            s.setArray(2, ids);
            s.setArray(
                    3,
                    c.createArrayOf(
                            "bigint", batch.stream().map(b -> b.lease().token()).toArray(Long[]::new)));
            s.setArray(
                    4,
                    c.createArrayOf(
                            "text", batch.stream().map(b -> b.lease().owner()).toArray(String[]::new)));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    deleted.add(rs.getLong(1));
                }
            }
        }
        List<Object> results = new ArrayList<>(batch.size());
        for (Success success : batch) {
            results.add(deleted.remove(success.id().value()));
        }
        return results;
    }

    @Override
    public CompletionStage<Boolean> retryLater(JobId id, Lease lease, JobAttempt failed, Duration delay) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(failed, "failed");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        return run("record a retry", c -> settle(c, sql.retryLater, id, lease, failed, micros(delay)));
    }

    @Override
    public CompletionStage<Boolean> deadLetter(JobId id, Lease lease, JobAttempt failed) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(failed, "failed");
        return run("record a dead letter", c -> settle(c, sql.deadLetter, id, lease, failed, null));
    }

    private boolean settle(
            Connection c, String statement, JobId id, Lease lease, JobAttempt failed, @Nullable Long delayMicros)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(statement)) {
            int i = 1;
            if (delayMicros != null) {
                s.setLong(i++, delayMicros);
            }
            s.setLong(i++, id.value());
            s.setLong(i++, lease.token());
            s.setString(i++, lease.owner());
            s.setInt(i++, failed.number());
            s.setObject(i++, offset(failed.startedAt()));
            s.setObject(i++, offset(failed.finishedAt()));
            s.setString(i++, failureClass(failed.failure()));
            s.setString(i, failureMessage(failed.failure()));
            return s.executeUpdate() == 1;
        }
    }

    @Override
    public CompletionStage<List<JobRecord<J>>> deadLetters() {
        return run("list dead letters", c -> {
            List<Row> rows = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(sql.deadLetters)) {
                while (rs.next()) {
                    rows.add(Row.read(rs));
                }
            }
            Map<Long, List<JobAttempt>> histories = histories(c, rows);
            List<JobRecord<J>> letters = new ArrayList<>();
            for (Row row : rows) {
                try {
                    letters.add(row.record(codec.decode(row.payload), histories));
                } catch (RuntimeException undecodable) {
                    LOG.warn(
                            "{}: dead letter job-{} cannot be decoded by {} and is left out of the list; purge it by id",
                            this,
                            row.id,
                            codec,
                            undecodable);
                }
            }
            return List.copyOf(letters);
        });
    }

    @Override
    public CompletionStage<Boolean> replay(JobId id) {
        Objects.requireNonNull(id, "id");
        return run("replay a dead letter", c -> {
            try (PreparedStatement s = c.prepareStatement(sql.replay)) {
                s.setLong(1, id.value());
                s.setString(2, channel);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public CompletionStage<Boolean> purge(JobId id) {
        Objects.requireNonNull(id, "id");
        return run("purge a dead letter", c -> {
            try (PreparedStatement s = c.prepareStatement(sql.purge)) {
                s.setLong(1, id.value());
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public CompletionStage<List<JobRecord<J>>> removePending() {
        return run("remove pending jobs", c -> {
            List<Row> rows = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(sql.pendingForUpdate)) {
                while (rs.next()) {
                    rows.add(Row.read(rs));
                }
            }
            List<JobRecord<J>> removed = records(c, rows);
            Long[] ids = removed.stream().map(r -> r.id().value()).toArray(Long[]::new);
            try (PreparedStatement s = c.prepareStatement(sql.deleteIds)) {
                s.setArray(1, c.createArrayOf("bigint", ids));
                s.executeUpdate();
            }
            return removed;
        });
    }

    @Override
    public Counts counts() {
        return counts;
    }

    /**
     * Counts the jobs by state now, and updates the cache {@link #counts()} answers from.
     *
     * @return the exact counts at the time of the query
     */
    public CompletionStage<Counts> refreshCounts() {
        return run("count jobs", this::countNow);
    }

    private Counts countNow(Connection c) throws SQLException {
        long pending = 0;
        long inFlight = 0;
        long dead = 0;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql.counts)) {
            while (rs.next()) {
                switch (rs.getString(1)) {
                    case "PENDING" -> pending = rs.getLong(2);
                    case "IN_FLIGHT" -> inFlight = rs.getLong(2);
                    default -> dead = rs.getLong(2);
                }
            }
        }
        Counts now = new Counts(pending, inFlight, dead);
        counts = now;
        return now;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: on every {@code NOTIFY} batch on this store's channel (jobs added or replayed by any
     * process), and every poll interval without one (which covers retries falling due and leases
     * expiring in other processes). The first registration starts the listening connection.
     * Called on the store's listener thread.
     */
    @Override
    public Cancellable onWorkAvailable(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        if (closed.get()) {
            throw new ClosedException(this + " is closed: cannot listen for work");
        }
        Cancellable registration = workListeners.add(listener);
        if (listening.compareAndSet(false, true)) {
            this.listener = Thread.ofVirtual().name("pg-jobs-listen-" + table).start(this::listen);
        }
        return registration;
    }

    /**
     * Stops listening, waits for running operations to finish and closes the connections it
     * kept. Later operations fail with {@link ClosedException}. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Thread t = listener;
        Connection lc = listenConnection;
        if (lc != null) {
            closeQuietly(lc);
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        executor.close();
        Connection c;
        while ((c = idle.poll()) != null) {
            closeQuietly(c);
        }
    }

    /**
     * The table this store uses.
     *
     * @return the table name
     */
    public String table() {
        return table;
    }

    @Override
    public String toString() {
        return "PostgresJobStore[" + table + "]";
    }

    // ---------------------------------------------------------------- listening

    private void listen() {
        int failures = 0;
        while (!closed.get()) {
            Connection c = null;
            try {
                c = dataSource.getConnection();
                c.setAutoCommit(true);
                listenConnection = c;
                if (closed.get()) {
                    break;
                }
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + channel);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                if (failures > 0) {
                    LOG.info("{}: listening for work again", this);
                }
                failures = 0;
                signalWork(); // anything that happened while we were not listening
                int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, pollInterval.toMillis()));
                long counted = time.nanoTime();
                while (!closed.get()) {
                    pg.getNotifications(timeout);
                    if (time.nanoTime() - counted >= pollInterval.toNanos()) {
                        countNow(c); // keeps counts() fresh, also under a steady stream of notifications
                        counted = time.nanoTime();
                    }
                    signalWork(); // on notifications, and every poll interval without one (the fallback)
                }
            } catch (SQLException | RuntimeException e) {
                if (closed.get()) {
                    break;
                }
                failures++;
                LOG.warn("{}: listening for work failed ({} in a row); polling until it reconnects", this, failures, e);
                signalWork();
                Duration backoff = Duration.ofMillis(Math.min(pollInterval.toMillis(), 50L << Math.min(failures, 10)));
                try {
                    time.delay(backoff).get();
                } catch (InterruptedException interrupted) {
                    break;
                } catch (java.util.concurrent.ExecutionException impossible) {
                    throw new IllegalStateException(impossible);
                }
            } finally {
                listenConnection = null;
                if (c != null) {
                    closeQuietly(c);
                }
            }
        }
    }

    private void signalWork() {
        workListeners.signal(LOG, this);
    }

    // ---------------------------------------------------------------- running transactions

    @FunctionalInterface
    private interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    private <T> CompletableFuture<T> run(String what, Work<T> work) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new ClosedException(this + " is closed: cannot " + what));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Future<?> task;
        try {
            task = executor.submit(() -> execute(what, work, result));
        } catch (RejectedExecutionException shutDown) {
            return CompletableFuture.failedFuture(new ClosedException(this + " is closed: cannot " + what));
        }
        result.whenComplete((ignored, failure) -> {
            if (result.isCancelled()) {
                task.cancel(true);
            }
        });
        return result;
    }

    private <T> void execute(String what, Work<T> work, CompletableFuture<T> result) {
        T value = null;
        Throwable failure = null;
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            result.completeExceptionally(new JobStoreException(this + ": " + what + " was interrupted", e));
            return;
        }
        try {
            Connection c = null;
            boolean healthy = false;
            try {
                c = borrow();
                value = work.apply(c);
                c.commit();
                healthy = true;
            } catch (SQLException e) {
                failure = new JobStoreException(
                        this + ": could not " + what + ": " + e.getMessage()
                                + (e.getSQLState() != null ? " (SQLState " + e.getSQLState() + ")" : ""),
                        e);
            } catch (RuntimeException e) {
                failure = e;
                healthy = c != null && rollback(c);
            } finally {
                if (c != null) {
                    if (healthy && !closed.get()) {
                        idle.push(c);
                    } else {
                        closeQuietly(c);
                    }
                }
            }
        } finally {
            permits.release();
        }
        if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            result.complete(value);
        }
    }

    private Connection borrow() throws SQLException {
        Connection c = idle.poll();
        if (c != null) {
            return c;
        }
        c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    private static boolean rollback(Connection c) {
        try {
            c.rollback();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("closing a connection failed", e);
        }
    }

    // ---------------------------------------------------------------- group commit

    @FunctionalInterface
    private interface BatchWork<R> {
        /** One result per request, in order: the value, or a RuntimeException for that request alone. */
        List<Object> apply(Connection connection, List<R> batch) throws SQLException;
    }

    /*
     * Group commit: requests queue up while a batch transaction runs; the next batch takes all of
     * them (up to MAX_BATCH). At most one batch per kind is in flight, so under load a batch
     * carries everything that arrived during the previous commit, and with no load a request is
     * one transaction at once, as before. A failed transaction fails every request of its batch
     * (none of them was applied).
     */
    private final class Batcher<R, T> {
        private static final int MAX_BATCH = 512;

        private record Pending<R, T>(R request, CompletableFuture<T> result) {}

        private final String what;
        private final BatchWork<R> work;
        private final ConcurrentLinkedDeque<Pending<R, T>> queue = new ConcurrentLinkedDeque<>();
        private final AtomicBoolean running = new AtomicBoolean();

        Batcher(String what, BatchWork<R> work) {
            this.what = what;
            this.work = work;
        }

        CompletableFuture<T> submit(R request) {
            if (closed.get()) {
                return CompletableFuture.failedFuture(
                        new ClosedException(PostgresJobStore.this + " is closed: cannot " + what));
            }
            var pending = new Pending<R, T>(request, new CompletableFuture<>());
            queue.add(pending);
            drain();
            return pending.result();
        }

        private void drain() {
            while (!queue.isEmpty() && running.compareAndSet(false, true)) {
                List<Pending<R, T>> batch = new ArrayList<>();
                Pending<R, T> next;
                while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
                    if (!next.result().isCancelled()) {
                        batch.add(next);
                    }
                }
                if (batch.isEmpty()) {
                    running.set(false);
                    continue;
                }
                List<R> requests = batch.stream().map(Pending::request).toList();
                run(what, c -> work.apply(c, requests)).whenComplete((results, failure) -> {
                    running.set(false);
                    drain(); // the next batch goes out before this one's dependents run
                    for (int i = 0; i < batch.size(); i++) {
                        complete(batch.get(i).result(), failure, failure == null ? results.get(i) : null);
                    }
                });
                return;
            }
        }

        @SuppressWarnings("unchecked")
        private void complete(CompletableFuture<T> result, @Nullable Throwable failure, @Nullable Object value) {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else if (value instanceof RuntimeException refused) {
                result.completeExceptionally(refused);
            } else {
                result.complete((T) value);
            }
        }
    }

    // ---------------------------------------------------------------- rows and histories

    @SuppressWarnings("ArrayRecordComponent") // private carrier of a row; never compared or hashed
    private record Row(
            long id,
            int priority,
            byte[] payload,
            Instant submittedAt,
            Instant dueAt,
            int attempts,
            int replays,
            int historyCount) {

        /** The row at the cursor of a query whose first eight columns are the job's (every list query's). */
        static Row read(ResultSet rs) throws SQLException {
            return new Row(
                    rs.getLong(1),
                    rs.getInt(2),
                    rs.getBytes(3),
                    instant(rs, 4),
                    instant(rs, 5),
                    rs.getInt(6),
                    rs.getInt(7),
                    rs.getInt(8));
        }

        static final Comparator<Row> CLAIM_ORDER = Comparator.comparingInt((Row r) -> -r.priority)
                .thenComparing(Row::dueAt)
                .thenComparingLong(Row::id);

        <J> JobRecord<J> record(J job, Map<Long, List<JobAttempt>> histories) {
            return new JobRecord<>(
                    new JobId(id), job, submittedAt, histories.getOrDefault(id, List.of()), attempts, replays);
        }
    }

    /** Decodes rows into records; rows that do not decode are dead-lettered in this transaction and left out. */
    private List<JobRecord<J>> records(Connection c, List<Row> rows) throws SQLException {
        List<JobRecord<J>> jobs = new ArrayList<>(rows.size());
        List<Row> decoded = new ArrayList<>(rows.size());
        List<J> values = new ArrayList<>(rows.size());
        for (Row row : rows) {
            J job;
            try {
                job = codec.decode(row.payload);
            } catch (RuntimeException undecodable) {
                deadLetterUndecodable(c, row, undecodable);
                continue;
            }
            decoded.add(row);
            values.add(job);
        }
        Map<Long, List<JobAttempt>> histories = histories(c, decoded);
        for (int i = 0; i < decoded.size(); i++) {
            jobs.add(decoded.get(i).record(values.get(i), histories));
        }
        return jobs;
    }

    private void deadLetterUndecodable(Connection c, Row row, RuntimeException cause) throws SQLException {
        var failure = new JobDecodeException("job-" + row.id + " cannot be decoded by " + codec + ": " + cause, cause);
        LOG.warn("{}: {}; moved to the dead letters", this, failure.getMessage());
        try (PreparedStatement s = c.prepareStatement(sql.deadUndecodable)) {
            s.setLong(1, row.id);
            s.setString(2, failureClass(failure));
            s.setString(3, failureMessage(failure));
            s.executeUpdate();
        }
    }

    private Map<Long, List<JobAttempt>> histories(Connection c, List<Row> rows) throws SQLException {
        Long[] ids = rows.stream().filter(r -> r.historyCount > 0).map(Row::id).toArray(Long[]::new);
        if (ids.length == 0) {
            return Map.of();
        }
        Map<Long, List<JobAttempt>> histories = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement(sql.histories)) {
            s.setArray(1, c.createArrayOf("bigint", ids));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    histories
                            .computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new JobAttempt(
                                    rs.getInt(2),
                                    instant(rs, 3),
                                    instant(rs, 4),
                                    failure(rs.getString(5), rs.getString(6))));
                }
            }
        }
        return histories;
    }

    private static Throwable failure(String className, @Nullable String message) {
        if (LeaseExpiredException.class.getName().equals(className)) {
            return new LeaseExpiredException(message != null ? message : "lease expired");
        }
        return new RecordedFailure(className, message);
    }

    private static String failureClass(Throwable failure) {
        return failure instanceof RecordedFailure recorded
                ? recorded.className()
                : failure.getClass().getName();
    }

    private static @Nullable String failureMessage(Throwable failure) {
        String message = failure.getMessage();
        if (message == null) {
            return null;
        }
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...";
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        if (at == null) { // every column read here is NOT NULL in schema-v1.sql
            throw new SQLException("unexpected NULL in timestamp column " + column);
        }
        return at.toInstant();
    }

    private static OffsetDateTime offset(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static long micros(Duration duration) {
        try {
            return TimeUnit.NANOSECONDS.toMicros(duration.toNanos());
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }

    /** The statements, built once for the table. */
    private static final class Sql {
        final String addAll;
        final String succeededAll;
        final String expire;
        final String claim;
        final String nextDue;
        final String heartbeat;
        final String retryLater;
        final String deadLetter;
        final String deadUndecodable;
        final String deadLetters;
        final String replay;
        final String purge;
        final String pendingForUpdate;
        final String deleteIds;
        final String histories;
        final String counts;

        @SuppressWarnings(
                "UnusedVariable") // channel is not used by any statement yet (LISTEN/NOTIFY is issued elsewhere)
        Sql(String t, String channel) {
            String columns = "id, priority, payload, submitted_at, due_at, attempts, replays, history_count";
            String held = " AND state = 'IN_FLIGHT' AND lease_token = ? AND owner = ? AND lease_until > now()";
            String appendAttempt = "INSERT INTO " + t + "_attempts (job_id, number, started_at, finished_at, "
                    + "failure_class, failure_message) ";
            addAll = "WITH live AS (SELECT count(*) AS n FROM (SELECT 1 FROM " + t
                    + " WHERE state IN ('PENDING', 'IN_FLIGHT') LIMIT ?) l), "
                    + "rows AS MATERIALIZED (SELECT nextval('" + t + "_id_seq') AS id, x.ord, x.p, x.b, x.m "
                    + "FROM unnest(?::integer[], ?::bytea[], ?::integer[]) WITH ORDINALITY AS x(p, b, m, ord)), "
                    + "ok AS (SELECT rows.* FROM rows, live WHERE live.n + rows.ord <= rows.m), "
                    + "ins AS (INSERT INTO " + t + " (id, state, priority, payload) "
                    + "SELECT id, 'PENDING', p, b FROM ok) "
                    + "SELECT id, ord, now(), (SELECT pg_notify(?, '')) FROM ok";
            expire = "WITH old AS (SELECT id, owner, lease_until FROM " + t
                    + " WHERE state = 'IN_FLIGHT' AND lease_until <= now() ORDER BY lease_until LIMIT ? "
                    + "FOR UPDATE SKIP LOCKED), "
                    + "upd AS (UPDATE " + t + " j SET state = 'PENDING', due_at = now(), attempts = j.attempts + 1, "
                    + "history_count = j.history_count + 1, owner = NULL, lease_token = NULL, lease_until = NULL "
                    + "FROM old WHERE j.id = old.id "
                    + "RETURNING j.id, j.attempts, j.claimed_at, old.owner, old.lease_until) "
                    + appendAttempt + "SELECT id, attempts, claimed_at, now(), '"
                    + LeaseExpiredException.class.getName()
                    + "', 'lease of ' || owner || ' on job-' || id || ' expired at ' || lease_until FROM upd";
            claim = "UPDATE " + t + " SET state = 'IN_FLIGHT', owner = ?, "
                    + "lease_token = (SELECT nextval('" + t + "_lease_seq')), "
                    + "lease_until = now() + ? * interval '1 microsecond', claimed_at = now() "
                    + "WHERE id IN (SELECT id FROM " + t + " WHERE state = 'PENDING' AND due_at <= now() "
                    + "ORDER BY priority DESC, due_at, id LIMIT ? FOR UPDATE SKIP LOCKED) "
                    + "RETURNING " + columns + ", lease_token";
            nextDue = "SELECT (extract(epoch FROM (least((SELECT min(due_at) FROM " + t + " WHERE state = 'PENDING'), "
                    + "(SELECT min(lease_until) FROM " + t
                    + " WHERE state = 'IN_FLIGHT')) - now())) * 1000000)::bigint";
            heartbeat = "UPDATE " + t + " SET lease_until = now() + ? * interval '1 microsecond' "
                    + "WHERE state = 'IN_FLIGHT' AND lease_until > now() "
                    + "AND (owner, lease_token) IN (SELECT * FROM unnest(?::text[], ?::bigint[]))";
            succeededAll = "DELETE FROM " + t + " WHERE id = ANY(?) AND state = 'IN_FLIGHT' AND lease_until > now() "
                    + "AND (id, lease_token, owner) IN (SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::text[])) "
                    + "RETURNING id";
            retryLater = "WITH upd AS (UPDATE " + t + " SET state = 'PENDING', "
                    + "due_at = now() + ? * interval '1 microsecond', attempts = attempts + 1, "
                    + "history_count = history_count + 1, owner = NULL, lease_token = NULL, lease_until = NULL "
                    + "WHERE id = ?" + held + " RETURNING id) "
                    + appendAttempt + "SELECT id, ?, ?, ?, ?, ? FROM upd";
            deadLetter = "WITH upd AS (UPDATE " + t + " SET state = 'DEAD', dead_at = now(), attempts = attempts + 1, "
                    + "history_count = history_count + 1, owner = NULL, lease_token = NULL, lease_until = NULL "
                    + "WHERE id = ?" + held + " RETURNING id) "
                    + appendAttempt + "SELECT id, ?, ?, ?, ?, ? FROM upd";
            deadUndecodable = "WITH upd AS (UPDATE " + t + " SET state = 'DEAD', dead_at = now(), "
                    + "attempts = attempts + 1, history_count = history_count + 1, owner = NULL, lease_token = NULL, "
                    + "lease_until = NULL WHERE id = ? RETURNING id, attempts) "
                    + appendAttempt + "SELECT id, attempts, now(), now(), ?, ? FROM upd";
            deadLetters = "SELECT " + columns + " FROM " + t + " WHERE state = 'DEAD' ORDER BY dead_at, id";
            replay = "WITH upd AS (UPDATE " + t + " SET state = 'PENDING', due_at = now(), attempts = 0, "
                    + "replays = replays + 1, dead_at = NULL WHERE id = ? AND state = 'DEAD' RETURNING id) "
                    + "SELECT id, pg_notify(?, '') FROM upd";
            purge = "DELETE FROM " + t + " WHERE id = ? AND state = 'DEAD'";
            pendingForUpdate = "SELECT " + columns + " FROM " + t + " WHERE state = 'PENDING' "
                    + "ORDER BY priority DESC, due_at, id FOR UPDATE";
            deleteIds = "DELETE FROM " + t + " WHERE id = ANY(?)";
            histories = "SELECT job_id, number, started_at, finished_at, failure_class, failure_message FROM " + t
                    + "_attempts WHERE job_id = ANY(?) ORDER BY job_id, seq";
            counts = "SELECT state, count(*) FROM " + t + " GROUP BY state";
        }
    }

    /**
     * Builds a {@link PostgresJobStore}.
     *
     * @param <J> the job type
     */
    public static final class Builder<J> {

        private final DataSource dataSource;
        private final JobCodec<J> codec;
        private @Nullable String table;
        private int connections;
        private @Nullable Duration pollInterval;
        private @Nullable TimeSource time;

        private Builder(DataSource dataSource, JobCodec<J> codec) {
            this.dataSource = dataSource;
            this.codec = codec;
        }

        /**
         * The table name (default {@value #DEFAULT_TABLE}); other objects are named after it.
         * Stores with different tables are independent queues in one database.
         *
         * @param table a plain lower-case identifier: {@code [a-z_][a-z0-9_]*}, at most 40 characters
         * @return this builder
         * @throws NullPointerException if {@code table} is null
         * @throws IllegalArgumentException if it is not such an identifier (quotes, dots, spaces,
         *     upper case and SQL are all rejected)
         * @throws IllegalStateException if already set
         */
        public Builder<J> table(String table) {
            validateTable(table);
            Checks.unset(this.table, "table");
            this.table = table;
            return this;
        }

        /**
         * How many operations may use a connection at once (default {@value #DEFAULT_CONNECTIONS});
         * also how many connections the store keeps open for reuse. Listening takes one more.
         *
         * @param connections positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if already set
         */
        public Builder<J> connections(int connections) {
            if (connections <= 0) {
                throw new IllegalArgumentException("connections must be positive, was " + connections);
            }
            Checks.once(this.connections != 0, "connections");
            this.connections = connections;
            return this;
        }

        /**
         * How often idle queues are woken without a notification (default 1 s): the fallback
         * that finds retries falling due and leases expiring in other processes, and the refresh
         * interval of {@link PostgresJobStore#counts()}.
         *
         * @param pollInterval at least 1 ms
         * @return this builder
         * @throws NullPointerException if {@code pollInterval} is null
         * @throws IllegalArgumentException if shorter than 1 ms
         * @throws IllegalStateException if already set
         */
        public Builder<J> pollInterval(Duration pollInterval) {
            Objects.requireNonNull(pollInterval, "pollInterval");
            if (pollInterval.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException("pollInterval must be at least 1 ms, was " + pollInterval);
            }
            Checks.unset(this.pollInterval, "pollInterval");
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * The time source for the store's own waits (reconnecting the listening connection);
         * default {@link TimeSource#system()}. Due times and leases use the database's clock.
         *
         * @param time the time source
         * @return this builder
         * @throws NullPointerException if {@code time} is null
         * @throws IllegalStateException if already set
         */
        public Builder<J> timeSource(TimeSource time) {
            Objects.requireNonNull(time, "time");
            Checks.unset(this.time, "timeSource");
            this.time = time;
            return this;
        }

        /**
         * Builds the store. It does not touch the database until used; call
         * {@link PostgresJobStore#migrate()} first unless the schema is managed elsewhere.
         *
         * @return the store
         */
        public PostgresJobStore<J> build() {
            return new PostgresJobStore<>(this);
        }
    }
}
