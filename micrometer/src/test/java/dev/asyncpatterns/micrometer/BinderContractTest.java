package dev.asyncpatterns.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.resilience.ResilienceEvent;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What every binder does with bad input, a second binding and a second component. */
class BinderContractTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void constructorAndMonitor_nullArguments_throwNamingTheParameter() {
        var semaphore = AsyncSemaphore.builder(1).name("s").build();
        assertThatNullPointerException()
                .isThrownBy(() -> new SemaphoreMetrics(null, Tags.empty()))
                .withMessage("component");
        assertThatNullPointerException()
                .isThrownBy(() -> new SemaphoreMetrics(semaphore, null))
                .withMessage("tags");
        assertThatNullPointerException()
                .isThrownBy(() -> new SemaphoreMetrics(semaphore, Tags.empty()).bindTo(null))
                .withMessage("registry");
        assertThatNullPointerException()
                .isThrownBy(() -> ResilienceMetrics.timers(null))
                .withMessage("registry");
        assertThatIllegalArgumentException().isThrownBy(() -> SemaphoreMetrics.monitor(registry, semaphore, "odd"));
    }

    @Test
    void bindTo_twice_registersEachMeterOnce() {
        var semaphore = AsyncSemaphore.builder(1).name("s").build();
        var binder = new SemaphoreMetrics(semaphore, Tags.empty());
        binder.bindTo(registry);
        int meters = registry.getMeters().size();
        binder.bindTo(registry);
        assertThat(registry.getMeters()).hasSize(meters);
        assertThat(meters).isEqualTo(6);
    }

    @Test
    void twoComponentsOfOneKind_areTwoSeriesOfTheSameMeters() {
        var a = SemaphoreMetrics.monitor(
                registry, AsyncSemaphore.builder(1).name("a").build());
        SemaphoreMetrics.monitor(registry, AsyncSemaphore.builder(3).name("b").build());
        a.acquire();
        assertThat(registry.get("asyncpatterns.semaphore.available").gauges()).hasSize(2);
        assertThat(registry.get("asyncpatterns.semaphore.available")
                        .tag("name", "a")
                        .gauge()
                        .value())
                .isZero();
        assertThat(registry.get("asyncpatterns.semaphore.available")
                        .tag("name", "b")
                        .gauge()
                        .value())
                .isEqualTo(3);
    }

    @Test
    void timers_oneListenerForSeveralDecorators_tagsEachByItsName() {
        var timers = ResilienceMetrics.timers(registry, "team", "pricing");
        Instant now = Instant.EPOCH;
        timers.accept(new ResilienceEvent.CallFinished("x", now, 1, Duration.ofMillis(5), null, null));
        timers.accept(new ResilienceEvent.CallFinished("y", now, 1, Duration.ofMillis(7), null, null));
        timers.accept(new ResilienceEvent.CallFinished(
                "y",
                now,
                2,
                Duration.ofMillis(9),
                dev.asyncpatterns.resilience.FailureKind.TIMEOUT,
                new java.util.concurrent.TimeoutException()));
        timers.accept(new ResilienceEvent.AttemptStarted("y", now, 1, 0)); // not a duration: ignored

        assertThat(registry.get("asyncpatterns.resilience.call.duration")
                        .tags("name", "x", "team", "pricing")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("asyncpatterns.resilience.call.duration")
                        .tags("name", "y", "result", "succeeded")
                        .timer()
                        .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
                .isEqualTo(7);
        assertThat(registry.get("asyncpatterns.resilience.call.duration")
                        .tags("name", "y", "result", "timeout")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.getMeters()).hasSize(3);
    }
}
