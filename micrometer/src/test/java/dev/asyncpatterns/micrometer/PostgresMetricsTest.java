package dev.asyncpatterns.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.testing.GcFinalization;
import dev.asyncpatterns.postgres.JobCodec;
import dev.asyncpatterns.postgres.PostgresJobStore;
import dev.asyncpatterns.resilience.JobAttempt;
import dev.asyncpatterns.resilience.JobRecord;
import dev.asyncpatterns.resilience.JobStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL job store binder against a real (embedded) PostgreSQL. */
class PostgresMetricsTest {

    private static EmbeddedPostgres postgres;
    private static DataSource dataSource;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void start() throws IOException {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        postgres = EmbeddedPostgres.builder()
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60)) // the 10 s default is short on a loaded CI box
                .start();
        dataSource = postgres.getPostgresDatabase();
    }

    @AfterAll
    static void stop() throws IOException {
        postgres.close();
    }

    @Test
    void jobStore_jobsByState_areTheRefreshedCountsUnderTheTableName() {
        // @start region=jobStore
        PostgresJobStore<String> store = PostgresJobStore.builder(dataSource, JobCodec.text())
                .table("mail_jobs")
                .build();
        PostgresJobStoreMetrics.monitor(registry, store, "service", "mail");
        // @end
        try (store) {
            store.migrate().toCompletableFuture().join();
            for (int i = 0; i < 4; i++) {
                store.add("job" + i, 0, 100).toCompletableFuture().join();
            }
            JobStore.Claim<String> claim = store.claim("me", 2, Duration.ofMinutes(1))
                    .toCompletableFuture()
                    .join();
            assertThat(claim.jobs()).hasSize(2);
            JobRecord<String> dead = claim.jobs().get(0);
            Instant now = Instant.now();
            assertThat(store.deadLetter(
                                    dead.id(), claim.lease(), new JobAttempt(1, now, now, new RuntimeException("x")))
                            .toCompletableFuture()
                            .join())
                    .isTrue();
            assertThat(gauge(registry, "asyncpatterns.postgres.jobs", "state", "pending"))
                    .as("before a refresh the cache still says nothing")
                    .isZero();

            store.refreshCounts().toCompletableFuture().join();

            assertThat(gauge(registry, "asyncpatterns.postgres.jobs", "state", "pending"))
                    .isEqualTo(2);
            assertThat(gauge(registry, "asyncpatterns.postgres.jobs", "state", "in_flight"))
                    .isEqualTo(1);
            assertThat(gauge(registry, "asyncpatterns.postgres.jobs", "state", "dead"))
                    .isEqualTo(1);
            assertThat(registry.get("asyncpatterns.postgres.jobs")
                            .tag("name", "mail_jobs")
                            .tag("service", "mail")
                            .gauges())
                    .hasSize(3);
        }
    }

    @Test
    void jobStore_dropped_isCollectedAndGaugesReadNaN() {
        WeakReference<PostgresJobStore<String>> store = bindAndForget();

        GcFinalization.awaitClear(store);

        assertThat(gauge(registry, "asyncpatterns.postgres.jobs", "state", "pending"))
                .isNaN();
    }

    /** Builds, binds, closes and drops a store in a frame of its own, so no local keeps it. */
    private WeakReference<PostgresJobStore<String>> bindAndForget() {
        PostgresJobStore<String> store = PostgresJobStore.builder(dataSource, JobCodec.text())
                .table("weak_jobs")
                .build();
        PostgresJobStoreMetrics.monitor(registry, store);
        store.close();
        return new WeakReference<>(store);
    }

    private static double gauge(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }
}
