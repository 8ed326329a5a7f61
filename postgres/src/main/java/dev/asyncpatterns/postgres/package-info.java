/**
 * A durable, multi-process {@link dev.asyncpatterns.resilience.JobStore} on PostgreSQL:
 * {@link dev.asyncpatterns.postgres.PostgresJobStore}, the {@link dev.asyncpatterns.postgres.JobCodec}
 * that turns jobs into bytes, and the failures read back from the database.
 */
@NullMarked
package dev.asyncpatterns.postgres;

import org.jspecify.annotations.NullMarked;
