package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.internal.StopWork;
import dev.asyncpatterns.core.time.Cancellable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * One retry attempt whose primary did not finish synchronously, raced against up to maxHedges
 * backups started `delay` apart on the time source. All fields are guarded by `lock`; attempts
 * are started, cancelled and reported OUTSIDE the lock (they run user code and complete futures).
 *
 *   launched   attempts started so far (primary included), <= 1 + maxHedges
 *   failed     attempts that ended with a failure
 *   done       the round has an outcome (first success, all launched failed, or cancelled)
 *
 * First success: done, the hedge timer and every other attempt are cancelled (their permits are
 * released by Attempt), the value goes to the Execution. A failure while others still run is
 * remembered (first failure is the cause; later ones are attached as suppressed). When every
 * launched attempt has failed the round fails at once, pending hedges are not started: hedging
 * is for slowness, retry is for failures.
 */
/** An attempt raced against its hedged backups. */
final class HedgedRound<T> implements Cancellable {

    private final Execution<T> execution;
    private final HedgingPolicy hedging;
    private final int number;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Attempt<T>> attempts = new ArrayList<>(2);
    private int launched = 1;
    private int failed;
    private boolean done;
    private @Nullable Throwable firstFailure;
    private @Nullable FailureKind firstKind;
    private @Nullable Cancellable timer;

    HedgedRound(Execution<T> execution, HedgingPolicy hedging, int number, Attempt<T> primary) {
        this.execution = execution;
        this.hedging = hedging;
        this.number = number;
        attempts.add(primary);
    }

    /** Schedules the next backup, if more are allowed. */
    void scheduleNextHedge() {
        Cancellable next = hedging.scheduleHedge(this::launchHedge);
        boolean stale;
        lock.lock();
        try {
            stale = done;
            if (!stale) {
                timer = next;
            }
        } finally {
            lock.unlock();
        }
        if (stale) {
            next.cancel();
        }
    }

    private void launchHedge() {
        Attempt<T> hedge;
        boolean more;
        lock.lock();
        try {
            if (done || launched > hedging.maxHedges()) {
                return;
            }
            hedge = new Attempt<>(execution, number, launched, this);
            launched++;
            more = launched <= hedging.maxHedges();
            attempts.add(hedge);
            timer = null;
        } finally {
            lock.unlock();
        }
        execution.events().hedgeStarted();
        hedge.start();
        if (more) {
            scheduleNextHedge();
        }
    }

    void onAttemptDone(Attempt<T> attempt, @Nullable T value, @Nullable Throwable failure, @Nullable FailureKind kind) {
        List<Attempt<T>> losers = null;
        Cancellable pendingTimer;
        Throwable roundFailure = null;
        FailureKind roundKind = null;
        lock.lock();
        try {
            if (done) {
                return;
            }
            if (failure == null) {
                done = true;
                losers = new ArrayList<>(attempts);
                losers.remove(attempt);
            } else {
                failed++;
                if (firstFailure == null) {
                    firstFailure = failure;
                    firstKind = kind;
                } else if (firstFailure != failure) {
                    firstFailure.addSuppressed(failure);
                }
                if (failed < launched) {
                    return;
                }
                done = true;
                roundFailure = firstFailure;
                roundKind = firstKind;
            }
            pendingTimer = takeTimer();
        } finally {
            lock.unlock();
        }
        StopWork.cancel(pendingTimer, null);
        if (losers != null) {
            for (Attempt<T> loser : losers) {
                loser.cancel();
            }
            if (attempt.hedge > 0) {
                execution.events().hedgeWon();
            }
        }
        execution.onAttemptDone(number, value, roundFailure, roundKind);
    }

    @Override
    public boolean cancel() {
        List<Attempt<T>> running;
        Cancellable pendingTimer;
        lock.lock();
        try {
            if (done) {
                return false;
            }
            done = true;
            running = new ArrayList<>(attempts);
            pendingTimer = takeTimer();
        } finally {
            lock.unlock();
        }
        StopWork.cancel(pendingTimer, null);
        for (Attempt<T> attempt : running) {
            attempt.cancel();
        }
        return true;
    }

    /** Takes the pending hedge timer, if any, to cancel once the lock is released. Call under the lock. */
    private @Nullable Cancellable takeTimer() {
        Cancellable pending = timer;
        timer = null;
        return pending;
    }
}
