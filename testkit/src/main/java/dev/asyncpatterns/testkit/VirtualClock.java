package dev.asyncpatterns.testkit;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * State: the current virtual time (nanos since the start), and a sorted set of timers ordered
 * by (due, sequence) (a TreeSet, so cancelling one of 100,000 timers is O(log n)) so timers due at the same instant run in scheduling order. Everything is
 * guarded by one ReentrantLock; timer tasks always run with the lock released, on the thread that
 * advances the clock, so a task may schedule or cancel timers (even ones due "now": they run in
 * the same advance call).
 *
 * advance(d) repeatedly pops the earliest timer whose due <= target, sets the clock to its due
 * time, and runs it; then sets the clock to the target. Concurrent advancers are serialised by
 * a separate advance lock, so time never goes backwards and tasks never run concurrently with
 * each other.
 *
 * Idle detection for auto-advance: every schedule/cancel/run and every task of the tracked
 * executor bumps an activity counter; the clock is "idle" when no tracked thread is runnable
 * (each is parked: waiting for a timer, a future, a lock) and the counter has not moved for the
 * quiet period. A tracked task blocked in join() on a virtual delay is therefore idle, which is
 * what lets a blocking retry loop on the tracked executor run through its schedule. Work on
 * threads the clock does not know about is invisible to it, which is why explicit advance() is
 * preferred in tests.
 */
/**
 * A {@link TimeSource} whose time moves only when the test says so: {@link #advance(Duration)}
 * runs every timer that falls due, in due order, on the calling thread. A retry schedule of
 * ten minutes runs in milliseconds, deterministically.
 *
 * {@snippet class=dev.asyncpatterns.testkit.snippets.TestkitSnippets region=advance}
 *
 * <p>For code that hops threads, {@link #runUntilDone(CompletionStage, Duration)} and
 * {@link #autoAdvance()} advance to the next timer whenever the system looks idle (see
 * {@link #executor()}).
 *
 * <p>Thread-safe: any thread may read the time and schedule or cancel timers. Tasks run one at a
 * time, on the advancing thread, never under the clock's lock. A task that throws does not stop
 * the others; the first such exception is rethrown by the advancing call once all due tasks ran.
 *
 * @since 0.1.0
 */
public final class VirtualClock implements TimeSource {

    /** The instant a clock made by {@link #create()} starts at. */
    public static final Instant DEFAULT_START = Instant.parse("2030-01-01T00:00:00Z");

    /** The default quiet period used to decide that the system is idle. */
    public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMillis(5);

    private final Instant start;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock advanceLock = new ReentrantLock();

    @GuardedBy("lock")
    private final TreeSet<Timer> timers = new TreeSet<>();

    private final AtomicLong activity = new AtomicLong();
    private final AtomicInteger trackedInFlight = new AtomicInteger();
    private final Set<Thread> trackedThreads = ConcurrentHashMap.newKeySet();
    private final Executor trackedExecutor;
    private volatile long nowNanos;

    @GuardedBy("lock")
    private long sequence;

    private volatile Duration quietPeriod = DEFAULT_QUIET_PERIOD;

    private VirtualClock(Instant start) {
        this.start = start;
        this.trackedExecutor = task -> {
            Objects.requireNonNull(task, "task");
            trackedInFlight.incrementAndGet();
            activity.incrementAndGet();
            Thread.ofVirtual()
                    .name("virtual-clock-task")
                    .inheritInheritableThreadLocals(false)
                    .start(() -> {
                        trackedThreads.add(Thread.currentThread());
                        try {
                            task.run();
                        } finally {
                            trackedThreads.remove(Thread.currentThread());
                            activity.incrementAndGet();
                            trackedInFlight.decrementAndGet();
                        }
                    });
        };
    }

    /**
     * A virtual clock starting at {@link #DEFAULT_START}.
     *
     * @return a new clock with no timers
     */
    public static VirtualClock create() {
        return new VirtualClock(DEFAULT_START);
    }

    /**
     * A virtual clock starting at the given instant.
     *
     * @param start the wall-clock reading at virtual time zero
     * @return a new clock with no timers
     * @throws NullPointerException if {@code start} is null
     */
    public static VirtualClock startingAt(Instant start) {
        return new VirtualClock(Objects.requireNonNull(start, "start"));
    }

    /** {@inheritDoc} Starts at zero and moves only when the clock is advanced. */
    @Override
    public long nanoTime() {
        return nowNanos;
    }

    @Override
    public Instant instant() {
        return start.plusNanos(nowNanos);
    }

    /**
     * Time elapsed on this clock since it was created.
     *
     * @return the virtual time elapsed
     */
    public Duration elapsed() {
        return Duration.ofNanos(nowNanos);
    }

