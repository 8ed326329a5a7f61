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
    void accept(T element) {
        // counted by the loop
    }

    @Override
    Long result() {
        return in;
    }
}
