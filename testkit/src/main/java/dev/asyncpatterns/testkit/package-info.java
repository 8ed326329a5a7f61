/**
 * Virtual time for tests of asynchronous code: {@link dev.asyncpatterns.testkit.VirtualClock}
 * implements the toolkit's {@link dev.asyncpatterns.core.time.TimeSource}, so timeouts, retries,
 * backoff, rate limits, deadlines and schedules run instantly and deterministically, without
 * {@code Thread.sleep}.
 *
 * <h2>Using it</h2>
 *
 * <ol>
 *   <li>Create one clock per test and pass it wherever the code under test takes a
 *       {@code TimeSource} ({@code Futures.withTimeout(..., clock)}, {@code TaskScope.builder()
 *       .timeSource(clock)}, {@code Backoff}, rate limiters, ...).
 *   <li>Move time yourself with {@link dev.asyncpatterns.testkit.VirtualClock#advance advance}:
 *       every timer that falls due runs on your thread, in due order, before {@code advance}
 *       returns, so the very next line can assert on the result.
 * </ol>
 *
 * {@snippet class=dev.asyncpatterns.testkit.snippets.TestkitSnippets region=explicitAdvance}
 *
 * <h2>Code that hops threads: auto-advance</h2>
 *
 * When the code under test waits for timers from other threads (a retry loop on a virtual
 * thread, a supervisor), you cannot know when to advance. Let the clock do it, like an event
 * loop: {@link dev.asyncpatterns.testkit.VirtualClock#runUntilDone runUntilDone(future, max)}
 * waits for {@code future}, and each time the system is idle (no activity on the clock for its
 * {@linkplain dev.asyncpatterns.testkit.VirtualClock#quietPeriod quiet period}, and no task of
 * its {@linkplain dev.asyncpatterns.testkit.VirtualClock#executor() tracked executor} running)
 * jumps to the next timer. {@link dev.asyncpatterns.testkit.VirtualClock#autoAdvance()} does the
 * same in the background until closed. A ten-minute retry schedule then takes milliseconds:
 *
 * {@snippet class=dev.asyncpatterns.testkit.snippets.TestkitSnippets region=runUntilDone}
 *
 * <h2>Rules of thumb</h2>
 *
 * <ul>
 *   <li>Prefer explicit {@code advance}: it is exact. Idle detection only sees the clock's own
 *       activity and its tracked executor; give that executor to the code under test where it
 *       accepts one, or work running elsewhere may be mistaken for idleness.
 *   <li>{@code advance} runs timer tasks on the calling thread: a task that blocks blocks the
 *       test. Timer tasks that complete futures run those futures' dependents on that thread too.
 *   <li>Real time still exists: anything the code does not route through the clock (a real
 *       {@code Thread.sleep}, {@code orTimeout}) is not virtualised. The toolkit itself routes
 *       all of its waiting through the {@code TimeSource}.
 * </ul>
 */
package dev.asyncpatterns.testkit;
