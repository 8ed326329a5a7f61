package dev.asyncpatterns.benchmarks.headline;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ScalingBenchmarkTest {

    @Test
    void everyVariant_thousandCalls_returnsEveryAnswerInOrder() throws Exception {
        ScalingBenchmark bench = new ScalingBenchmark();
        bench.calls = 1_000;
        bench.setUp(Duration.ofMillis(2));
        List<String> expected =
                IntStream.range(0, 1_000).mapToObj(i -> "call-" + i).toList();

        List<Method> methods = HeadlineBenchmarkTest.benchmarkMethods(ScalingBenchmark.class);
        for (Method method : methods) {
            assertThat(method.invoke(bench)).as(method.getName()).isEqualTo(expected);
            assertThat(Variant.byMethod(method.getName())).as(method.getName()).isPresent();
        }
        assertThat(methods)
                .extracting(Method::getName)
                .contains("completableFutureAll", "futuresAll", "virtualThreads");
    }
}
