package dev.asyncpatterns.resilience;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Maintainer's note.
 *
 * One ReentrantLock guards everything; every method is one short critical section, which makes
 * each transition atomic exactly as the JobStore contract asks of a transactional store. Jobs
 * live in `jobs` (id -> Entry); PENDING entries are also in `due`, ordered by (dueAt, id), so
 * claimDue is O(k log n); DEAD entries are also in `dead` in the order they died. Stages are
 * completed before returning (never under the lock: the returned futures are created already
 * complete, so no dependent runs inside the critical section).
 */
/**
 * A {@link JobStore} in memory: fast and simple, but jobs do not survive the process. Suits
 * tests and work that may be lost on a crash; use a durable implementation otherwise.
 *
 * <p>Thread-safe; every transition is atomic; every stage it returns is already complete.
 *
 * @param <J> the job type
 */
public final class InMemoryJobStore<J> implements JobStore<J> {

    private enum State { PENDING, IN_FLIGHT, DEAD }

    private static final class Entry<J> {
        final JobId id;
        final J job;
        final Instant submittedAt;
        final List<JobAttempt> history = new ArrayList<>();
        State state = State.PENDING;
        Instant dueAt;
        int attemptsSinceReplay;
        int replays;

        Entry(JobId id, J job, Instant submittedAt) {
            this.id = id;
            this.job = job;
            this.submittedAt = submittedAt;
            this.dueAt = submittedAt;
        }

        JobRecord<J> snapshot() {
            return new JobRecord<>(id, job, submittedAt, history, attemptsSinceReplay, replays);
        }
    }

    private static final Comparator<Entry<?>> BY_DUE =
            Comparator.<Entry<?>, Instant>comparing(e -> e.dueAt).thenComparingLong(e -> e.id.value());

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<JobId, Entry<J>> jobs = new HashMap<>();
    private final TreeSet<Entry<J>> due = new TreeSet<>(BY_DUE);
    private final Map<JobId, Entry<J>> dead = new LinkedHashMap<>();
    private long nextId = 1;
    private long inFlight;

    /** Creates an empty store. */
    public InMemoryJobStore() {}

    @Override
    public CompletionStage<JobRecord<J>> add(J job, Instant now, int maxLive) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(now, "now");
        JobRecord<J> added;
        lock.lock();
        try {
            long live = due.size() + inFlight;
            if (live >= maxLive) {
                return CompletableFuture.failedFuture(new RejectedExecutionException(
                        "job store is full: " + live + " live jobs, capacity " + maxLive + "; job refused"));
            }
            Entry<J> entry = new Entry<>(new JobId(nextId++), job, now);
            jobs.put(entry.id, entry);
            due.add(entry);
            added = entry.snapshot();
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(added);
    }

    @Override
    public CompletionStage<Claim<J>> claimDue(Instant now, int max) {
        Objects.requireNonNull(now, "now");
        List<JobRecord<J>> claimed = new ArrayList<>();
        Optional<Instant> nextDue;
        lock.lock();
        try {
            while (claimed.size() < max && !due.isEmpty() && !due.first().dueAt.isAfter(now)) {
                Entry<J> entry = due.pollFirst();
                entry.state = State.IN_FLIGHT;
                inFlight++;
                claimed.add(entry.snapshot());
            }
            nextDue = due.isEmpty() ? Optional.empty() : Optional.of(due.first().dueAt);
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(new Claim<>(claimed, nextDue));
    }

    @Override
    public CompletionStage<Boolean> succeeded(JobId id) {
        lock.lock();
        try {
            Entry<J> entry = inFlight(id);
            if (entry == null) {
                return CompletableFuture.completedFuture(false);
            }
            jobs.remove(id);
            inFlight--;
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<Boolean> retryLater(JobId id, JobAttempt failed, Instant dueAt) {
        Objects.requireNonNull(dueAt, "dueAt");
        return CompletableFuture.completedFuture(settleFailed(id, failed, State.PENDING, dueAt));
    }

    @Override
    public CompletionStage<Boolean> deadLetter(JobId id, JobAttempt failed) {
        return CompletableFuture.completedFuture(settleFailed(id, failed, State.DEAD, null));
    }

    /** IN_FLIGHT -> PENDING (due at dueAt) or DEAD, with the failed attempt appended. */
    private boolean settleFailed(JobId id, JobAttempt failed, State next, Instant dueAt) {
        Objects.requireNonNull(failed, "failed");
        lock.lock();
        try {
            Entry<J> entry = inFlight(id);
            if (entry == null) {
                return false;
            }
            inFlight--;
            entry.history.add(failed);
            entry.attemptsSinceReplay++;
            entry.state = next;
            if (next == State.DEAD) {
                dead.put(id, entry);
            } else {
                entry.dueAt = dueAt;
                due.add(entry);
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
    public CompletionStage<Boolean> replay(JobId id, Instant now) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(now, "now");
        lock.lock();
        try {
            Entry<J> entry = dead.remove(id);
            if (entry == null) {
                return CompletableFuture.completedFuture(false);
            }
            entry.state = State.PENDING;
            entry.attemptsSinceReplay = 0;
            entry.replays++;
            entry.dueAt = now;
            due.add(entry);
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<Boolean> purge(JobId id) {
        Objects.requireNonNull(id, "id");
        lock.lock();
        try {
            Entry<J> entry = dead.remove(id);
            if (entry == null) {
                return CompletableFuture.completedFuture(false);
            }
            jobs.remove(id);
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<List<JobRecord<J>>> removePending() {
        List<JobRecord<J>> removed = new ArrayList<>();
        lock.lock();
        try {
            for (Entry<J> entry : due) {
                jobs.remove(entry.id);
                removed.add(entry.snapshot());
            }
            due.clear();
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(List.copyOf(removed));
    }

    @Override
    public CompletionStage<Integer> recover(Instant now) {
        Objects.requireNonNull(now, "now");
        int recovered = 0;
        lock.lock();
        try {
            for (Entry<J> entry : jobs.values()) {
                if (entry.state == State.IN_FLIGHT) {
                    entry.state = State.PENDING;
                    entry.dueAt = now;
                    due.add(entry);
                    inFlight--;
                    recovered++;
                }
            }
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(recovered);
    }

    @Override
    public Counts counts() {
        lock.lock();
        try {
            return new Counts(due.size(), inFlight, dead.size());
        } finally {
            lock.unlock();
        }
    }

    private Entry<J> inFlight(JobId id) {
        Objects.requireNonNull(id, "id");
        Entry<J> entry = jobs.get(id);
        return entry != null && entry.state == State.IN_FLIGHT ? entry : null;
    }

    @Override
    public String toString() {
        return "InMemoryJobStore" + counts();
    }
}
