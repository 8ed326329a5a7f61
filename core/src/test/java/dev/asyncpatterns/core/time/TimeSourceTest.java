package dev.asyncpatterns.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The system time source. Real time appears here only as lower or generous upper bounds. */
class TimeSourceTest {

    private final TimeSource system = TimeSource.system();

    @Test
    void schedule_runsTaskOnVirtualThreadNotTimerThread() throws Exception {
        var ranOn = new CompletableFuture<Thread>();
        system.schedule(Duration.ofMillis(1), () -> ranOn.complete(Thread.currentThread()));
        Thread thread = ranOn.get(10, TimeUnit.SECONDS);
        assertThat(thread.isVirtual()).isTrue();
    }

    @Test
    void delay_completesNoEarlierThanRequested() throws Exception {
        long start = system.nanoTime();
        system.delay(Duration.ofMillis(20)).get(10, TimeUnit.SECONDS);
        assertThat(system.nanoTime() - start)
                .isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
    }

    @Test
    void schedule_hugeDelay_doesNotOverflowAndCanBeCancelled() {
        Cancellable timer = system.schedule(Duration.ofSeconds(Long.MAX_VALUE), () -> {});
        assertThat(timer.cancel()).isTrue();
        assertThat(timer.cancel()).isFalse();
    }

    @Test
    void delay_cancelled_doesNotComplete() {
        var delayed = system.delay(Duration.ofDays(1));
        assertThat(delayed.cancel(false)).isTrue();
        assertThat(delayed).isCancelled();
    }

    @Test
    void badInput_rejectedWithNamedParameter() {
        assertThatThrownBy(() -> system.schedule(null, () -> {}))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("delay");
        assertThatThrownBy(() -> system.schedule(Duration.ZERO, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("task");
        assertThatThrownBy(() -> system.delay(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("delay");
    }
}
