package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.WorkListeners;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * One ReentrantLock guards everything; every method is one short critical section, which makes
 * each transition atomic exactly as the JobStore contract asks of a transactional store.
 *
 *   jobs     id -> Entry, every job the store holds
 *   waiting  PENDING entries not yet due, by (dueAt, id)
 *   ready    PENDING entries that are due, by (priority desc, dueAt, id): the claim order
 *   leased   IN_FLIGHT entries by (leaseUntil, id)
 *   dead     DEAD entries in the order they died
 *
 * Time moves only inside calls: each call first promotes `waiting` entries that fell due into
 * `ready` (promote), and claim also turns expired leases back into ready entries (expire),
 * appending a LeaseExpiredException attempt. A lease is live while now < leaseUntil; fencing
 * compares the claim's token, so a late completion from an earlier claim of the same job never
 * applies. Stages are created already complete, so no dependent runs inside the critical
 * section; work listeners run after the lock is released.
 */
/**
 * A {@link JobStore} in memory: fast and simple, but jobs do not survive the process. Suits
 * tests, several queues in one JVM, and work that may be lost on a crash; use a durable
 * implementation otherwise. It follows the whole {@link JobStore} contract, leases and fencing
 * included, on the {@link TimeSource} it is given.
 *
 * <p>Thread-safe; every transition is atomic; every stage it returns is already complete. Work
 * listeners are called on the thread that added or replayed a job.
 *
 * @param <J> the job type
 * @since 0.1.0
 */
