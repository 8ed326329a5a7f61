package dev.asyncpatterns.pipeline;

/**
 * {@link Pipeline#take(long)}: the first {@code n} elements, then the end.
 *
 * <p>Backpressure: never pulls more than {@code n} elements. Buffering: none. Errors: upstream
 * failures before the {@code n}th element fail the run. Cancellation: upstream is closed as
 * soon as the {@code n}th element has been taken, so the source stops at once.
 */
final class TakeStage<T> extends OperatorStage<T, T> {

    private long remaining;

    TakeStage(Ctx ctx, Stage<T> up, long n) {
        super(ctx, "take(" + n + ")", up);
        this.remaining = n;
    }

    @Override
    Object poll() {
        if (remaining == 0) {
            up.close();
            return END;
        }
        Object x = up.poll();
        if (x == EMPTY || x == END) {
            return x;
        }
        in++;
        out++;
        if (--remaining == 0) {
            up.close();
        }
        return x;
    }
}
