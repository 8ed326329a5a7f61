package dev.asyncpatterns.pipeline;

import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * {@link Pipeline#zip(Pipeline, BiFunction)}: pairs the i-th elements of two pipelines.
 *
 * <p>Backpressure: pulls at most one element ahead from each side; both sides are asked at the
 * same time, so async sides progress concurrently. Buffering: one element per side. Errors:
 * either side failing, or the combiner throwing or returning {@code null}, fails the run.
 * Cancellation: both sides are closed; the zip ends (and closes both) when either side ends.
 */
final class ZipStage<A, B, R> extends Stage<R> {

    private final Stage<A> left;
    private final Stage<B> right;
    private final BiFunction<? super A, ? super B, ? extends R> combiner;
    private @Nullable Object pendingLeft;
    private @Nullable Object pendingRight;
    private boolean done;

    ZipStage(Ctx ctx, Stage<A> left, Stage<B> right, BiFunction<? super A, ? super B, ? extends R> combiner) {
        super(ctx, "zip");
        this.left = left;
        this.right = right;
        this.combiner = combiner;
    }

    @Override
    @SuppressWarnings("unchecked")
    Object poll() {
        if (done) {
            return END;
        }
        if (pendingLeft == null) {
            Object x = left.poll();
            if (x == END) {
                return end();
            }
            if (x != EMPTY) {
                pendingLeft = x;
                in++;
            }
        }
        if (pendingRight == null) {
            Object y = right.poll();
            if (y == END) {
                return end();
            }
            if (y != EMPTY) {
                pendingRight = y;
                in++;
            }
        }
        if (pendingLeft == null || pendingRight == null) {
            return EMPTY;
        }
        R r = combiner.apply((A) pendingLeft, (B) pendingRight);
        pendingLeft = null;
        pendingRight = null;
        if (r == null) {
            throw new NullPointerException("zip combiner returned null");
        }
        out++;
        return r;
    }

    private Object end() {
        done = true;
        pendingLeft = null;
        pendingRight = null;
        left.close();
        right.close();
        return END;
    }

    @Override
    int depth() {
        return (pendingLeft == null ? 0 : 1) + (pendingRight == null ? 0 : 1);
    }

    @Override
    void closeUpstream() {
        left.close();
        right.close();
    }
}
