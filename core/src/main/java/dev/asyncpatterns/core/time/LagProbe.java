package dev.asyncpatterns.core.time;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * A tick: at time t0 (TimeSource) submit a no-op task to the executor; when it runs, its lag is
 * now - t0. One tick is in flight at most: if the previous tick has not run when the next
 * interval comes, no new tick is piled onto the starved executor, and the pending tick's age
 * counts as the current lag. Counters are guarded by a ReentrantLock held only for arithmetic (logging happens after unlock).
 * The timer re-arms itself each interval; close() cancels it. Starvation transitions (healthy ->
 * starved -> healthy) are logged once each, not per tick.
 */
/**
 * Measures how late an executor runs work, the Java form of asyncio's "event loop blocked" check:
 * every interval it submits a tiny task and records how long the task waited to start. Sustained
 * lag means the executor's threads are busy or blocked (a CPU-bound task on a small pool, a
 * blocking call on a carrier thread).
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.LifecycleSnippets region=lagProbe}
 *
 * <p><b>Closing.</b> {@link #close()} cancels the probe's timer. The probe holds a timer but
 * no work to finish, so it is {@link AutoCloseable} (ADR core-0002).
 *
 * <p>Thread-safe. Timing uses the given {@link TimeSource}; the probe's own task does nothing but
 * record one number.
 *
 * @since 0.1.0
 */
public final class LagProbe implements AutoCloseable {

    /**
     * A consistent snapshot of the measurements (ADR core-0003), read under the probe's lock.
     *
     * @param name the probe's name
     * @param samples ticks that ran
     * @param maxLag the worst lag seen (including a tick still waiting)
     * @param averageLag the mean lag over the ticks that ran
     * @param lastLag the lag of the latest tick, or the age of a tick still waiting if larger
     * @param pending whether a tick is waiting to run right now
     * @param rejected ticks the executor refused
     * @param starved whether the current lag exceeds the threshold (or the last tick was refused)
     */
    public record Stats(
            String name,
            long samples,
            Duration maxLag,
            Duration averageLag,
            Duration lastLag,
            boolean pending,
            long rejected,
            boolean starved) {}

    private static final Logger LOG = LoggerFactory.getLogger(LagProbe.class);

    private final String name;
    private final Executor executor;
    private final Duration interval;
    private final long thresholdNanos;
    private final TimeSource time;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private long samples;

    @GuardedBy("lock")
    private long totalLag;

    @GuardedBy("lock")
    private long maxLag;

    @GuardedBy("lock")
    private long lastLag;

    @GuardedBy("lock")
    private long pendingSince = -1;

    @GuardedBy("lock")
    private long rejected;

    @GuardedBy("lock")
    private boolean lastRejected;

    @GuardedBy("lock")
    private boolean reportedStarved;

    @GuardedBy("lock")
    private boolean stopped;

    @GuardedBy("lock")
    private @Nullable Cancellable timer;

    private LagProbe(String name, Executor executor, Duration interval, Duration threshold, TimeSource time) {
        this.name = name;
        this.executor = executor;
        this.interval = interval;
        this.thresholdNanos = Durations.toNanosSaturated(threshold);
        this.time = time;
    }

    /**
     * Starts probing {@code executor} on the system clock.
     *
     * @param executor the executor to watch
     * @param interval time between ticks, positive
     * @param threshold lag above which the executor counts as starved, positive
     * @return the running probe
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a duration is not positive
     */
    public static LagProbe start(Executor executor, Duration interval, Duration threshold) {
        return start("executor", executor, interval, threshold, TimeSource.system());
    }

