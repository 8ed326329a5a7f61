package dev.asyncpatterns.postgres;

import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.resilience.JobStore;
import dev.asyncpatterns.resilience.contract.JobStoreContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The {@link JobStore} contract (the same suite as the in-memory store's) on a real PostgreSQL. */
class PostgresJobStoreTest extends JobStoreContract {

    private static TestDatabase db;
    private final List<PostgresJobStore<String>> stores = new ArrayList<>();

    @BeforeAll
    static void startDatabase() {
        db = TestDatabase.start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        db.close();
    }

    @AfterEach
    void closeStores() {
        stores.forEach(PostgresJobStore::close);
    }

    @Override
    protected JobStore<String> newStore() {
        var store = PostgresJobStore.builder(db.dataSource(), JobCodec.text())
                .table(TestDatabase.newTable())
                .pollInterval(Duration.ofMillis(100))
                .build();
        store.migrate().toCompletableFuture().join();
        stores.add(store);
        return store;
    }

    @Override
    protected JobStore.Counts counts() {
        return ((PostgresJobStore<String>) store)
                .refreshCounts()
                .toCompletableFuture()
                .join();
    }

    @Override
    protected void elapse(Duration duration) {
        long until = db.nowMicros() + duration.toNanos() / 1000;
        Awaitility.await("the database clock passes " + duration)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> db.nowMicros() >= until);
    }

    @Override
    protected TimeSource queueTime() {
        return TimeSource.system();
    }
}
