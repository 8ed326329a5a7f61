package dev.asyncpatterns.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.NullPointerTester;
import dev.asyncpatterns.resilience.JobStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input and codecs: everything that is checked before the database is touched. */
class PostgresJobStoreApiTest {

    private final DataSource nowhere = new UrlDataSource("jdbc:postgresql://127.0.0.1:1/none");

    // ---------------------------------------------------------------- table names

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "Jobs",
                "jobs; DROP TABLE x",
                "\"jobs\"",
                "public.jobs",
                "jobs-1",
                "1jobs",
                "jobs x",
                "a_very_long_table_name_that_goes_on_and_on_and_on"
            })
    void table_notAPlainIdentifier_isRejected(String table) {
        assertThatThrownBy(
                        () -> PostgresJobStore.builder(nowhere, JobCodec.text()).table(table))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table must be a plain");
        assertThatThrownBy(() -> PostgresJobStore.schemaSql(table)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void table_setTwice_isRejected() {
        var builder = PostgresJobStore.builder(nowhere, JobCodec.text()).table("jobs");
        assertThatThrownBy(() -> builder.table("other"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("table was already set to jobs");
    }

    @Test
    void schemaSql_namesEveryObjectAfterTheTable() {
        String sql = PostgresJobStore.schemaSql("mail_jobs");
        assertThat(sql)
                .contains(
                        "CREATE TABLE IF NOT EXISTS mail_jobs (",
                        "mail_jobs_attempts",
                        "mail_jobs_lease_seq",
                        "mail_jobs_schema")
                .doesNotContain("${table}");
    }

    @Test
    void builder_badSettings_areRejectedWithTheirName() {
        var builder = PostgresJobStore.builder(nowhere, JobCodec.text());
        assertThatThrownBy(() -> builder.connections(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connections");
        assertThatThrownBy(() -> builder.pollInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pollInterval");
    }

    @Test
    void nulls_areRejectedAtOnce() {
        var tester = new NullPointerTester()
                .setDefault(DataSource.class, nowhere)
                .setDefault(JobCodec.class, JobCodec.text())
                .setDefault(JobStore.Lease.class, new JobStore.Lease("o", 1))
                .setDefault(Duration.class, Duration.ofSeconds(1))
                .setDefault(dev.asyncpatterns.resilience.JobId.class, new dev.asyncpatterns.resilience.JobId(1))
                .setDefault(
                        dev.asyncpatterns.resilience.JobAttempt.class,
                        new dev.asyncpatterns.resilience.JobAttempt(
                                1, java.time.Instant.EPOCH, java.time.Instant.EPOCH, new RuntimeException("x")));
        tester.testAllPublicStaticMethods(PostgresJobStore.class);
        tester.testAllPublicStaticMethods(JobCodec.class);
        tester.testAllPublicInstanceMethods(PostgresJobStore.builder(nowhere, JobCodec.text()));
        try (var store = PostgresJobStore.builder(nowhere, JobCodec.text()).build()) {
            tester.testAllPublicInstanceMethods(store);
        }
    }

    @Test
    void closedStore_rejectsWithClosedException() {
        var store = PostgresJobStore.builder(nowhere, JobCodec.text()).build();
        store.close();
        assertThat(store.add("x", 0, 10).toCompletableFuture()).isCompletedExceptionally();
        assertThatThrownBy(() -> store.add("x", 0, 10).toCompletableFuture().join())
                .hasCauseInstanceOf(dev.asyncpatterns.core.ClosedException.class)
                .hasMessageContaining("is closed");
    }

    // ---------------------------------------------------------------- codecs

    @Test
    void textCodec_roundTripsUtf8_andRejectsInvalidBytes() {
        var codec = JobCodec.text();
        assertThat(codec.decode(codec.encode("héllo ✓"))).isEqualTo("héllo ✓");
        assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0xff, (byte) 0xfe}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid UTF-8");
    }

    record Point(int x, int y) {}

    @Test
    void customCodecs_roundTrip() {
        var text = JobCodec.<Point>text(p -> p.x() + "," + p.y(), s -> {
            String[] parts = s.split(",");
            return new Point(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        });
        assertThat(text.decode(text.encode(new Point(3, -4)))).isEqualTo(new Point(3, -4));
        var bytes = JobCodec.<String>bytes(
                s -> s.getBytes(StandardCharsets.UTF_16), b -> new String(b, StandardCharsets.UTF_16));
        assertThat(bytes.decode(bytes.encode("x"))).isEqualTo("x");
        var raw = JobCodec.bytes();
        byte[] original = {1, 2, 3};
        byte[] encoded = raw.encode(original);
        original[0] = 9;
        assertThat(List.of(raw.decode(encoded)[0])).containsExactly((byte) 1);
    }
}
