package dev.asyncpatterns.core.internal;

import dev.asyncpatterns.core.Outcome;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * The result of Futures.all (fail fast) and Futures.allSettled. One object per call plus one
 * small Slot per input that is not yet done (inputs already done are read directly, which is
 * what keeps the all-completed case cheap).
 *
 * Counting: remaining starts at (incomplete inputs + 1); the +1 is a guard released after every
 * callback is registered, so the result cannot complete while registration is still going on.
 * Each slot writes its value into values[i] before decrementing, and the decrement that reaches
 * zero (a volatile read-modify-write) sees every earlier write, so the list is fully published.
 *
 * Fail fast (settled == false): the first failure wins a CAS on 'first', completes the result
 * with that failure, then cancels every input (each cancel runs that input's slot, which only
 * looks at 'first' and returns: no recursion, O(n) in total). Failures that arrive later are
 * added to the first one as suppressed; cancellations are not (they are our own doing or noise).
 *
 * Cancelling the result cancels every input (contract rule 2).
 */
/** Futures.all / Futures.allSettled result. */
public final class GatherFuture<R> extends CombiningFuture<List<R>> {

    private final Object[] values;
    private final boolean settled;

    @SuppressWarnings("UnusedVariable") // read and written only through the REMAINING VarHandle
    private volatile int remaining; // see REMAINING

    private volatile @Nullable Throwable first;

    public GatherFuture(CompletableFuture<?>[] inputs, boolean settled) {
        super(inputs);
        this.values = new Object[inputs.length];
        this.settled = settled;
    }

    public GatherFuture<R> start() {
        int incomplete = 0;
        for (int i = 0; i < inputs.length; i++) {
            @SuppressWarnings("unchecked") // only read, with a sentinel no input can hold
            CompletableFuture<Object> input = (CompletableFuture<Object>) inputs[i];
            Object value;
            try {
                value = input.getNow(PENDING); // one read of the result for the common cases
            } catch (RuntimeException failedOrCancelled) {
                if (!settleFailed(i, input)) {
                    return this; // failed fast on an input that had already failed
                }
                continue;
            }
            if (value == PENDING) {
                incomplete++;
            } else {
                values[i] = settled ? Outcome.success(value) : (value == null ? DONE_NULL : value);
            }
        }
        if (incomplete == 0) {
            finish();
            return this;
        }
        remaining = incomplete + 1;
        for (int i = 0; i < inputs.length && first == null; i++) {
            CompletableFuture<?> input = inputs[i];
            if (values[i] == null && !isDoneAtStart(i)) {
                input.whenComplete(new Slot(i));
            }
        }
        if (first == null && (int) REMAINING.getAndAdd(this, -1) == 1) {
            finish();
        }
        return this;
    }

    // Inputs that were done during the first pass are marked by a non-null value or a
    // DONE marker; the others get a slot.
    private static final Object DONE_NULL = new Object();
    private static final Object PENDING = new Object();

    private boolean isDoneAtStart(int i) {
        return values[i] == DONE_NULL;
    }

    /** Records an input found failed in the first pass; false if that failed the result. */
    private boolean settleFailed(int i, CompletableFuture<?> input) {
        // the input is done and not a success (the caller checked), so it has an exception
        Throwable failure = Objects.requireNonNull(Outcome.ofDone(input).exceptionOrNull(), "failure");
        if (settled) {
            values[i] = Outcome.failure(failure);
            return true;
        }
        fail(failure);
        return false;
    }

    private void finish() {
        if (!settled) {
            for (int i = 0; i < values.length; i++) {
                if (values[i] == DONE_NULL) {
                    values[i] = null;
                }
            }
        }
        complete(new ArrayView<>(values));
    }

    private void fail(Throwable failure) {
        if (first == null && FIRST.compareAndSet(this, null, failure)) {
            completeExceptionally(failure);
            cancelInputs();
        } else {
            Throwable winner = Objects.requireNonNull(first, "first"); // the CAS failed: someone set it
            if (winner != failure && !(failure instanceof CancellationException)) {
                winner.addSuppressed(failure);
            }
        }
    }

    private final class Slot implements BiConsumer<Object, Throwable> {
        private final int index;

        Slot(int index) {
            this.index = index;
        }

        // value is an input's T (null for a Void input); left unannotated like the T that
        // Outcome.success takes: NullAway checks type-variable nullability only in JSpecify mode
        @Override
        public void accept(Object value, @Nullable Throwable failure) {
            if (failure == null) {
                values[index] = settled ? Outcome.success(value) : value;
            } else if (settled) {
                values[index] = Outcome.failure(failure);
            } else {
                fail(Failures.unwrap(failure));
                return;
            }
            if ((int) REMAINING.getAndAdd(GatherFuture.this, -1) == 1 && first == null) {
                finish();
            }
        }
    }

    /** An unmodifiable list over the values array, which nobody writes once it is published. */
    private static final class ArrayView<E> extends AbstractList<E> implements RandomAccess {
        private final Object[] values;

        ArrayView(Object[] values) {
            this.values = values;
        }

        @Override
        @SuppressWarnings("unchecked") // the array holds the inputs' values, each an E
        public E get(int index) {
            return (E) values[index];
        }

        @Override
        public int size() {
            return values.length;
        }
    }

    private static final VarHandle FIRST;
    private static final VarHandle REMAINING;

    static {
        try {
            REMAINING = MethodHandles.lookup().findVarHandle(GatherFuture.class, "remaining", int.class);
            FIRST = MethodHandles.lookup().findVarHandle(GatherFuture.class, "first", Throwable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
