/**
 * async-patterns postgres: a durable, multi-process {@link dev.asyncpatterns.resilience.JobStore}
 * for {@link dev.asyncpatterns.resilience.RetryQueue} on PostgreSQL (leases,
 * {@code FOR UPDATE SKIP LOCKED}, {@code LISTEN/NOTIFY}). The user passes a
 * {@link javax.sql.DataSource}; the PostgreSQL JDBC driver (an automatic module,
 * {@code org.postgresql.jdbc}) is used for notifications.
 */
module dev.asyncpatterns.postgres {
    requires transitive dev.asyncpatterns.resilience;
    requires transitive java.sql;
    requires org.postgresql.jdbc;
    requires org.slf4j;

    exports dev.asyncpatterns.postgres;
}
