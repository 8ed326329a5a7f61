package dev.asyncpatterns.benchmarks.headline;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * Every headline variant does the same job: run each {@code @Benchmark} method outside JMH on
 * every scenario with a 1 ms latency and check the answers come back complete and in call order.
 */
class HeadlineBenchmarkTest {

    private static final Duration FAST = Duration.ofMillis(1);

    static List<Method> benchmarkMethods(Class<?> type) {
        return Arrays.stream(type.getMethods())
                .filter(m -> m.isAnnotationPresent(Benchmark.class))
                .toList();
    }

    // ---------------------------------------------------------------- same answers everywhere

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void everyVariant_scenario_returnsEveryAnswerInOrder(Scenario scenario) throws Exception {
        HeadlineBenchmark bench = new HeadlineBenchmark();
        bench.scenario = scenario;
        bench.setUp(FAST, false); // HttpBackend.warmUp has its own tests
        try {
            List<String> expected = IntStream.range(0, scenario.calls())
                    .mapToObj(scenario::answer)
                    .toList();
            List<String> checked = new ArrayList<>();
            for (Method method : benchmarkMethods(HeadlineBenchmark.class)) {
                assertThat(method.invoke(bench))
                        .as(scenario + " " + method.getName())
                        .isEqualTo(expected);
                checked.add(method.getName());
            }
            assertThat(checked)
                    .contains(
                            "sequential",
                            "completableFutureAll",
                            "futuresAll",
                            "virtualThreads",
                            "virtualThreadsSemaphore",
                            "asyncutilSemaphore",
                            "parallelMap",
                            "pipeline");
        } finally {
            bench.tearDown();
        }
    }

    // ---------------------------------------------------------------- the report's table matches the class

    @Test
    void benchmarkMethods_eachHasAVariant() {
        for (Method method : benchmarkMethods(HeadlineBenchmark.class)) {
            assertThat(Variant.byMethod(method.getName())).as(method.getName()).isPresent();
        }
    }

    @Test
    void variants_eachHasABenchmarkMethod() {
        // in the headline suite, or (the JDK-timer peer and the latency-model baseline) the scaling series
        List<String> methods = java.util.stream.Stream.concat(
                        benchmarkMethods(HeadlineBenchmark.class).stream(),
                        benchmarkMethods(ScalingBenchmark.class).stream())
                .map(Method::getName)
                .toList();

        for (Variant variant : Variant.values()) {
            assertThat(methods).as(variant.name()).contains(variant.method());
        }
    }

    @Test
    void variants_idealTimes_followTheirShape() {
        assertThat(Variant.SEQUENTIAL.idealMs(100, 20, 10)).isEqualTo(2000);
        assertThat(Variant.FUTURES_ALL.idealMs(100, 20, 10)).isEqualTo(20);
        assertThat(Variant.PARALLEL_MAP.idealMs(100, 20, 10)).isEqualTo(200);
        assertThat(Variant.PARALLEL_MAP.idealMs(5, 20, 2)).isEqualTo(60);
        assertThat(Variant.FUTURES_ALL.peer()).contains(Variant.COMPLETABLE_FUTURE_ALL);
        assertThat(Variant.SEQUENTIAL.peer()).isEmpty();
    }

    @Test
    void scenarios_idealsMatchTheTutorialNumbers() {
        assertThat(Scenario.FILE_READS.calls()).isEqualTo(100);
        assertThat(Scenario.FILE_READS.idealBounded()).isEqualTo(Duration.ofMillis(200));
        assertThat(Scenario.DB_QUERIES.idealBounded()).isEqualTo(Duration.ofMillis(60));
        assertThat(Scenario.API_CALLS.idealSequential()).isEqualTo(Duration.ofSeconds(1));
        assertThat(Scenario.PAGE_SCRAPES.idealConcurrent()).isEqualTo(Duration.ofMillis(100));
    }
}
