package dev.asyncpatterns.pipeline;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

/** Records what a Flow.Subscriber receives; requests {@code initial} on subscribe. */
class TestSubscriber<T> implements Flow.Subscriber<T> {

    final List<T> items = new CopyOnWriteArrayList<>();
    final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    final CompletableFuture<Throwable> terminated = new CompletableFuture<>(); // null = onComplete
    private final long initial;

    TestSubscriber(long initial) {
        this.initial = initial;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription.complete(s);
        if (initial > 0) {
            s.request(initial);
        }
    }

    @Override
    public void onNext(T item) {
        items.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        terminated.complete(throwable);
    }

    @Override
    public void onComplete() {
        terminated.complete(null);
    }
}
