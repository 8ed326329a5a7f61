package dev.asyncpatterns.redis;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.time.TimeSource;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Maintainer's note.
 *
 * A consecutive-failure circuit breaker, small on purpose (see docs/adr/redis-0001). CLOSED counts
 * consecutive failures and opens at `threshold`; OPEN refuses every call until `openNanos` have
 * passed on the time source, then the next call becomes the one probe (HALF_OPEN, no other call
 * admitted); the probe's success closes, its failure re-opens for another `openNanos`. Every
 * admitted call reports exactly one outcome (the callers guarantee it: a timeout is a failure).
 * A short lock guards the three fields; no user code runs under it.
 */
/** Consecutive-failure circuit breaker on a {@link TimeSource}. Not part of the API. */
final class Breaker {

    private final int threshold;
    private final long openNanos;
    private final TimeSource time;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private CircuitState state = CircuitState.CLOSED;

    private volatile int failures; // written under lock

    @GuardedBy("lock")
    private long openedAt;

    private volatile CircuitState published = CircuitState.CLOSED;

    Breaker(int threshold, long openNanos, TimeSource time) {
        this.threshold = threshold;
        this.openNanos = openNanos;
        this.time = time;
    }

    /** Returns whether a call may go to Redis now; if so, it must report success or failure. */
    boolean tryAcquire() {
        if (published == CircuitState.CLOSED) {
            return true; // fast path: no lock while healthy
        }
        lock.lock();
        try {
            switch (state) {
                case CLOSED:
                    return true;
                case OPEN:
                    if (time.nanoTime() - openedAt >= openNanos) {
                        set(CircuitState.HALF_OPEN);
                        return true;
                    }
                    return false;
                default:
                    return false; // a probe is in flight
            }
        } finally {
            lock.unlock();
        }
    }

    void onSuccess() {
        if (published == CircuitState.CLOSED && failures == 0) {
            return;
        }
        lock.lock();
        try {
            failures = 0;
            set(CircuitState.CLOSED);
        } finally {
            lock.unlock();
        }
    }

    @SuppressWarnings("NonAtomicVolatileUpdate") // failures is written only under lock; volatile for lock-free readers
    void onFailure() {
        lock.lock();
        try {
            if (state == CircuitState.HALF_OPEN || (state == CircuitState.CLOSED && ++failures >= threshold)) {
                openedAt = time.nanoTime();
                failures = 0;
                set(CircuitState.OPEN);
            }
        } finally {
            lock.unlock();
        }
    }

    CircuitState state() {
        return published;
    }

    @GuardedBy("lock")
    private void set(CircuitState next) {
        state = next;
        published = next;
    }
}
