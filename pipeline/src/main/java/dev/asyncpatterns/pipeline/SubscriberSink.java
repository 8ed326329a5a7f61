package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.internal.Failures;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * The publisher side of Flow interop; one instance per subscription (a cold run each). Every
 * signal to the subscriber (onSubscribe, onNext, onError, onComplete) is issued from the main
 * region's drain loop, so they are serialized (rule 1.3) and recursion request -> onNext ->
 * request is bounded by the region's work counter (rule 3.3). request/cancel (any thread) only
 * update atomics and signal. Demand is an AtomicLong capped at Long.MAX_VALUE (rule 3.17);
 * `emitted` is drain-confined. A non-positive request is remembered and reported as onError
 * from the drain (rule 3.9). Cancel stops the run as a success: the subscriber chose to stop.
 * Terminal signals are sent at most once; afterwards the subscriber reference is dropped (3.13).
 * A subscriber method that throws (a rule 2.13 violation) is treated as a cancellation, and
 * the run fails with that exception.
 */
/**
 * {@link Pipeline#toSubscriber(Flow.Subscriber)} and {@link Pipeline#toPublisher()}.
 *
 * <p>Backpressure: pulls exactly as many elements as the subscriber requested. Buffering: none.
 * Errors: a failing stage is reported with {@code onError} and fails the run. Cancellation: the
 * subscriber's {@code cancel} stops the run (upstream closed); stopping the run otherwise sends
 * {@code onError} with the cause (a {@link CancellationException} if the caller cancelled).
 */
final class SubscriberSink<T> extends Sink<T, Void> implements Flow.Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriberSink.class);

    private Flow.@Nullable Subscriber<? super T> subscriber;
    private final AtomicLong requested = new AtomicLong();
    private volatile boolean cancelled;
    private volatile boolean badRequest;
    private volatile long badValue;
    private long emitted;
    private boolean subscribed;
    private boolean terminated;

    SubscriberSink(Ctx ctx, Stage<T> up, Flow.Subscriber<? super T> subscriber) {
        super(ctx, "toSubscriber", up);
        this.subscriber = subscriber;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void pump() {
        Flow.Subscriber<? super T> s = subscriber;
        if (terminated || s == null) { // the reference is dropped only once terminated
            return;
        }
        if (!subscribed) {
            subscribed = true;
            if (!call(() -> s.onSubscribe(this))) {
                return;
            }
            if (up instanceof FailedSource<?>) {
                // known to fail before any element: signal it at once, demand or not (rule 1.4)
                try {
                    up.poll();
                } catch (Throwable failure) {
                    terminate(Failures.unwrap(failure));
                    throw failure;
                }
            }
        }
        for (; ; ) {
            if (cancelled) {
                terminated = true;
                subscriber = null;
                finish(null);
                return;
            }
            if (badRequest) {
                IllegalArgumentException error =
                        new IllegalArgumentException("rule 3.9: request(n) needs n > 0, was " + badValue);
                terminate(error);
                run.fail(error);
                return;
            }
            if (run.stopping) {
                return;
            }
            if (emitted == requested.get()) {
                return;
            }
            Object x;
            try {
                x = up.poll();
            } catch (Throwable failure) {
                terminate(Failures.unwrap(failure));
                throw failure;
            }
            if (x == EMPTY) {
                return;
            }
            if (x == END) {
                terminated = true;
                subscriber = null;
                finishAfter(() -> s.onComplete());
                return;
            }
            in++;
            emitted++;
            T element = (T) x;
            if (!call(() -> s.onNext(element))) {
                return;
            }
        }
    }

    private void finishAfter(Runnable signal) {
        try {
            signal.run();
        } catch (Throwable failure) {
            LOG.debug("Flow.Subscriber.onComplete threw (rule 2.13)", failure);
            run.fail(failure);
            return;
        }
        finish(null);
    }

    /** Calls the subscriber; on a throw (rule 2.13 violation) cancels and fails the run. */
    private boolean call(Runnable signal) {
        try {
            signal.run();
            return true;
        } catch (Throwable failure) {
            terminated = true;
            cancelled = true;
            subscriber = null;
            LOG.debug("Flow.Subscriber threw (rule 2.13); the subscription is cancelled", failure);
            run.fail(failure);
            return false;
        }
    }

    private void terminate(Throwable error) {
        if (terminated) {
            return;
        }
        terminated = true;
        Flow.Subscriber<? super T> s = subscriber;
        subscriber = null;
        if (s != null && subscribed) {
            try {
                s.onError(error);
            } catch (Throwable failure) {
                LOG.debug("Flow.Subscriber.onError threw (rule 2.13)", failure);
            }
        }
    }

    @Override
    void release() {
        if (!terminated && !cancelled) {
            Throwable cause = run.failureOrNull();
            if (!subscribed) {
                // never subscribed: rule 1.9 still wants onSubscribe before onError
                subscribed = true;
                Flow.Subscriber<? super T> s = subscriber;
                if (s != null) {
                    try {
                        s.onSubscribe(this);
                    } catch (Throwable ignored) {
                        // nothing more we can do for a broken subscriber
                    }
                }
            }
            terminate(cause != null ? cause : new CancellationException("the pipeline run was cancelled"));
        }
        subscriber = null;
    }

    // ---------------------------------------------------------------- Flow.Subscription

    @Override
    public void request(long n) {
        if (n <= 0) {
            badValue = n;
            badRequest = true;
        } else {
            long current;
            long next;
            do {
                current = requested.get();
                if (current == Long.MAX_VALUE) {
                    break;
                }
                next = current + n;
                if (next < 0) {
                    next = Long.MAX_VALUE;
                }
            } while (!requested.compareAndSet(current, next));
        }
        region.signal();
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            region.signal();
        }
    }
}
