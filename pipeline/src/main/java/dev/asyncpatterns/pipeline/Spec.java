package dev.asyncpatterns.pipeline;

/**
 * Builds the running form of a pipeline description. Building never starts work: sources open
 * their iterators, subscriptions and timers on the first poll.
 *
 * @param <T> the element type
 */
@FunctionalInterface
interface Spec<T> {
    Stage<T> build(Ctx ctx);
}
