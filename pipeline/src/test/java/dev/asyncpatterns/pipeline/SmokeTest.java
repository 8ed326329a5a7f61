package dev.asyncpatterns.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void cpu() throws Exception {
        for (int round = 0; round < 30; round++) {
            long t0 = System.nanoTime();
            long sum = Pipeline.range(0, 1_000_000).map(x -> x * 2).filter(x -> x % 2 == 0).fold(0L, Long::sum).run().get();
            long t1 = System.nanoTime();
            long sum2 = java.util.stream.LongStream.range(0, 1_000_000).boxed().map(x -> x * 2).filter(x -> x % 2 == 0).reduce(0L, Long::sum);
            long t2 = System.nanoTime();
            System.out.printf("ours %.1f ms stream %.1f ms%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            assertThat(sum).isEqualTo(sum2);
        }
    }
}
