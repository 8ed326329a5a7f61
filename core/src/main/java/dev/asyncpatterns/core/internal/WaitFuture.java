package dev.asyncpatterns.core.internal;

import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.future.WaitPolicy;
import dev.asyncpatterns.core.future.WaitResult;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * Result of Futures.waitFor. A trigger (an input completion matching the policy, the last input
 * completing, or the timer) calls finish(), which snapshots which inputs are done, in input order,
 * and completes this future; CompletableFuture's CAS makes the first snapshot the only one that
 * is published. Inputs are never cancelled: waiting is all this future stands for. Cancelling it
 * only cancels the timer. Slots on inputs that are still pending stay registered until those
 * inputs complete (they are cheap and find this future done).
 */
/** Futures.waitFor result. */
public final class WaitFuture<T> extends CompletableFuture<WaitResult<T>> implements BiConsumer<T, Throwable> {

    private final List<CompletableFuture<T>> inputs;
    private final WaitPolicy policy;
    private final AtomicInteger remaining;
    private volatile @Nullable Cancellable timer;

    public WaitFuture(List<CompletableFuture<T>> inputs, WaitPolicy policy) {
        this.inputs = inputs;
        this.policy = policy;
        this.remaining = new AtomicInteger(inputs.size());
    }

    public WaitFuture<T> start(java.time.@Nullable Duration timeout, @Nullable TimeSource timeSource) {
        if (inputs.isEmpty()) {
            finish();
            return this;
        }
        for (int i = 0; i < inputs.size() && !isDone(); i++) {
            inputs.get(i).whenComplete(this);
        }
        if (!isDone() && timeout != null) {
            if (dev.asyncpatterns.core.internal.Durations.toNanosSaturated(timeout) <= 0) {
                finish();
            } else {
                // a timeout always comes with its time source (Futures.waitFor(policy, timeout, ...))
                timer = Objects.requireNonNull(timeSource, "timeSource").schedule(timeout, this::finish);
                if (isDone()) {
                    timer.cancel();
                }
            }
        }
        return this;
    }

    @Override
    public void accept(@Nullable T value, @Nullable Throwable failure) {
        if (isDone()) {
            return;
        }
        boolean last = remaining.decrementAndGet() == 0;
        boolean trigger = switch (policy) {
            case FIRST_COMPLETED -> true;
            case FIRST_EXCEPTION -> failure != null && !Outcome.failure(failure).isCancelled();
            case ALL_COMPLETED -> false;
        };
        if (trigger || last) {
            finish();
        }
    }

    private void finish() {
        if (isDone()) {
            return;
        }
        var done = new ArrayList<CompletableFuture<T>>();
        var pending = new ArrayList<CompletableFuture<T>>();
        for (CompletableFuture<T> input : inputs) {
            (input.isDone() ? done : pending).add(input);
        }
        if (complete(new WaitResult<>(done, pending))) {
            Cancellable t = timer;
            if (t != null) {
                t.cancel();
            }
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        Cancellable t = timer;
        if (cancelled && t != null) {
            t.cancel();
        }
        return cancelled;
    }
}
