package dev.asyncpatterns.core.internal;

import dev.asyncpatterns.core.future.AllFailedException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * Result of Futures.any (first success wins) and Futures.race (first completion of any kind
 * wins). Whoever completes this future first is the winner (CompletableFuture's own CAS decides);
 * the winner then cancels every input, including itself (a no-op, it is done). Cancelling an
 * input runs its slot, which finds this future done and returns: O(n), no recursion.
 *
 * any: failures are written to failures[i] before 'remaining' is decremented; the decrement that
 * reaches zero therefore sees every failure and builds the AllFailedException. A success never
 * decrements, so after a success the count cannot reach zero. 'first' is the first failure in
 * time (CAS), used as the cause.
 */
/** Futures.any / Futures.race result. */
public final class FirstOfFuture<T> extends CombiningFuture<T> {

    private final Throwable @Nullable [] failures; // null for race: the first completion of any kind wins
    private final AtomicInteger remaining;
    private volatile @Nullable Throwable first;

    public FirstOfFuture(CompletableFuture<?>[] inputs, boolean race) {
        super(inputs);
        this.failures = race ? null : new Throwable[inputs.length];
        this.remaining = new AtomicInteger(inputs.length);
    }

    public FirstOfFuture<T> start() {
        for (int i = 0; i < inputs.length && !isDone(); i++) {
            inputs[i].whenComplete(new Slot(i));
        }
        if (isDone()) {
            cancelInputs();
        }
        return this;
    }

    private static final VarHandle FIRST;

    static {
        try {
            FIRST = MethodHandles.lookup().findVarHandle(FirstOfFuture.class, "first", Throwable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final class Slot implements BiConsumer<Object, Throwable> {
        private final int index;

        Slot(int index) {
            this.index = index;
        }

        @Override
        @SuppressWarnings("unchecked") // every input's value is a T
        public void accept(@Nullable Object value, @Nullable Throwable failure) {
            if (isDone()) {
                return;
            }
            Throwable cause = failure == null ? null : Failures.unwrap(failure);
            Throwable[] failed = failures;
            if (cause == null || failed == null) {
                boolean won = cause == null ? complete((T) value) : completeExceptionally(cause);
                if (won) {
                    cancelInputs();
                }
                return;
            }
            failed[index] = cause;
            if (first == null) {
                FIRST.compareAndSet(FirstOfFuture.this, null, cause);
            }
            if (remaining.decrementAndGet() == 0) {
                var all = new ArrayList<>(Arrays.asList(failed));
                completeExceptionally(new AllFailedException("all " + inputs.length + " inputs failed", first, all));
            }
        }
    }
}
