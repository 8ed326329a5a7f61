package dev.asyncpatterns.resilience;

import com.google.common.testing.NullPointerTester;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.testkit.VirtualClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Every public method and constructor rejects a null argument with an NPE, at once. */
class NullArgumentsTest {

    private final VirtualClock clock = VirtualClock.create();

    private NullPointerTester tester() {
        return new NullPointerTester()
                .setDefault(Duration.class, Duration.ofSeconds(1))
                .setDefault(Instant.class, clock.instant())
                .setDefault(TimeSource.class, clock)
                .setDefault(Backoff.class, Backoff.fixed(Duration.ofMillis(1)).maxAttempts(2))
                .setDefault(Hedging.class, Hedging.afterDelay(Duration.ofMillis(10), 1))
                .setDefault(String.class, "name")
                .setDefault(Throwable.class, new IOException("x"))
                .setDefault(JobId.class, new JobId(1))
                .setDefault(JobStore.Lease.class, new JobStore.Lease("owner", 1))
                .setDefault(java.time.Duration.class, java.time.Duration.ofSeconds(1))
                .setDefault(
                        JobAttempt.class, new JobAttempt(1, clock.instant(), clock.instant(), new IOException("x")));
    }

    @Test
    void asyncResilience_rejectsNulls() {
        var tester = tester();
        tester.testAllPublicStaticMethods(AsyncResilience.class);
        tester.testAllPublicInstanceMethods(
                AsyncResilience.<String>builder("svc").timeSource(clock).build());
        tester.testAllPublicInstanceMethods(AsyncResilience.<String>builder("svc"));
        tester.testAllPublicStaticMethods(Hedging.class);
    }

    @Test
    void retryQueue_rejectsNulls() {
        var tester = tester();
        tester.testAllPublicStaticMethods(RetryQueue.class);
        tester.testAllPublicInstanceMethods(
                RetryQueue.<String>builder("q", job -> CompletableFuture.completedFuture(null))
                        .timeSource(clock)
                        .build());
        tester.testAllPublicInstanceMethods(
                RetryQueue.<String>builder("q", job -> CompletableFuture.completedFuture(null)));
        tester.testAllPublicInstanceMethods(new InMemoryJobStore<String>());
        tester.testAllPublicConstructors(JobAttempt.class);
        tester.testAllPublicConstructors(JobRecord.class);
    }
}
