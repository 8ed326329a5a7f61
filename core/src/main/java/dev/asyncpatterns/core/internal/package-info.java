/**
 * Implementation helpers shared across the core packages and the toolkit's own modules
 * (gather/first-of/timeout futures, the intrusive waiter list, task futures, argument checks, the
 * system time source). Exported only to async-patterns modules; not an API: anything here may
 * change in any release.
 */
@NullMarked
package dev.asyncpatterns.core.internal;

import org.jspecify.annotations.NullMarked;
