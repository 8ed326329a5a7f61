package dev.asyncpatterns.pipeline;

/**
 * Builds the running form of a terminated pipeline: its sink and, through it, every stage.
 *
 * @param <R> the run's result type
 */
@FunctionalInterface
interface SinkSpec<R> {
    Sink<?, R> build(Ctx ctx);
}
