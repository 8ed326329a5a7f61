package dev.asyncpatterns.postgres.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.postgres.JobCodec;
import dev.asyncpatterns.postgres.PostgresJobStore;
import dev.asyncpatterns.resilience.JobHandle;
import dev.asyncpatterns.resilience.JobOutcome;
import dev.asyncpatterns.resilience.RetryQueue;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The examples in the postgres module's javadoc, compiled and run against an embedded
 * PostgreSQL (or {@code -Dasyncpatterns.postgres.url=...}).
 */
class PostgresSnippets {

    private final List<String> sent = new CopyOnWriteArrayList<>();

    private CompletableFuture<Void> send(String address) {
        sent.add(address);
        return CompletableFuture.completedFuture(null);
    }

    @Test
    void store() throws Exception {
        String url = System.getProperty("asyncpatterns.postgres.url");
        try (EmbeddedPostgres pg = url == null
                ? EmbeddedPostgres.builder()
                        .setPGStartupWait(Duration.ofSeconds(60)) // a loaded CI box may need more than 10 s
                        .start()
                : null) {
            DataSource dataSource = pg != null ? pg.getPostgresDatabase() : null;
            if (dataSource == null) {
                return; // the contract and fault tests cover an external server
            }
            // @start region=store
            PostgresJobStore<String> store = PostgresJobStore.builder(dataSource, JobCodec.text())
                    .table("outbox_jobs")
                    .build();
            store.migrate()
                    .toCompletableFuture()
                    .join(); // or PostgresJobStore.schemaSql("outbox_jobs") in your migrations

            // any number of processes run the same queue on the same table and share its jobs
            RetryQueue<String> outbox = RetryQueue.<String>builder("outbox", address -> send(address))
                    .store(store)
                    .lease(Duration.ofSeconds(30)) // a dead process's jobs come back after this
                    .build();

            JobHandle<String> handle = outbox.submitTracked("ada@example.com", 5); // priority 5
            JobOutcome<String> outcome = handle.outcome().join(); // Succeeded, or DeadLettered with its history
            // @end
            assertThat(outcome).isInstanceOf(JobOutcome.Succeeded.class);
            assertThat(sent).containsExactly("ada@example.com");
            outbox.shutdown().join();
            store.close();
        }
    }
}
