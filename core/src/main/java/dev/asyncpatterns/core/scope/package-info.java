/**
 * Structured concurrency without preview APIs: {@link dev.asyncpatterns.core.scope.TaskScope}
 * (asyncio's {@code TaskGroup}). Work forked in a scope never outlives it: closing the scope
 * cancels (interrupts) and awaits every fork still running; the first failure cancels the
 * siblings.
 *
 * <p>Every type here is {@link org.jspecify.annotations.NullMarked @NullMarked}: parameters and
 * results are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.asyncpatterns.core.scope;

import org.jspecify.annotations.NullMarked;
