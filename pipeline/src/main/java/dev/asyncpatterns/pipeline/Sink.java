package dev.asyncpatterns.pipeline;

import org.jspecify.annotations.Nullable;

/**
 * The end of the main region: pulls from its upstream as far as it can accept elements, and
 * decides the run (succeed on END; a thrown failure fails the run).
 *
 * @param <T> the element type consumed
 * @param <R> the run's result type
 */
abstract class Sink<T, R> extends Node implements Region.Body {

    final Stage<T> up;

    Sink(Ctx ctx, String name, Stage<T> up) {
        super(ctx, name);
        this.up = up;
    }

    @Override
    public void busy(long nanos) {
        busyNanos += nanos;
    }

    @Override
    public boolean done() {
        return false;
    }

    @Override
    public void closeAll() {
        close();
    }

    @Override
    void closeUpstream() {
        up.close();
    }

    final void finish(@Nullable R result) {
        run.succeed(result);
    }
}
