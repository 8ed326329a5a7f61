package dev.asyncpatterns.pipeline;

/**
 * {@link Pipeline#count()}.
 *
 * <p>Backpressure: pulls as fast as upstream provides. Buffering: none. Errors: upstream
 * failures fail the run. Cancellation: the stop flag is read before every element.
 */
final class CountSink<T> extends LoopSink<T, Long> {

    CountSink(Ctx ctx, Stage<T> up) {
        super(ctx, "count", up);
    }

    @Override
    public boolean push(Object element) {
        return more(); // counts it
    }

    @Override
    Long result() {
        return in;
    }
}
