package dev.asyncpatterns.core.sync;

import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * A mutex is an AsyncSemaphore with one permit (lock-free when uncontended, strict FIFO,
 * cancellation-safe hand-off); this class adds the Guard that proves ownership. Async code has
 * no owning thread, so "who holds the lock" is "who holds the Guard": unlock goes through the
 * guard, exactly once. The acquire future is mapped to a guard future by mapGrant, which keeps
 * cancellation flowing both ways: cancelling the guard future withdraws the acquire; a guard
 * that cannot be delivered (the caller cancelled at the moment of the grant) unlocks at once.
 */
/**
 * A mutual-exclusion lock for asynchronous code, like {@code asyncio.Lock}: {@link #lock()}
 * returns a future of a {@link Guard} instead of blocking, and the holder unlocks through the
 * guard. {@link #withLock} is the usual way to use it.
 *
 * <p><b>Not re-entrant.</b> Asynchronous code has no owning thread, so the lock cannot tell a
 * nested call of the holder from another caller: locking again before unlocking waits for
 * yourself (forever). Pass the guard down instead of locking twice.
 *
 * <p><b>Fairness.</b> First-in, first-out; {@link #tryLock()} does not barge past waiters.
 *
 * <p><b>Cancellation.</b> Cancelling a pending lock future withdraws the request; if the lock was
 * being handed over at that moment it goes to the next waiter. Never lost, never held twice.
 * In that moment {@link #isLocked()} and {@link #tryLock()} see the lock held by the request that
 * ends cancelled: the one window that is not linearizable, by design (the lock is a one-permit
 * {@link AsyncSemaphore}; its class javadoc shows the Lincheck history).
 *
 * <p><b>Threads.</b> Thread-safe; lock-free when uncontended. Lock futures complete on the
 * thread that unlocks (outside internal locks) or on the time source's thread for a timeout.
 *
 * <p><b>Memory effects.</b> Actions before {@link Guard#unlock()} happen-before the completion of
 * the next lock future, and so before the next holder's dependents run.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.SyncSnippets region=lockWithLock}
 *
 * @since 0.1.0
 */
public final class AsyncLock {

    /**
     * A consistent snapshot of a lock (ADR core-0003), read under its internal lock. Counters are
     * kept on the slow path only: they describe contention.
     *
     * @param name the lock's name
     * @param locked whether somebody holds the lock now
     * @param waiters callers queued for the lock now
     * @param waited lock requests that had to queue, since creation
     * @param timedOut queued requests that timed out, since creation
     * @param cancelled queued requests cancelled (or completed by their caller), since creation
     * @param waitTime total time the granted requests spent queued, on the lock's time source;
     *     only waits that began after the first {@link AsyncLock#stats()} call are timed
     */
    public record Stats(
            String name, boolean locked, int waiters, long waited, long timedOut, long cancelled, Duration waitTime) {

        /**
         * Queued requests that were granted: {@code waited - timedOut - cancelled - waiters}.
         *
         * @return the count since creation
         */
        public long granted() {
            return waited - timedOut - cancelled - waiters;
        }
    }

    private final AsyncSemaphore semaphore;

    /** Creates an unlocked lock whose timed acquires use {@link TimeSource#system()}. */
    public AsyncLock() {
        this(TimeSource.system());
    }

    /**
     * Creates an unlocked lock.
     *
     * @param timeSource the clock for {@link #lock(Duration)} timeouts
     * @throws NullPointerException if {@code timeSource} is null
     */
    public AsyncLock(TimeSource timeSource) {
        this(timeSource, null);
    }

    private AsyncLock(TimeSource timeSource, @Nullable String name) {
        Objects.requireNonNull(timeSource, "timeSource");
        var b = AsyncSemaphore.builder(1).timeSource(timeSource);
        this.semaphore = (name == null ? b.name(Checks.defaultName("lock", this)) : b.name(name)).build();
        this.semaphore.waitLabel = "AsyncLock"; // JFR SlowWait events name the lock, not the semaphore inside
    }

    /**
     * Starts building a lock with a name (and optionally a time source).
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Acquires the lock. Never blocks the caller.
     *
     * <p>Thread-safe. The future completes with a fresh guard when the lock is held (at once if
     * it is free and nobody waits). Cancelling it while it waits withdraws the request.
     *
     * @return a future of the guard that unlocks
     */
    public CompletableFuture<Guard> lock() {
        return mapGrant(semaphore.acquire());
    }

    /**
     * Acquires the lock, or fails with a {@link TimeoutException} after {@code timeout}. A zero
     * or negative timeout does not wait.
     *
     * @param timeout the longest time to wait
     * @return a future of the guard, or failed with a {@link TimeoutException}
     * @throws NullPointerException if {@code timeout} is null
     */
    public CompletableFuture<Guard> lock(Duration timeout) {
        return mapGrant(semaphore.acquire(1, timeout));
    }

