package dev.asyncpatterns.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.Tasks;
import dev.asyncpatterns.core.scope.TaskScope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The usage shown in the package documentation, run against the toolkit's own components. */
class VirtualClockWithToolkitTest {

    private final VirtualClock clock = VirtualClock.create();

    @Test
    void advance_firesToolkitTimeoutOnTheTestThread() {
        var work = new CompletableFuture<String>();
        var timed = Futures.withTimeout(work, Duration.ofSeconds(5), clock);
        clock.advance(Duration.ofSeconds(5));
        assertThat(timed).isCompletedExceptionally();
        assertThat(work).isCancelled();
    }

    /** A retry loop on another thread: it sleeps a virtual minute between attempts. */
    private CompletableFuture<String> retryEveryMinuteForTenMinutes(AtomicInteger attempts) {
        return Tasks.start(
                () -> {
                    while (attempts.incrementAndGet() <= 10) {
                        Futures.sleep(Duration.ofMinutes(1), clock).join();
                    }
                    return "ok";
                },
                clock.executor());
    }

    @Test
    void runUntilDone_tenMinuteRetryScheduleRunsInstantly() throws Exception {
        var attempts = new AtomicInteger();
        var result = retryEveryMinuteForTenMinutes(attempts);
        assertThat(clock.runUntilDone(result, Duration.ofHours(1))).isEqualTo("ok");
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMinutes(10));
        assertThat(attempts).hasValue(11);
    }

    @Test
    void autoAdvance_blockingJoinOnScopeDeadline() throws Exception {
        try (var ignored = clock.autoAdvance();
                var scope = TaskScope.builder()
                        .deadline(Duration.ofMinutes(30))
                        .timeSource(clock)
                        .open()) {
            var never = new CompletableFuture<String>();
            scope.forkAsync(() -> never);
            assertThatThrownBy(scope::joinBlocking)
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
            assertThat(clock.elapsed()).isEqualTo(Duration.ofMinutes(30));
            assertThat(never).isCancelled();
        }
    }
}
