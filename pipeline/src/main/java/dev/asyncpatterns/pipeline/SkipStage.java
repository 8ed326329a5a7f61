package dev.asyncpatterns.pipeline;

/**
 * {@link Pipeline#skip(long)}: drops the first {@code n} elements.
 *
 * <p>Backpressure: pulls and discards the first {@code n} as fast as upstream provides them.
 * Buffering: none. Errors: upstream failures fail the run. Cancellation: nothing is held.
 */
final class SkipStage<T> extends ElementStage<T, T> {

    private long remaining;

    SkipStage(Ctx ctx, Stage<T> up, long n) {
        super(ctx, "skip(" + n + ")", up);
        this.remaining = n;
    }

    @Override
    public boolean push(Object element) {
        in++;
        if (remaining > 0) {
            remaining--;
            return true;
        }
        out++;
        return down.push(element);
    }
}
