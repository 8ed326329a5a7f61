/**
 * Structured concurrency without preview APIs: {@link dev.asyncpatterns.core.scope.TaskScope}
 * (asyncio's {@code TaskGroup}). Work forked in a scope never outlives it: closing the scope
 * cancels (interrupts) and awaits every fork still running; the first failure cancels the
 * siblings.
 */
package dev.asyncpatterns.core.scope;