    /**
     * Takes the lock if it is free and nobody waits; never waits.
     *
     * @return the guard, or empty if the lock was not taken
     */
    public Optional<Guard> tryLock() {
        return semaphore.tryAcquire() ? Optional.of(new Guard(semaphore::release)) : Optional.empty();
    }

    /**
     * Runs {@code action} while holding the lock, unlocking when its stage completes, whatever
     * the outcome (as {@link AsyncSemaphore#withPermit}: the action runs on the thread that
     * obtains the lock; cancelling the result withdraws the request or cancels the action's
     * stage; the lock is released when that stage actually completes; an action that throws or
     * returns {@code null} fails the result and unlocks at once).
     *
     * @param <T> the result type
     * @param action the asynchronous action
     * @return a future completed like the action's stage
     * @throws NullPointerException if {@code action} is null
     */
    public <T> CompletableFuture<T> withLock(AsyncSupplier<? extends T> action) {
        Objects.requireNonNull(action, "action");
        return semaphore.withPermit(action);
    }

    /**
     * Whether somebody holds the lock right now. A snapshot for monitoring.
     *
     * @return {@code true} if locked
     */
    public boolean isLocked() {
        return semaphore.availablePermits() == 0;
    }

    /**
     * How many callers wait for the lock. A snapshot for monitoring.
     *
     * @return the number of queued waiters
     */
    public int waiters() {
        return semaphore.waiters();
    }

    /**
     * The lock's name, for logs and metrics (default {@code lock@<hash>}).
     *
     * @return the name
     */
    public String name() {
        return semaphore.name();
    }

    /**
     * A consistent snapshot of the lock's state and contention counters. Takes the internal lock
     * briefly; allocates only the record (and the semaphore's, which it reads). The first call
     * switches on the timing of queued waits, as {@link AsyncSemaphore#stats()} does.
     *
     * @return the stats
     */
    public Stats stats() {
        AsyncSemaphore.Stats s = semaphore.stats();
        return new Stats(
                s.name(), s.available() == 0, s.waiters(), s.waited(), s.timedOut(), s.cancelled(), s.waitTime());
    }

    @Override
    public String toString() {
        return "AsyncLock[" + name() + ", " + (isLocked() ? "locked" : "unlocked") + ", waiters=" + waiters() + "]";
    }

    private CompletableFuture<Guard> mapGrant(CompletableFuture<Void> acquired) {
        if (acquired.state() == java.util.concurrent.Future.State.SUCCESS) {
            return CompletableFuture.completedFuture(new Guard(semaphore::release));
        }
        return mapGrant(acquired, () -> new Guard(semaphore::release), semaphore::release);
    }

    /**
     * Maps an acquire future to a future of a guard, keeping cancellation and the give-back
     * exact in both directions. Shared with {@link AsyncReadWriteLock}.
     */
    static <G> CompletableFuture<G> mapGrant(
            CompletableFuture<?> acquired, java.util.function.Supplier<G> guard, Runnable giveBack) {
        var result = new CompletableFuture<G>();
        acquired.whenComplete((ignored, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else if (!result.complete(guard.get())) {
                giveBack.run(); // the caller gave up at the moment of the grant
            }
        });
        result.whenComplete((ignored, failure) -> {
            if (failure != null) {
                acquired.cancel(false);
            }
        });
        return result;
    }

    /**
     * Proof of holding a lock (of an {@link AsyncLock}, or the read or write side of an
     * {@link AsyncReadWriteLock}). Unlock exactly once; {@link #close()} does the same, for
     * try-with-resources in code running on virtual threads.
     */
    public static final class Guard implements AutoCloseable {
        private final Runnable release;
        private final AtomicBoolean released = new AtomicBoolean();

        Guard(Runnable release) {
            this.release = release;
        }

        /**
         * Releases the lock, handing it to the next waiter (completed on this thread, outside
         * internal locks).
         *
         * <p>Memory effects: actions before this call happen-before the next holder's lock
         * future completes.
         *
         * @throws IllegalStateException if this guard was already unlocked (the lock is not
         *     touched then)
         */
        public void unlock() {
            if (!released.compareAndSet(false, true)) {
                throw new IllegalStateException("this guard was already unlocked");
            }
            release.run();
        }

        /**
         * Same as {@link #unlock()}.
         *
         * @throws IllegalStateException if this guard was already unlocked
         */
        @Override
        public void close() {
            unlock();
        }

        /**
         * Whether {@link #unlock()} was called.
         *
         * @return {@code true} once unlocked
         */
        public boolean isUnlocked() {
            return released.get();
        }

        @Override
        public String toString() {
            return "AsyncLock.Guard[" + (released.get() ? "unlocked" : "held") + "]";
        }
    }

    /** Configures a lock; each setting may be given once. */
    public static final class Builder extends PrimitiveBuilder<Builder> {

        private Builder() {}

        /**
         * Builds the lock.
         *
         * @return a new, unlocked lock
         */
        public AsyncLock build() {
            return new AsyncLock(timeSourceOrSystem(), givenName());
        }
    }
}
