package dev.asyncpatterns.pipeline;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * {@link Pipeline#concatMap(Function)}: each element to a pipeline, run one after another.
 *
 * <p>Backpressure: the inner pipeline is pulled one element per downstream request; the next
 * upstream element is pulled only when it has ended. Buffering: whatever the inner pipeline's
 * stages hold. Errors: a throwing function, a {@code null} pipeline, or a failing inner pipeline
 * fails the run. Cancellation: the inner pipeline is closed (its onClose hooks run) when it ends
 * or the run stops. Inner stages do not appear in the metrics; this stage counts for them.
 */
final class ConcatMapStage<T, R> extends Stage<R> {

    private final Stage<T> up;
    private final Function<? super T, ? extends Pipeline<? extends R>> fn;
    private final Ctx innerCtx;
    private @Nullable Stage<? extends R> inner;

    ConcatMapStage(Ctx ctx, Stage<T> up, Function<? super T, ? extends Pipeline<? extends R>> fn) {
        super(ctx, "concatMap");
        this.up = up;
        this.fn = fn;
        this.innerCtx = ctx.untracked();
    }

    @Override
    @SuppressWarnings("unchecked")
    Object poll() {
        for (; ; ) {
            Stage<? extends R> current = inner;
            if (current != null) {
                Object r = current.poll();
                if (r != END) {
                    if (r != EMPTY) {
                        out++;
                    }
                    return r;
                }
                inner = null;
                current.close();
            }
            Object x = up.poll();
            if (x == EMPTY || x == END) {
                return x;
            }
            in++;
            Pipeline<? extends R> pipeline = fn.apply((T) x);
            if (pipeline == null) {
                throw new NullPointerException("concatMap function returned null for " + x);
            }
            inner = pipeline.spec().build(innerCtx);
        }
    }

    @Override
    void closeUpstream() {
        Stage<? extends R> current = inner;
        inner = null;
        if (current != null) {
            current.close();
        }
        up.close();
    }
}
