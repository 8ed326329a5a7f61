package dev.asyncpatterns.pipeline;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * The subscriber side of Flow interop. Subscribes on the first poll (drain thread). Requests
 * `prefetch` up front, then `limit = prefetch - prefetch / 4` more each time that many have
 * been consumed, so at most `prefetch` elements are ever queued: the queue is bounded by demand,
 * not by its type. onNext/onError/onComplete (publisher's threads, serialized by rule 1.3) only
 * enqueue / store and signal the region. The subscription lives in an AtomicReference so that
 * cancel-vs-onSubscribe races are settled once: a late subscription after close is cancelled
 * (rule 2.5 for duplicates as well).
 */
/**
 * Source from a {@link Flow.Publisher}: {@link Pipeline#fromPublisher(Flow.Publisher, int)}.
 *
 * <p>Backpressure: requests from the publisher only what it can hold ({@code prefetch}),
 * replenishing in batches of three quarters. Buffering: up to {@code prefetch} elements.
 * Errors: {@code onError} fails the run (after the elements received before it); a {@code null}
 * element violates rule 2.13 and fails the run. Cancellation: the subscription is cancelled when
 * the run stops.
 */
final class PublisherSource<T> extends Stage<T> {

    private static final Flow.Subscription CANCELLED = new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
    };

    private final Flow.Publisher<? extends T> publisher;
    private final int prefetch;
    private final int limit;
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    private volatile boolean terminated;
    private volatile @Nullable Throwable error;
    private boolean subscribed;
    private boolean done;
    private int consumed;

    PublisherSource(Ctx ctx, Flow.Publisher<? extends T> publisher, int prefetch) {
        super(ctx, "fromPublisher(" + prefetch + ")");
        this.publisher = publisher;
        this.prefetch = prefetch;
        this.limit = Math.max(1, prefetch - (prefetch >> 2));
    }

    /** The subscriber this source gives the publisher (exposed for the TCK). */
    final Flow.Subscriber<T> subscriber = new Flow.Subscriber<>() {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            Objects.requireNonNull(s, "subscription");
            if (!subscription.compareAndSet(null, s)) {
                s.cancel(); // rule 2.5: already subscribed (or closed)
                return;
            }
            s.request(prefetch);
        }

        @Override
        public void onNext(T item) {
            Objects.requireNonNull(item, "item"); // rule 2.13
            queue.offer(item);
            region.signal();
        }

        @Override
        public void onError(Throwable throwable) {
            Objects.requireNonNull(throwable, "throwable");
            error = throwable;
            terminated = true;
            region.signal();
        }

        @Override
        public void onComplete() {
            terminated = true;
            region.signal();
        }
    };

    @Override
    Object poll() {
        if (done) {
            return END;
        }
        if (!subscribed) {
            subscribed = true;
            publisher.subscribe(subscriber);
        }
        Object item = queue.poll();
        if (item != null) {
            out++;
            if (++consumed == limit) {
                consumed = 0;
                Flow.Subscription s = subscription.get();
                if (s != null) {
                    s.request(limit);
                }
            }
            return item;
        }
        if (terminated) {
            item = queue.poll(); // an element enqueued just before the terminal signal
            if (item != null) {
                out++;
                return item;
            }
            done = true;
            Throwable failure = error;
            if (failure != null) {
                throw propagate(failure);
            }
            return END;
        }
        return EMPTY;
    }

    @Override
    int depth() {
        return queue.size();
    }

    @Override
    void release() {
        done = true;
        Flow.Subscription s = subscription.getAndSet(CANCELLED);
        if (s != null && s != CANCELLED && !terminated) {
            s.cancel();
        }
        queue.clear();
    }

    @Override
    void closeUpstream() {}
}