    /**
     * {@inheritDoc}
     *
     * <p>On this clock the task runs on the thread that advances the clock past its due time. A
     * task with a zero or negative delay runs at the next {@link #advance(Duration)} (including
     * {@code advance(Duration.ZERO)}) or {@link #runDueTasks()}.
     */
    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        long delayNanos = toNanosSaturated(delay);
        lock.lock();
        try {
            long due = delayNanos <= 0 ? nowNanos : saturatedAdd(nowNanos, delayNanos);
            Timer timer = new Timer(due, sequence++, task);
            timers.add(timer);
            activity.incrementAndGet();
            return timer;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves time forward by {@code duration}, running every timer that falls due on the way, in
     * due order (ties in scheduling order), on the calling thread. Timers scheduled by those
     * tasks also run if they fall due before the target time.
     *
     * @param duration how far to move; zero runs only what is already due
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative, was " + duration);
        }
        long amount = toNanosSaturated(duration);
        advanceLock.lock();
        try {
            runUntil(saturatedAdd(nowNanos, amount));
        } finally {
            advanceLock.unlock();
        }
    }

    /**
     * Moves time forward to {@code instant}; a no-op if the clock is already past it.
     *
     * @param instant the wall-clock reading to reach
     * @throws NullPointerException if {@code instant} is null
     */
    public void advanceTo(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        Duration gap = Duration.between(instant(), instant);
        if (!gap.isNegative()) {
            advance(gap);
        }
    }

    /**
     * Runs the timers already due, without moving time.
     *
     * @return how many tasks ran
     */
    public int runDueTasks() {
        advanceLock.lock();
        try {
            return runUntil(nowNanos);
        } finally {
            advanceLock.unlock();
        }
    }

    /**
     * Jumps to the earliest pending timer and runs everything due then.
     *
     * @return {@code true} if a timer was pending, {@code false} if there was none
     */
    public boolean advanceToNextTimer() {
        advanceLock.lock();
        try {
            Long next = nextDue();
            if (next == null) {
                return false;
            }
            runUntil(Math.max(next, nowNanos));
            return true;
        } finally {
            advanceLock.unlock();
        }
    }

    /**
     * How many timers are scheduled and neither run nor cancelled.
     *
     * @return the number of pending timers
     */
    public int pendingTimers() {
        lock.lock();
        try {
            return timers.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * How long until the earliest pending timer is due.
     *
     * @return the time to the next timer ({@link Duration#ZERO} if one is already due), or empty
     *     if no timer is pending
     */
    public Optional<Duration> nextTimerIn() {
        Long next = nextDue();
        return next == null ? Optional.empty() : Optional.of(Duration.ofNanos(Math.max(0, next - nowNanos)));
    }

    /**
     * An executor whose tasks the clock can see: each task runs on a new virtual thread, and the
     * clock counts the system as busy while any of them is runnable (a task parked waiting for a
     * timer, a future or a lock counts as idle, so a blocking loop over virtual delays still
     * advances). Give it to components under test that accept an executor, so auto-advance never
     * jumps ahead of work still in progress.
     *
     * @return the tracked executor
     */
    public Executor executor() {
        return trackedExecutor;
    }

    /**
     * Sets how long the clock must see no activity before {@link #runUntilDone} and
     * {@link #autoAdvance()} consider the system idle and jump to the next timer.
     *
     * @param quietPeriod the real-time quiet period, positive
     * @return this clock
     * @throws NullPointerException if {@code quietPeriod} is null
     * @throws IllegalArgumentException if it is zero or negative
     */
    public VirtualClock quietPeriod(Duration quietPeriod) {
        Objects.requireNonNull(quietPeriod, "quietPeriod");
        if (quietPeriod.isNegative() || quietPeriod.isZero()) {
            throw new IllegalArgumentException("quietPeriod must be positive, was " + quietPeriod);
        }
        this.quietPeriod = quietPeriod;
        return this;
    }

    /**
     * Runs the clock on the calling thread until {@code stage} is done, advancing virtual time to
     * the next timer each time the system is idle, like asyncio's {@code run_until_complete}: it
     * blocks the calling (test) thread, as its name says.
     *
     * @param <T> the result type
     * @param stage the stage to wait for
     * @param maxVirtual the most virtual time to let pass before giving up
     * @return the future's result
     * @throws ExecutionException if the future failed
     * @throws TimeoutException if {@code maxVirtual} passed, or no timer was pending while the
     *     future stayed incomplete for 10 real seconds (a likely deadlock)
     * @throws InterruptedException if the calling thread was interrupted
     * @throws NullPointerException if an argument is null
     */
    public <T> T runUntilDone(CompletionStage<T> stage, Duration maxVirtual)
            throws ExecutionException, TimeoutException, InterruptedException {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(maxVirtual, "maxVirtual");
        CompletableFuture<T> future = new CompletableFuture<>();
        stage.whenComplete((value, failure) -> {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(value);
            }
        });
        long limit = saturatedAdd(nowNanos, toNanosSaturated(maxVirtual));
        long stuckSince = System.nanoTime();
        while (!future.isDone()) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (!awaitIdle(future)) {
                stuckSince = System.nanoTime();
                continue;
            }
            Long next = nextDue();
            if (next == null) {
                if (System.nanoTime() - stuckSince > TimeUnit.SECONDS.toNanos(10)) {
                    throw new TimeoutException("no timer pending and the future is not done after 10 s of real time");
                }
                continue;
            }
            if (next > limit) {
                advance(Duration.ofNanos(Math.max(0, limit - nowNanos)));
                if (!future.isDone()) {
                    throw new TimeoutException("not done within " + maxVirtual + " of virtual time");
                }
                break;
            }
            advanceToNextTimer();
            stuckSince = System.nanoTime();
        }
        return future.get();
    }

    /**
     * Starts advancing this clock in the background: whenever the system is idle, time jumps to
     * the next timer. Close the returned handle to stop. Handy for code under test that blocks
     * a thread on a future the test does not hold.
     *
     * @return a handle that stops auto-advance and waits for the background thread to end
     */
    public AutoCloseable autoAdvance() {
        Thread thread = Thread.ofPlatform()
                .daemon()
                .name("virtual-clock-auto-advance")
                .inheritInheritableThreadLocals(false)
                .start(() -> {
                    CompletableFuture<Void> never = new CompletableFuture<>();
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            if (awaitIdle(never) && nextDue() != null) {
                                advanceToNextTimer();
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
        return () -> {
            thread.interrupt();
            thread.join();
        };
    }

    @Override
    public String toString() {
        return "VirtualClock[now=" + instant() + ", pendingTimers=" + pendingTimers() + "]";
    }

    // ---------------------------------------------------------------- internals

    /** Returns true when idle; false when the future completed or activity was seen. */
    private boolean awaitIdle(CompletableFuture<?> future) throws InterruptedException {
        long quietNanos = quietPeriod.toNanos();
        long seen = activity.get();
        long since = System.nanoTime();
        while (!future.isDone()) {
            Long next = nextDue();
            boolean busy = trackedBusy();
            if (next != null && next <= nowNanos && !busy) {
                return true; // something is due right now
            }
            long current = activity.get();
            if (current != seen || busy) {
                seen = current;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= quietNanos) {
                return true;
            }
            try {
                future.get(Math.max(100_000, quietNanos / 5), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | java.util.concurrent.CancellationException done) {
                return false;
            } catch (TimeoutException stillRunning) {
                // poll again
            }
        }
        return false;
    }

    /** Whether a tracked task is starting or runnable (not parked on a timer, future or lock). */
    private boolean trackedBusy() {
        if (trackedInFlight.get() > trackedThreads.size()) {
            return true; // a task was submitted and its thread has not registered yet
        }
        for (Thread thread : trackedThreads) {
            Thread.State state = thread.getState();
            if (state == Thread.State.RUNNABLE || state == Thread.State.NEW) {
                return true;
            }
        }
        return false;
    }

    private @Nullable Long nextDue() {
        lock.lock();
        try {
            return timers.isEmpty() ? null : timers.first().due;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the first timer due by {@code target} and moves the clock to it, or to target if none. */
    // GuardedBy cannot tell that a Timer taken from this clock's `timers` has this clock as its
    // enclosing instance, so it does not see `lock` as the lock guarding timer.state
    @SuppressWarnings("GuardedBy")
    private @Nullable Timer takeDue(long target) {
        lock.lock();
        try {
            Timer timer = timers.isEmpty() ? null : timers.first();
            if (timer == null || timer.due > target) {
                if (target > nowNanos) {
                    nowNanos = target;
                }
                return null;
            }
            timers.pollFirst();
            timer.state = Timer.RUN;
            if (timer.due > nowNanos) {
                nowNanos = timer.due;
            }
            return timer;
        } finally {
            lock.unlock();
        }
    }

    private int runUntil(long target) {
        int ran = 0;
        List<Throwable> failures = new ArrayList<>();
        while (true) {
            Timer timer = takeDue(target);
            if (timer == null) {
                break;
            }
            activity.incrementAndGet();
            ran++;
            try {
                timer.task.run();
            } catch (Throwable failure) {
                failures.add(failure);
            }
        }
        if (!failures.isEmpty()) {
            Throwable first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            if (first instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (first instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("a timer task failed", first);
        }
        return ran;
    }

    private final class Timer implements Cancellable, Comparable<Timer> {
        static final int PENDING = 0;
        static final int RUN = 1;
        static final int CANCELLED = 2;

        final long due;
        final long seq;
        final Runnable task;

        @GuardedBy("VirtualClock.this.lock")
        int state;

        Timer(long due, long seq, Runnable task) {
            this.due = due;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public boolean cancel() {
            lock.lock();
            try {
                if (state != PENDING) {
                    return false;
                }
                state = CANCELLED;
                timers.remove(this);
                activity.incrementAndGet();
                return true;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int compareTo(Timer other) {
            int byDue = Long.compare(due, other.due);
            return byDue != 0 ? byDue : Long.compare(seq, other.seq);
        }
    }

    // Testkit is loaded by applications' tests, often from the class path next to a core on the
    // module path; it must not need core's internal package (exported only to our modules).
    private static long toNanosSaturated(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException overflow) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static long saturatedAdd(long now, long nanos) {
        long sum = now + nanos;
        return ((now ^ sum) & (nanos ^ sum)) < 0 ? (nanos > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : sum;
    }
}
