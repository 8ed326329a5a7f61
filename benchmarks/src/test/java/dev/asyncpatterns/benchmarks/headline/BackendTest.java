package dev.asyncpatterns.benchmarks.headline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.testkit.VirtualClock;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BackendTest {

    // ---------------------------------------------------------------- latency model

    @Test
    void simulatedIo_beforeLatency_pendingThenAnswers() {
        VirtualClock clock = VirtualClock.create();
        SimulatedIo io = new SimulatedIo(clock, Duration.ofMillis(20), "row");

        CompletableFuture<String> call = io.callAsync(7);
        clock.advance(Duration.ofMillis(19));
        assertThat(call).isNotDone();
        clock.advance(Duration.ofMillis(1));

        assertThat(call).isCompletedWithValue("row-7");
    }

    @Test
    void simulatedIo_manyCalls_oneTimerEachNoThreads() {
        VirtualClock clock = VirtualClock.create();
        SimulatedIo io = new SimulatedIo(clock, Duration.ofMillis(20), "file");

        for (int i = 0; i < 1_000; i++) {
            io.callAsync(i);
        }

        assertThat(clock.pendingTimers()).isEqualTo(1_000);
    }

    // ---------------------------------------------------------------- local HTTP

    @Test
    void delayServer_uri_loopbackWithKindAndNumber() {
        try (DelayServer server = DelayServer.start(TimeSource.system(), Duration.ZERO)) {
            URI uri = server.uri("page", 3);

            assertThat(uri.getHost()).isEqualTo("127.0.0.1");
            assertThat(uri.getPath()).isEqualTo("/page/3");
        }
    }

    @Test
    void httpBackend_blockingAndAsync_answerAfterTheDelay() throws Exception {
        try (HttpBackend http = new HttpBackend(TimeSource.system(), Duration.ofMillis(30), "api")) {
            long start = System.nanoTime();
            assertThat(http.call(4)).isEqualTo("api-4");
            assertThat(System.nanoTime() - start)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());

            assertThat(http.callAsync(5).join()).isEqualTo("api-5");
        }
    }

    @Test
    void httpBackend_warmUp_runsZeroDelayExchangesInBothForms() {
        try (HttpBackend http = new HttpBackend(TimeSource.system(), Duration.ofHours(1), "api")) {
            int ran = http.warmUp(40, 10, Duration.ofMinutes(1));

            // an hour-long latency would time the test out: warm-up requests skip the delay
            assertThat(ran).isEqualTo(40);
        }
    }

    @Test
    void httpBackend_warmUp_badArguments_throw() {
        try (HttpBackend http = new HttpBackend(TimeSource.system(), Duration.ZERO, "api")) {
            assertThatThrownBy(() -> http.warmUp(-1, 1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> http.warmUp(1, 0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