public final class InMemoryJobStore<J> implements JobStore<J> {

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryJobStore.class);

    private enum State {
        PENDING,
        IN_FLIGHT,
        DEAD
    }

    private static final class Entry<J> {
        final JobId id;
        final J job;
        final int priority;
        final Instant submittedAt;
        final List<JobAttempt> history = new ArrayList<>();
        State state = State.PENDING;
        Instant dueAt;
        int attemptsSinceReplay;
        int replays;

        @Nullable
        String owner;

        long token;

        @Nullable
        Instant claimedAt;

        @Nullable
        Instant leaseUntil;

        Entry(JobId id, J job, int priority, Instant submittedAt) {
            this.id = id;
            this.job = job;
            this.priority = priority;
            this.submittedAt = submittedAt;
            this.dueAt = submittedAt;
        }

        /** The lease's end; only for an IN_FLIGHT entry, the one state that holds a lease. */
        Instant leaseEnd() {
            return Objects.requireNonNull(leaseUntil, "leaseUntil");
        }

        JobRecord<J> snapshot() {
            return new JobRecord<>(id, job, submittedAt, history, attemptsSinceReplay, replays);
        }
    }

    private static final Comparator<Entry<?>> BY_DUE =
            Comparator.<Entry<?>, Instant>comparing(e -> e.dueAt).thenComparingLong(e -> e.id.value());
    private static final Comparator<Entry<?>> CLAIM_ORDER =
            Comparator.<Entry<?>>comparingInt(e -> -e.priority).thenComparing(BY_DUE);
    private static final Comparator<Entry<?>> BY_LEASE =
            Comparator.<Entry<?>, Instant>comparing(e -> e.leaseUntil).thenComparingLong(e -> e.id.value());

    private final TimeSource time;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<JobId, Entry<J>> jobs = new HashMap<>();
    private final TreeSet<Entry<J>> waiting = new TreeSet<>(BY_DUE);
    private final TreeSet<Entry<J>> ready = new TreeSet<>(CLAIM_ORDER);
    private final TreeSet<Entry<J>> leased = new TreeSet<>(BY_LEASE);
    private final Map<JobId, Entry<J>> dead = new LinkedHashMap<>();
    private final WorkListeners workListeners = new WorkListeners();
    private long nextId = 1;
    private long nextToken = 1;

    /** Creates an empty store on the system clock. */
    public InMemoryJobStore() {
        this(TimeSource.system());
    }

    /**
     * Creates an empty store whose due times and leases follow {@code time}.
     *
     * @param time the clock (a queue using this store should use the same one)
     * @throws NullPointerException if {@code time} is null
     */
    public InMemoryJobStore(TimeSource time) {
        this.time = Objects.requireNonNull(time, "time");
    }

    @Override
    public CompletionStage<JobRecord<J>> add(J job, int priority, int maxLive) {
        Objects.requireNonNull(job, "job");
        Checks.positive(maxLive, "maxLive");
        JobRecord<J> added;
        lock.lock();
        try {
            long live = (long) waiting.size() + ready.size() + leased.size();
            if (live >= maxLive) {
                return CompletableFuture.failedFuture(new RejectedExecutionException(
                        "job store is full: " + live + " live jobs, capacity " + maxLive + "; job refused"));
            }
            Entry<J> entry = new Entry<>(new JobId(nextId++), job, priority, time.instant());
            jobs.put(entry.id, entry);
            ready.add(entry);
            added = entry.snapshot();
        } finally {
            lock.unlock();
        }
        signalWork();
        return CompletableFuture.completedFuture(added);
    }

    @Override
    public CompletionStage<Claim<J>> claim(String owner, int max, Duration lease) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(lease, "lease");
        Checks.positive(max, "max");
        Durations.requirePositive(lease, "lease");
        List<JobRecord<J>> claimed = new ArrayList<>();
        Lease granted;
        Optional<Duration> nextDueIn;
        lock.lock();
        try {
            Instant now = time.instant();
            promote(now);
            expire(now);
            granted = new Lease(owner, nextToken++);
            while (claimed.size() < max && !ready.isEmpty()) {
                Entry<J> entry = ready.pollFirst();
                entry.state = State.IN_FLIGHT;
                entry.owner = owner;
                entry.token = granted.token();
                entry.claimedAt = now;
                entry.leaseUntil = now.plus(lease);
                leased.add(entry);
                claimed.add(entry.snapshot());
            }
            Instant next = null;
            if (!ready.isEmpty()) {
                next = now;
            } else {
                if (!waiting.isEmpty()) {
                    next = waiting.first().dueAt;
                }
                if (!leased.isEmpty()
                        && (next == null || leased.first().leaseEnd().isBefore(next))) {
                    next = leased.first().leaseEnd();
                }
            }
            nextDueIn = next == null ? Optional.empty() : Optional.of(nonNegative(Duration.between(now, next)));
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(new Claim<>(claimed, granted, nextDueIn));
    }

    @Override
    public CompletionStage<Integer> heartbeat(Collection<Lease> held, Duration lease) {
        Objects.requireNonNull(held, "held");
        Objects.requireNonNull(lease, "lease");
        Durations.requirePositive(lease, "lease");
        Set<Lease> leases = Set.copyOf(held);
        int extended = 0;
        lock.lock();
        try {
            Instant now = time.instant();
            List<Entry<J>> live = new ArrayList<>();
            for (Entry<J> entry : leased) {
                if (now.isBefore(entry.leaseEnd())
                        && leases.contains(new Lease(Objects.requireNonNull(entry.owner), entry.token))) {
                    live.add(entry);
                }
            }
            for (Entry<J> entry : live) {
                leased.remove(entry);
                entry.leaseUntil = now.plus(lease);
                leased.add(entry);
                extended++;
            }
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(extended);
    }

    @Override
    public CompletionStage<Boolean> succeeded(JobId id, Lease lease) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lease, "lease");
        lock.lock();
        try {
            Entry<J> entry = held(id, lease);
            if (entry == null) {
                return CompletableFuture.completedFuture(false);
            }
            leased.remove(entry);
            jobs.remove(id);
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<Boolean> retryLater(JobId id, Lease lease, JobAttempt failed, Duration delay) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(failed, "failed");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        return CompletableFuture.completedFuture(settleFailed(id, lease, failed, delay));
    }

    @Override
    public CompletionStage<Boolean> deadLetter(JobId id, Lease lease, JobAttempt failed) {
        return CompletableFuture.completedFuture(settleFailed(id, lease, failed, null));
    }

    /** IN_FLIGHT -> PENDING (due after delay) or DEAD (delay null), with the failed attempt appended. */
    private boolean settleFailed(JobId id, Lease lease, JobAttempt failed, @Nullable Duration delay) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(failed, "failed");
        lock.lock();
        try {
            Entry<J> entry = held(id, lease);
            if (entry == null) {
                return false;
            }
            leased.remove(entry);
            entry.history.add(failed);
            entry.attemptsSinceReplay++;
            entry.owner = null;
            entry.leaseUntil = null;
            if (delay == null) {
                entry.state = State.DEAD;
                dead.put(id, entry);
            } else {
                entry.state = State.PENDING;
                entry.dueAt = time.instant().plus(delay);
                (delay.isZero() ? ready : waiting).add(entry);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletionStage<List<JobRecord<J>>> deadLetters() {
        List<JobRecord<J>> snapshot = new ArrayList<>();
        lock.lock();
        try {
            for (Entry<J> entry : dead.values()) {
                snapshot.add(entry.snapshot());
            }
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(List.copyOf(snapshot));
    }

    @Override
    public CompletionStage<Boolean> replay(JobId id) {
        boolean replayed = removeDead(id, entry -> {
            entry.state = State.PENDING;
            entry.attemptsSinceReplay = 0;
            entry.replays++;
            entry.dueAt = time.instant();
            ready.add(entry);
        });
        if (replayed) {
            signalWork();
        }
        return CompletableFuture.completedFuture(replayed);
    }

    @Override
    public CompletionStage<Boolean> purge(JobId id) {
        return CompletableFuture.completedFuture(removeDead(id, entry -> jobs.remove(entry.id)));
    }

    /** Takes dead letter {@code id} out of the dead letters and hands it to {@code then}, under the lock. */
    private boolean removeDead(JobId id, Consumer<Entry<J>> then) {
        Objects.requireNonNull(id, "id");
        lock.lock();
        try {
            Entry<J> entry = dead.remove(id);
            if (entry == null) {
                return false;
            }
            then.accept(entry);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletionStage<List<JobRecord<J>>> removePending() {
        List<JobRecord<J>> removed = new ArrayList<>();
        lock.lock();
        try {
            promote(time.instant());
            for (Entry<J> entry : ready) {
                jobs.remove(entry.id);
                removed.add(entry.snapshot());
            }
            for (Entry<J> entry : waiting) {
                jobs.remove(entry.id);
                removed.add(entry.snapshot());
            }
            ready.clear();
            waiting.clear();
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(List.copyOf(removed));
    }

    @Override
    public Counts counts() {
        lock.lock();
        try {
            return new Counts(waiting.size() + ready.size(), leased.size(), dead.size());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Cancellable onWorkAvailable(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        return workListeners.add(listener);
    }

    // ---------------------------------------------------------------- internals (under lock)

    private void promote(Instant now) {
        while (!waiting.isEmpty() && !waiting.first().dueAt.isAfter(now)) {
            ready.add(waiting.pollFirst());
        }
    }

    private void expire(Instant now) {
        while (!leased.isEmpty() && !now.isBefore(leased.first().leaseUntil)) {
            Entry<J> entry = leased.pollFirst();
            entry.history.add(new JobAttempt(
                    entry.attemptsSinceReplay + 1,
                    Objects.requireNonNull(entry.claimedAt, "claimedAt"), // a leased entry was claimed
                    now,
                    new LeaseExpiredException(
                            "lease of " + entry.owner + " on " + entry.id + " expired at " + entry.leaseUntil)));
            entry.attemptsSinceReplay++;
            entry.state = State.PENDING;
            entry.owner = null;
            entry.leaseUntil = null;
            entry.dueAt = now;
            ready.add(entry);
        }
    }

    /** The entry if it is IN_FLIGHT under this lease and the lease is live, else null. */
    private @Nullable Entry<J> held(JobId id, Lease lease) {
        Entry<J> entry = jobs.get(id);
        if (entry == null
                || entry.state != State.IN_FLIGHT
                || entry.token != lease.token()
                || !lease.owner().equals(entry.owner)
                || !time.instant().isBefore(entry.leaseUntil)) {
            return null;
        }
        return entry;
    }

    private static Duration nonNegative(Duration duration) {
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    private void signalWork() {
        workListeners.signal(LOG, this);
    }

    @Override
    public String toString() {
        return "InMemoryJobStore" + counts();
    }
}
