package dev.asyncpatterns.pipeline;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;

/**
 * The Reactive Streams TCK (TestNG, run through the JUnit platform) against the subscriber that
 * {@link Pipeline#fromPublisher(Flow.Publisher, int)} gives a publisher.
 */
public class SubscriberTckTest extends FlowSubscriberBlackboxVerification<Integer> {

    public SubscriberTckTest() {
        super(new TestEnvironment(2_000, 300));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Flow.Subscriber<Integer> createFlowSubscriber() {
        AtomicReference<Flow.Subscriber<? super Integer>> captured = new AtomicReference<>();
        Flow.Publisher<Integer> capturing = captured::set;
        Pipeline.fromPublisher(capturing, 16)
                .forEach(x -> {})
                .executor(Runnable::run)
                .run();
        return (Flow.Subscriber<Integer>) captured.get();
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
