package dev.asyncpatterns.core.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration MS100 = Duration.ofMillis(100);

    // ---------------------------------------------------------------- fixed and exponential

    @Test
    void fixed_sameDelayForEveryAttempt() {
        Backoff backoff = Backoff.fixed(MS100);
        assertThat(backoff.delay(1)).contains(MS100);
        assertThat(backoff.delay(1_000_000)).contains(MS100);
        assertThat(Backoff.fixed(Duration.ZERO).delay(5)).contains(Duration.ZERO);
    }

    @Test
    void exponential_doublesFromBase() {
        Backoff backoff = Backoff.exponential(MS100);
        assertThat(backoff.delay(1)).contains(MS100);
        assertThat(backoff.delay(2)).contains(Duration.ofMillis(200));
        assertThat(backoff.delay(4)).contains(Duration.ofMillis(800));
    }

    @Test
    void exponential_customMultiplier() {
        Backoff backoff = Backoff.exponential(MS100, 1.5);
        assertThat(backoff.delay(3)).contains(Duration.ofMillis(225));
    }

    @Test
    void cap_limitsGrowth() {
        Backoff backoff = Backoff.exponential(MS100).cap(Duration.ofSeconds(1));
        assertThat(backoff.delay(4)).contains(Duration.ofMillis(800));
        assertThat(backoff.delay(5)).contains(Duration.ofSeconds(1));
        assertThat(backoff.delay(60)).contains(Duration.ofSeconds(1));
        assertThat(backoff.cap()).contains(Duration.ofSeconds(1));
    }

    @Test
    void exponential_hugeAttempt_noOverflow() {
        Backoff uncapped = Backoff.exponential(MS100);
        assertThat(uncapped.delay(Integer.MAX_VALUE - 1)).contains(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(uncapped.delay(64)).hasValueSatisfying(d -> assertThat(d).isPositive());
        Backoff capped = Backoff.exponential(MS100).cap(Duration.ofMinutes(5)).jitter(Backoff.Jitter.FULL);
        for (int attempt : new int[] {31, 63, 64, 1_000, 1_000_000, Integer.MAX_VALUE - 1}) {
            assertThat(capped.delay(attempt).orElseThrow()).isBetween(Duration.ZERO, Duration.ofMinutes(5));
        }
    }

    @Test
    void hugeBase_saturatesInsteadOfOverflowing() {
        Backoff backoff = Backoff.exponential(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(backoff.delay(1)).contains(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(backoff.delay(3)).contains(Duration.ofNanos(Long.MAX_VALUE));
    }

    // ---------------------------------------------------------------- attempts

    @Test
    void maxAttempts_emptyOnceLimitReached() {
        Backoff backoff = Backoff.fixed(MS100).maxAttempts(3);
        assertThat(backoff.delay(1)).isPresent();
        assertThat(backoff.delay(2)).isPresent();
        assertThat(backoff.delay(3)).isEmpty();
        assertThat(backoff.delay(4)).isEmpty();
        assertThat(Backoff.fixed(MS100).maxAttempts(1).delay(1)).isEmpty();
        assertThat(backoff.maxAttempts()).isEqualTo(3);
    }

    @Test
    void sequence_stopsAtMaxAttempts() {
        Backoff.Sequence sequence = Backoff.exponential(MS100).maxAttempts(3).sequence();
        assertThat(sequence.next()).contains(MS100);
        assertThat(sequence.next()).contains(Duration.ofMillis(200));
        assertThat(sequence.next()).isEmpty();
        assertThat(sequence.next()).isEmpty();
        assertThat(sequence.attempts()).isEqualTo(4);
    }

    // ---------------------------------------------------------------- jitter

    @Test
    void fullJitter_withinZeroAndDelay() {
        Backoff backoff = Backoff.exponential(MS100).jitter(Backoff.Jitter.FULL);
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            Duration d = backoff.delay(3).orElseThrow();
            assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(400));
            seen.add(d);
        }
        assertThat(seen).hasSizeGreaterThan(100);
    }

    @Test
    void equalJitter_withinHalfAndDelay() {
        Backoff backoff = Backoff.exponential(MS100).jitter(Backoff.Jitter.EQUAL);
        for (int i = 0; i < 1_000; i++) {
            assertThat(backoff.delay(3).orElseThrow()).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        }
    }

    @Test
    void decorrelatedJitter_sequenceStaysBetweenBaseAndThreeTimesPrevious() {
        Backoff backoff =
                Backoff.exponential(MS100).jitter(Backoff.Jitter.DECORRELATED).cap(Duration.ofSeconds(10));
        for (int run = 0; run < 100; run++) {
            Backoff.Sequence sequence = backoff.sequence();
            Duration previous = MS100;
            for (int i = 0; i < 50; i++) {
                Duration d = sequence.next().orElseThrow();
                Duration upper = previous.multipliedBy(3);
                assertThat(d)
                        .isBetween(MS100, upper.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : upper);
                previous = d;
            }
        }
    }

    @Test
    void decorrelatedJitter_statelessDelayWithinBounds() {
        Backoff backoff =
                Backoff.exponential(MS100).jitter(Backoff.Jitter.DECORRELATED).cap(Duration.ofSeconds(10));
        assertThat(backoff.delay(1).orElseThrow()).isBetween(MS100, Duration.ofMillis(300));
        assertThat(backoff.delay(3).orElseThrow()).isBetween(MS100, Duration.ofMillis(2_700));
        assertThat(backoff.delay(1_000_000).orElseThrow()).isBetween(MS100, Duration.ofSeconds(10));
    }

    @Test
    void seed_sameSeedSameDelays_differentSeedDifferentDelays() {
        Backoff a = Backoff.exponential(MS100).jitter(Backoff.Jitter.FULL).seed(42);
        Backoff b = Backoff.exponential(MS100).jitter(Backoff.Jitter.FULL).seed(42);
        Backoff c = Backoff.exponential(MS100).jitter(Backoff.Jitter.FULL).seed(43);
        List<Optional<Duration>> fromA = new ArrayList<>();
        List<Optional<Duration>> fromB = new ArrayList<>();
        List<Optional<Duration>> fromC = new ArrayList<>();
        for (int attempt = 1; attempt <= 20; attempt++) {
            fromA.add(a.delay(attempt));
            fromB.add(b.delay(attempt));
            fromC.add(c.delay(attempt));
        }
        assertThat(fromA).isEqualTo(fromB).isNotEqualTo(fromC);
        assertThat(a.delay(7)).isEqualTo(a.delay(7));
    }

    @Test
    void seed_everySequenceReplaysTheSameDelays() {
        Backoff backoff =
                Backoff.exponential(MS100).jitter(Backoff.Jitter.DECORRELATED).seed(7);
        Backoff.Sequence first = backoff.sequence();
        Backoff.Sequence second = backoff.sequence();
        for (int i = 0; i < 30; i++) {
            assertThat(first.next()).isEqualTo(second.next());
        }
    }

    // ---------------------------------------------------------------- value semantics

    @Test
    void settings_returnNewInstancesAndLeaveOriginalUnchanged() {
        Backoff original = Backoff.exponential(MS100);
        Backoff capped = original.cap(Duration.ofSeconds(1));
        assertThat(original.cap()).isEmpty();
        assertThat(capped)
                .isNotEqualTo(original)
                .isEqualTo(Backoff.exponential(MS100).cap(Duration.ofSeconds(1)));
        assertThat(capped.hashCode())
                .isEqualTo(Backoff.exponential(MS100).cap(Duration.ofSeconds(1)).hashCode());
        assertThat(original.jitter(Backoff.Jitter.EQUAL).jitter()).isEqualTo(Backoff.Jitter.EQUAL);
        assertThat(original.jitter()).isEqualTo(Backoff.Jitter.NONE);
        assertThat(original.base()).isEqualTo(MS100);
        assertThat(capped.toString()).contains("exponential").contains("cap=PT1S");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInput_rejectedWithNamedParameter() {
        assertThatThrownBy(() -> Backoff.fixed(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("delay");
        assertThatThrownBy(() -> Backoff.fixed(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delay");
        assertThatThrownBy(() -> Backoff.exponential(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("base");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base");
        for (double bad : new double[] {0.5, 0, -2, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> Backoff.exponential(MS100, bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("multiplier");
        }
        Backoff backoff = Backoff.fixed(MS100);
        assertThatThrownBy(() -> backoff.jitter(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("jitter");
        assertThatThrownBy(() -> backoff.cap(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("cap");
        assertThatThrownBy(() -> backoff.cap(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cap");
        assertThatThrownBy(() -> backoff.maxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAttempts")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> backoff.delay(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attempt");
        assertThatThrownBy(() -> backoff.delay(-5)).isInstanceOf(IllegalArgumentException.class);
    }
}
