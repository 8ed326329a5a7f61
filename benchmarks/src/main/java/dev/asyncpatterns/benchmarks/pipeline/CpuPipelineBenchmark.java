package dev.asyncpatterns.benchmarks.pipeline;

import dev.asyncpatterns.pipeline.Pipeline;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;

/**
 * What a purely synchronous chain costs: {@code range(n).map(x * 2).filter(even).fold(sum)} over
 * boxed longs, one full run per operation (the result future is joined).
 *
 * <ul>
 *   <li>{@code pipeline}: {@link Pipeline} with its defaults (the run starts on a new virtual
 *       thread; the range pushes each element through map and filter into the fold, no
 *       per-element future, lock or wrapper);
 *   <li>{@code pipelineDirect}: the same, started on the calling thread
 *       ({@code executor(Runnable::run)}), to show the thread hand-off is negligible;
 *   <li>{@code stream}: a sequential, boxed {@code java.util.stream.Stream} (the aim);
 *   <li>{@code flux}: Reactor {@code Flux} (the bar: we must not be slower).
 * </ul>
 *
 * <p>Sampled ({@link Mode#SampleTime}: at about 10 ms an operation, timing each one costs nothing), so
 * the report shows p50 / p99 beside the mean.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CpuPipelineBenchmark -f 2 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class CpuPipelineBenchmark {

    @Param({"1000000"})
    int n;

    @Param({"pipeline", "pipelineDirect", "stream", "flux"})
    String impl;

    @Benchmark
    public long mapFilterFold() {
        return switch (impl) {
            case "pipeline" ->
                Pipeline.range(0, n)
                        .map(x -> x * 2)
                        .filter(x -> x % 2 == 0)
                        .fold(0L, Long::sum)
                        .run()
                        .join();
            case "pipelineDirect" ->
                Pipeline.range(0, n)
                        .map(x -> x * 2)
                        .filter(x -> x % 2 == 0)
                        .fold(0L, Long::sum)
                        .executor(Runnable::run)
                        .run()
                        .join();
            case "stream" ->
                LongStream.range(0, n)
                        .boxed()
                        .map(x -> x * 2)
                        .filter(x -> x % 2 == 0)
                        .reduce(0L, Long::sum);
            case "flux" ->
                Flux.range(0, n)
                        .map(x -> x * 2L)
                        .filter(x -> x % 2 == 0)
                        .reduce(0L, Long::sum)
                        .block();
            default -> throw new IllegalStateException(impl);
        };
    }
}
