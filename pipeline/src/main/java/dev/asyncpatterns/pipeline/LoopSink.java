package dev.asyncpatterns.pipeline;

/**
 * A synchronous sink: pulls while upstream has elements ready, hands each to {@link #accept},
 * and on the end succeeds with {@link #result()}. The run's stop flag is read before each
 * element, so cancellation takes effect between two elements.
 *
 * @param <T> the element type consumed
 * @param <R> the run's result type
 */
abstract class LoopSink<T, R> extends Sink<T, R> {

    LoopSink(Ctx ctx, String name, Stage<T> up) {
        super(ctx, name, up);
    }

    /** Consumes one element. */
    abstract void accept(T element);

    /** The run's result once upstream has ended. */
    abstract R result();

    @Override
    @SuppressWarnings("unchecked")
    public final void pump() {
        final Stage<T> up = this.up;
        final Run<?> run = this.run;
        for (; ; ) {
            if (run.stopping) {
                return;
            }
            Object x = up.poll();
            if (x == EMPTY) {
                return;
            }
            if (x == END) {
                finish(result());
                return;
            }
            accept((T) x);
            in++;
        }
    }
}
