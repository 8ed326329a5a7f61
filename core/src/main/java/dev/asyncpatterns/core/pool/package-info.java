/**
 * Pools: {@link dev.asyncpatterns.core.pool.AsyncPool} (bounded object pool, such as
 * connections, with async borrow and validation) and {@link dev.asyncpatterns.core.pool.WorkerPool}
 * (N workers consuming a bounded queue with an in-flight limit and a graceful shutdown).
 */
package dev.asyncpatterns.core.pool;
