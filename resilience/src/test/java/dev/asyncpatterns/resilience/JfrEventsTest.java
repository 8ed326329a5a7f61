package dev.asyncpatterns.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.testkit.VirtualClock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16, item 3: the resilience module's JFR events, recorded and read back with {@link RecordingFile}. */
class JfrEventsTest {

    private final VirtualClock clock = VirtualClock.create();

    @TempDir
    Path dir;

    private List<RecordedEvent> record(String event, Runnable body) throws Exception {
        Path file = dir.resolve("events.jfr");
        try (var recording = new Recording()) {
            recording.enable(event);
            recording.start();
            body.run();
            recording.stop();
            recording.dump(file);
        }
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(event))
                .toList();
    }

    @Test
    void retryAttempt_failedAttempts_recordedWithNextAttemptDelayFailure() throws Exception {
        var retry = Retry.of(
                "r",
                RetryConfig.custom()
                        .maxAttempts(3)
                        .waitDuration(Duration.ofMillis(250))
                        .build());
        AsyncResilience<String> policy = AsyncResilience.<String>builder("inventory")
                .timeSource(clock)
                .retry(retry)
                .build();
        List<RecordedEvent> events = record("dev.asyncpatterns.RetryAttempt", () -> {
            var calls = new int[1];
            CompletableFuture<String> result = policy.call(() -> calls[0]++ < 2
                    ? CompletableFuture.failedFuture(new IOException("refused"))
                    : CompletableFuture.completedFuture("ok"));
            clock.advance(Duration.ofMillis(500));
            assertThat(result).isCompletedWithValue("ok");
        });

        assertThat(events).extracting(e -> e.getInt("attempt")).containsExactly(2, 3);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.getString("decorator")).isEqualTo("inventory");
            assertThat(e.getLong("delay")).isEqualTo(Duration.ofMillis(250).toNanos());
            assertThat(e.getString("failure")).isEqualTo(IOException.class.getName());
            assertThat(e.getString("message")).isEqualTo("refused");
        });
    }

    @Test
    void circuitStateChange_breakerOpens_recordedWithFromTo() throws Exception {
        var breaker = CircuitBreaker.of(
                "payments-cb",
                CircuitBreakerConfig.custom()
                        .clock(AsyncResilience.clock(clock))
                        .slidingWindowSize(2)
                        .minimumNumberOfCalls(2)
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(Duration.ofSeconds(10))
                        .build());
        AsyncResilience<String> policy = AsyncResilience.<String>builder("payments")
                .timeSource(clock)
                .circuitBreaker(breaker)
                .build();
        List<RecordedEvent> events = record("dev.asyncpatterns.CircuitStateChange", () -> {
            for (int i = 0; i < 2; i++) {
                policy.call(() -> CompletableFuture.failedFuture(new IOException("down")));
            }
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        });

        assertThat(events).hasSize(1);
        RecordedEvent event = events.get(0);
        assertThat(event.getString("decorator")).isEqualTo("payments");
        assertThat(event.getString("circuitBreaker")).isEqualTo("payments-cb");
        assertThat(event.getString("from")).isEqualTo("CLOSED");
        assertThat(event.getString("to")).isEqualTo("OPEN");
    }
}