    /**
     * Starts probing {@code executor}.
     *
     * @param name the name used in logs
     * @param executor the executor to watch
     * @param interval time between ticks, positive
     * @param threshold lag above which the executor counts as starved, positive
     * @param timeSource the clock for ticks and measurements
     * @return the running probe
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a duration is not positive, or {@code name} is blank,
     *     longer than 200 characters or holds a control character
     */
    public static LagProbe start(
            String name, Executor executor, Duration interval, Duration threshold, TimeSource timeSource) {
        Checks.name(name);
        Objects.requireNonNull(executor, "executor");
        Durations.requirePositive(interval, "interval");
        Durations.requirePositive(threshold, "threshold");
        Objects.requireNonNull(timeSource, "timeSource");
        LagProbe probe = new LagProbe(name, executor, interval, threshold, timeSource);
        probe.arm();
        return probe;
    }

    /**
     * The probe's name, for logs and metrics.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * A snapshot of the lag measured so far.
     *
     * @return the stats
     */
    public Stats stats() {
        lock.lock();
        try {
            long current = lastLag;
            long worst = maxLag;
            boolean pending = pendingSince >= 0;
            if (pending) {
                long age = time.nanoTime() - pendingSince;
                current = Math.max(current, age);
                worst = Math.max(worst, age);
            }
            return new Stats(
                    name,
                    samples,
                    Duration.ofNanos(worst),
                    Duration.ofNanos(samples == 0 ? 0 : totalLag / samples),
                    Duration.ofNanos(current),
                    pending,
                    rejected,
                    lastRejected || current > thresholdNanos);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops probing: the probe's timer is cancelled and no further sample is taken. Idempotent,
     * never blocks; {@link #stats()} stays readable.
     */
    @Override
    public void close() {
        Cancellable t;
        lock.lock();
        try {
            stopped = true;
            t = timer;
            timer = null;
        } finally {
            lock.unlock();
        }
        if (t != null) {
            t.cancel();
        }
    }

    @Override
    public String toString() {
        return "LagProbe[" + name + ", " + stats() + "]";
    }

    // ---------------------------------------------------------------- internals

    private void arm() {
        lock.lock();
        try {
            if (!stopped) {
                timer = time.schedule(interval, this::tick);
            }
        } finally {
            lock.unlock();
        }
    }

    private void tick() {
        long t0;
        int transition = 0;
        long age = 0;
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            if (pendingSince >= 0) {
                age = time.nanoTime() - pendingSince;
                transition = transition(age);
                t0 = -1; // previous tick still waiting: do not pile on
            } else {
                t0 = time.nanoTime();
                pendingSince = t0;
            }
        } finally {
            lock.unlock();
        }
        log(transition, age);
        if (t0 >= 0) {
            try {
                executor.execute(() -> record(t0));
            } catch (RuntimeException | Error e) { // rejected, or out of threads: count it and keep ticking (issue 21)
                lock.lock();
                try {
                    pendingSince = -1;
                    rejected++;
                    lastRejected = true;
                } finally {
                    lock.unlock();
                }
                LOG.warn("LagProbe[{}]: executor rejected the probe", name, e);
            }
        }
        arm();
    }

    private void record(long t0) {
        int transition;
        long lag;
        lock.lock();
        try {
            lag = Math.max(0, time.nanoTime() - t0);
            pendingSince = -1;
            lastRejected = false;
            samples++;
            totalLag += lag;
            lastLag = lag;
            maxLag = Math.max(maxLag, lag);
            transition = transition(lag);
        } finally {
            lock.unlock();
        }
        log(transition, lag);
    }

    /** Lock held: +1 on becoming starved, -1 on recovering, 0 otherwise. */
    @GuardedBy("lock")
    private int transition(long lag) {
        boolean starved = lag > thresholdNanos;
        if (starved == reportedStarved) {
            return 0;
        }
        reportedStarved = starved;
        return starved ? 1 : -1;
    }

    /** Logs a transition, once per transition, with no lock held. */
    private void log(int transition, long lag) {
        if (transition > 0) {
            LOG.warn(
                    "LagProbe[{}]: executor starved, lag {} > {}",
                    name,
                    Duration.ofNanos(lag),
                    Duration.ofNanos(thresholdNanos));
        } else if (transition < 0) {
            LOG.info("LagProbe[{}]: executor recovered, lag {}", name, Duration.ofNanos(lag));
        }
    }
}
