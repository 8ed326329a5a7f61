package dev.asyncpatterns.testkit.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.Tasks;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The examples in the testkit javadoc ({@code {@snippet class=... region=...}}), compiled and
 * run, using only the public API as users would.
 *
 * <p>Inside a region, a line ending in {@code // @replace regex="(?s).*" replacement=""} is a
 * check the prose around the snippet describes; it runs but is left out of the rendered snippet.
 */
class TestkitSnippets {

    private final AtomicInteger attempts = new AtomicInteger();

    /** Code under test: a retry loop on another thread, sleeping a virtual minute between tries. */
    private CompletableFuture<String> retryEveryMinuteForTenMinutes(VirtualClock clock) {
        return Tasks.start(
                () -> {
                    while (attempts.incrementAndGet() <= 10) {
                        Futures.sleep(Duration.ofMinutes(1), clock).join();
                    }
                    return "ok";
                },
                clock.executor());
    }

    // ---------------------------------------------------------------- VirtualClock (class javadoc)

    @Test
    void advance_runsDueTimersOnTheCallingThread() {
        // @start region=advance
        var clock = VirtualClock.create();
        var delayed = clock.delay(Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(9)); // nothing due yet
        assertThat(delayed).isNotDone(); // @replace regex="(?s).*" replacement=""
        clock.advance(Duration.ofMinutes(1)); // runs the timer on this thread
        assert delayed.isDone();
        // @end

        assertThat(delayed).isCompleted();
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMinutes(10));
        assertThat(clock.pendingTimers()).isZero();
    }

    // ---------------------------------------------------------------- package-info

    @Test
    void explicitAdvance_timeoutFiresOnTheTestThread() {
        // @start region=explicitAdvance
        var clock = VirtualClock.create();
        var work = new CompletableFuture<String>();
        var timed = Futures.withTimeout(work, Duration.ofSeconds(5), clock);
        clock.advance(Duration.ofSeconds(5)); // the timeout fires here, on this thread
        assertThat(timed).isCompletedExceptionally(); // TimeoutException
        assertThat(work).isCancelled(); // and the work was cancelled
        // @end

        assertThat(timed)
                .failsWithin(Duration.ZERO)
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(TimeoutException.class);
        assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void runUntilDone_tenMinuteRetryScheduleRunsInstantly() throws Exception {
        // @start region=runUntilDone
        var clock = VirtualClock.create();
        CompletableFuture<String> result = retryEveryMinuteForTenMinutes(clock); // code under test
        assertThat(clock.runUntilDone(result, Duration.ofHours(1))).isEqualTo("ok");
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMinutes(10));
        // @end

        assertThat(attempts).hasValue(11);
        assertThat(result).isCompletedWithValue("ok");
    }
}
