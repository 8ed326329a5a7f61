package dev.asyncpatterns.pipeline;

/**
 * {@link Pipeline#count()}.
 *
 * <p>Backpressure: pulls as fast as upstream provides. Buffering: none. Errors: upstream
 * failures fail the run. Cancellation: the stop flag is read before every element.
 */
final class CountSink<T> extends Sink<T, Long> {

    CountSink(Ctx ctx, Stage<T> up) {
        super(ctx, "count", up);
    }

    @Override
    public void pump() {
        final Stage<T> up = this.up;
        final Run<?> run = this.run;
        long n = 0;
        try {
            for (;;) {
                if (run.stopping) {
                    return;
                }
                Object x = up.poll();
                if (x == EMPTY) {
                    return;
                }
                if (x == END) {
                    finish(in + n);
                    return;
                }
                n++;
            }
        } finally {
            in += n;
        }
    }
}
