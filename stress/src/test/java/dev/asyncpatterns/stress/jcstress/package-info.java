/**
 * jcstress tests of the lock-free fast paths: AsyncSemaphore's state word (CAS fast paths racing
 * each other and the slow path that sets the WAITERS bit) and AsyncQueue's hand-off to a waiting
 * taker (racing with the taker's cancellation). Compiled by the jcstress annotation processor in
 * every build; run only by the {@code jcstress} profile (see the module README).
 */
package dev.asyncpatterns.stress.jcstress;
