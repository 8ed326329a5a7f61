package dev.asyncpatterns.pipeline;

/**
 * A stage with exactly one upstream that it closes when it closes: the common base of the fused
 * one-in, one-out operators ({@code map}, {@code filter}, {@code take}, {@code batch}, …).
 *
 * @param <T> the upstream element type
 * @param <R> the element type this stage produces
 */
abstract class OperatorStage<T, R> extends Stage<R> {

    /** The stage this one pulls from. */
    final Stage<T> up;

    OperatorStage(Ctx ctx, String name, Stage<T> up) {
        super(ctx, name);
        this.up = up;
    }

    @Override
    final void closeUpstream() {
        up.close();
    }
}
