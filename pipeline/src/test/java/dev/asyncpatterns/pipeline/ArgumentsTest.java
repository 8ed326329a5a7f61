package dev.asyncpatterns.pipeline;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.NullPointerTester;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.queue.Overflow;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad arguments fail at the call, naming the parameter and the value, before anything runs. */
class ArgumentsTest {

    private static final Pipeline<Integer> P = Pipeline.of(1, 2, 3);

    // ---------------------------------------------------------------- nulls

    private static NullPointerTester tester() {
        return new NullPointerTester()
                .setDefault(int.class, 1)
                .setDefault(long.class, 1L)
                .setDefault(Pipeline.class, Pipeline.of(1))
                .setDefault(Duration.class, Duration.ofSeconds(1))
                .setDefault(Backoff.class, Backoff.fixed(Duration.ofMillis(1)).maxAttempts(2))
                .setDefault(OnError.class, OnError.failFast())
                .setDefault(Overflow.class, Overflow.BACKPRESSURE)
                .setDefault(Executor.class, Runnable::run)
                .setDefault(TimeSource.class, TimeSource.system())
                .setDefault(AsyncQueue.class, AsyncQueue.bounded(1))
                .setDefault(Flow.Publisher.class, (Flow.Publisher<Object>) s -> {})
                .setDefault(Stream.class, Stream.of(1))
                .setDefault(java.util.stream.Collector.class, Collectors.counting());
    }

    @Test
    void pipeline_nullArguments_throwNpe() throws Exception {
        NullPointerTester tester = tester();
        tester.ignore(Pipeline.class.getMethod("unfold", Object.class, Function.class)); // the seed may be null
        tester.testAllPublicStaticMethods(Pipeline.class);
        tester.testAllPublicInstanceMethods(P);
    }

    @Test
    void jobAndPolicy_nullArguments_throwNpe() {
        NullPointerTester tester = tester();
        tester.testAllPublicInstanceMethods(P.count());
        tester.testAllPublicStaticMethods(OnError.class);
        tester.testAllPublicInstanceMethods(
                OnError.retry(Backoff.fixed(Duration.ofMillis(1)).maxAttempts(2)));
        tester.testAllPublicConstructors(StageMetrics.class);
    }

    @Test
    void step_nullElement_throwsNpe() {
        assertThatThrownBy(() -> new Pipeline.Step<>(null, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("element");
    }

    // ---------------------------------------------------------------- out of range

    static Stream<Arguments> outOfRange() {
        return Stream.of(
                bad("parallelism", "0", () -> P.mapAsync(0, x -> null)),
                bad("parallelism", "-1", () -> P.mapAsyncUnordered(-1, x -> null)),
                bad("parallelism", "2147483647", () -> P.mapAsync(Integer.MAX_VALUE, x -> null)),
                bad("n", "-1", () -> P.take(-1)),
                bad("n", "-5", () -> P.skip(-5)),
                bad("maxRemembered", "0", () -> P.distinct(0)),
                bad("size", "0", () -> P.batch(0)),
                bad("size", "2147483647", () -> P.batch(Integer.MAX_VALUE)),
                bad("maxWait", "PT0S", () -> P.batch(10, Duration.ZERO)),
                bad("maxWait", "PT-1S", () -> P.batch(10, Duration.ofSeconds(-1))),
                bad("length", "PT0S", () -> P.window(Duration.ZERO, Collectors.counting())),
                bad("elements", "0", () -> P.throttle(0, Duration.ofSeconds(1))),
                bad("period", "PT-0.001S", () -> P.throttle(1, Duration.ofMillis(-1))),
                bad("period", "PT2562047788015H", () -> P.throttle(1, Duration.ofSeconds(Long.MAX_VALUE / 1000))),
                bad("capacity", "0", () -> P.buffer(0, Overflow.DROP_OLDEST)),
                bad("capacity", "-3", () -> P.async(-3, Runnable::run)),
                bad("limit", "PT0S", () -> P.timeout(Duration.ZERO)),
                bad("limit", "-1", () -> P.toList(-1)),
                bad("limit", "2147483647", () -> P.toList(Integer.MAX_VALUE)),
                bad("size", "0", () -> P.forEachBatch(0, b -> null)),
                bad("prefetch", "0", () -> Pipeline.fromPublisher(s -> {}, 0)),
                bad("period", "PT0S", () -> Pipeline.tick(Duration.ZERO)),
                bad("backoff", "unlimited", () -> OnError.retry(Backoff.exponential(Duration.ofMillis(1)))));
    }

    static Arguments bad(String parameter, String value, ThrowingCallable call) {
        return Arguments.of(parameter, value, call);
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("outOfRange")
    void outOfRange_throwsIaeNamingParameterAndValue(String parameter, String value, ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(parameter)
                .hasMessageContaining(value);
    }

    @Test
    void badArguments_nothingRuns() {
        List<Integer> touched = new java.util.ArrayList<>();
        Pipeline<Integer> p = Pipeline.of(1).peek(touched::add);
        assertThatThrownBy(() -> p.mapAsync(0, x -> null)).isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThat(touched).isEmpty();
    }
}
