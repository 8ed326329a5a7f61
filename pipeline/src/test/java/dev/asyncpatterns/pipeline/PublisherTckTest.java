package dev.asyncpatterns.pipeline;

import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

/**
 * The Reactive Streams TCK (TestNG, run through the JUnit platform) against
 * {@link Pipeline#toPublisher()}, over a synchronous and an async-boundary pipeline.
 */
public class PublisherTckTest extends FlowPublisherVerification<Long> {

    public PublisherTckTest() {
        super(new TestEnvironment(2_000, 500), 1_000);
    }

    @Override
    public Flow.Publisher<Long> createFlowPublisher(long elements) {
        Pipeline<Long> source = Pipeline.range(0, elements);
        // odd sizes go through an async boundary and an async stage, so both shapes are verified
        return elements % 2 == 0
                ? source.map(x -> x * 2).toPublisher()
                : source.async(4, task -> Thread.ofVirtual().start(task))
                        .mapAsync(2, x -> java.util.concurrent.CompletableFuture.supplyAsync(() -> x))
                        .toPublisher();
    }

    @Override
    public Flow.Publisher<Long> createFailedFlowPublisher() {
        return Pipeline.<Long>failed(() -> new IllegalStateException("failed on purpose"))
                .toPublisher();
    }

    @Override
    public long maxElementsFromPublisher() {
        return Long.MAX_VALUE - 1;
    }
}
