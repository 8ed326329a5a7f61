package dev.asyncpatterns.pipeline;

import dev.asyncpatterns.core.time.Cancellable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * With maxWait, a timer is armed when a batch receives its first element. Its task (any thread)
 * only records the batch generation it was armed for and signals the region; poll() flushes the
 * partial batch if that generation is still the current one, so a timer that raced with a full
 * batch being emitted cannot flush the next batch early.
 */
/**
 * {@link Pipeline#batch(int)} and {@link Pipeline#batch(int, Duration)}: groups elements into
 * lists of {@code size}, the last one possibly shorter.
 *
 * <p>Backpressure: pulls until the batch is full (or, with {@code maxWait}, until the oldest
 * element in it has waited that long), then waits for downstream to take the batch. Buffering:
 * one batch of at most {@code size} elements. Errors: an upstream failure fails the run; the
 * partial batch is dropped. Cancellation: the partial batch and its timer are dropped. Batches are
 * unmodifiable lists.
 */
final class BatchStage<T> extends OperatorStage<T, List<T>> {

    private final int size;
    private final @Nullable Duration maxWait;
    private ArrayList<T> batch;
    private long generation;
    private volatile long expiredGeneration = -1;
    private @Nullable Cancellable timer;
    private boolean done;

    BatchStage(Ctx ctx, Stage<T> up, int size, @Nullable Duration maxWait) {
        super(ctx, maxWait == null ? "batch(" + size + ")" : "batch(" + size + ", " + Labels.of(maxWait) + ")", up);
        this.size = size;
        this.maxWait = maxWait;
        this.batch = new ArrayList<>(Math.min(size, 1024));
    }

    @Override
    @SuppressWarnings("unchecked")
    Object poll() {
        if (done) {
            return END;
        }
        for (; ; ) {
            if (!batch.isEmpty() && expiredGeneration == generation) {
                return emit();
            }
            Object x = up.poll();
            if (x == EMPTY) {
                return EMPTY;
            }
            if (x == END) {
                done = true;
                return batch.isEmpty() ? END : emit();
            }
            in++;
            if (batch.isEmpty() && maxWait != null) {
                long armedFor = generation;
                timer = run.time.schedule(maxWait, () -> {
                    expiredGeneration = armedFor;
                    region.signal();
                });
            }
            batch.add((T) x);
            if (batch.size() >= size) {
                return emit();
            }
        }
    }

    private List<T> emit() {
        timer = cancel(timer);
        List<T> full = Collections.unmodifiableList(batch);
        batch = new ArrayList<>(Math.min(size, 1024));
        generation++;
        out++;
        return full;
    }

    @Override
    int depth() {
        return batch.size();
    }

    @Override
    void release() {
        done = true;
        timer = cancel(timer);
        batch = new ArrayList<>(0);
    }
}
