package dev.asyncpatterns.resilience.issues;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.resilience.InMemoryJobStore;
import dev.asyncpatterns.resilience.JobAttempt;
import dev.asyncpatterns.resilience.JobId;
import dev.asyncpatterns.resilience.JobRecord;
import dev.asyncpatterns.resilience.JobStore;
import dev.asyncpatterns.resilience.RetryQueue;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, "What to do" 3, for the retry queue: a user-supplied {@link JobStore} that throws an
 * {@link Error} (not a failed stage) must fail that operation, not wedge the queue's counters so
 * that shutdown never completes.
 */
class Issue21Test {

    private final VirtualClock clock = VirtualClock.create();

    /** The in-memory store, except that the calls named by the flags throw an Error once. */
    private static final class ErroringStore implements JobStore<String> {
        final InMemoryJobStore<String> delegate;
        final AtomicBoolean addThrows = new AtomicBoolean();
        final AtomicBoolean claimThrows = new AtomicBoolean();
        final AtomicBoolean succeededThrows = new AtomicBoolean();

        ErroringStore(VirtualClock clock) {
            this.delegate = new InMemoryJobStore<>(clock);
        }

        @Override
        public CompletionStage<JobRecord<String>> add(String job, int priority, int maxLive) {
            if (addThrows.getAndSet(false)) {
                throw new StackOverflowError("store.add");
            }
            return delegate.add(job, priority, maxLive);
        }

        @Override
        public CompletionStage<Claim<String>> claim(String owner, int max, Duration lease) {
            if (claimThrows.getAndSet(false)) {
                throw new StackOverflowError("store.claim");
            }
            return delegate.claim(owner, max, lease);
        }

        @Override
        public CompletionStage<Integer> heartbeat(Collection<Lease> held, Duration lease) {
            return delegate.heartbeat(held, lease);
        }

        @Override
        public CompletionStage<Boolean> succeeded(JobId id, Lease lease) {
            if (succeededThrows.getAndSet(false)) {
                throw new StackOverflowError("store.succeeded");
            }
            return delegate.succeeded(id, lease);
        }

        @Override
        public CompletionStage<Boolean> retryLater(JobId id, Lease lease, JobAttempt failed, Duration delay) {
            return delegate.retryLater(id, lease, failed, delay);
        }

        @Override
        public CompletionStage<Boolean> deadLetter(JobId id, Lease lease, JobAttempt failed) {
            return delegate.deadLetter(id, lease, failed);
        }

        @Override
        public CompletionStage<List<JobRecord<String>>> deadLetters() {
            return delegate.deadLetters();
        }

        @Override
        public CompletionStage<Boolean> replay(JobId id) {
            return delegate.replay(id);
        }

        @Override
        public CompletionStage<Boolean> purge(JobId id) {
            return delegate.purge(id);
        }

        @Override
        public CompletionStage<List<JobRecord<String>>> removePending() {
            return delegate.removePending();
        }

        @Override
        public Counts counts() {
            return delegate.counts();
        }

        @Override
        public Cancellable onWorkAvailable(Runnable listener) {
            return delegate.onWorkAvailable(listener);
        }
    }

    private <T> T runUntilDone(CompletableFuture<T> future) {
        while (!future.isDone() && clock.advanceToNextTimer()) {
            // keep going
        }
        assertThat(future).as("done on virtual time").isDone();
        return future.join();
    }

    @Test
    void storeAddThrowsError_submitFailsAndShutdownStillCompletes() {
        var store = new ErroringStore(clock);
        var queue = RetryQueue.<String>builder("q", job -> CompletableFuture.completedFuture(null))
                .store(store)
                .timeSource(clock)
                .build();
        store.addThrows.set(true);
        CompletableFuture<JobId> submitted;
        try {
            submitted = queue.submit("a");
        } catch (StackOverflowError escaped) {
            submitted = CompletableFuture.failedFuture(new AssertionError("the Error escaped submit", escaped));
        }
        assertThat(submitted).isCompletedExceptionally();
        assertThat(submitted.handle((v, f) -> f).join()).isInstanceOf(StackOverflowError.class);
        queue.submit("b").join();
        var drained = queue.shutdown();
        assertThat(runUntilDone(drained)).isNull();
        assertThat(queue.stats().succeeded()).isEqualTo(1);
    }

    @Test
    void storeClaimThrowsError_pumpKeepsGoingAndShutdownCompletes() {
        var store = new ErroringStore(clock);
        var queue = RetryQueue.<String>builder("q", job -> CompletableFuture.completedFuture(null))
                .store(store)
                .timeSource(clock)
                .build();
        store.claimThrows.set(true);
        try {
            queue.submit("a").join();
        } catch (StackOverflowError escaped) {
            throw new AssertionError("the store's Error escaped submit", escaped);
        }
        queue.submit("b").join();
        var drained = queue.shutdown();
        assertThat(runUntilDone(drained)).isNull();
        assertThat(queue.stats().succeeded()).isEqualTo(2);
    }

    @Test
    void storeRecordThrowsError_writeIsRetriedAndHandBackShutdownCompletes() {
        var store = new ErroringStore(clock);
        var queue = RetryQueue.<String>builder("q", job -> CompletableFuture.completedFuture(null))
                .store(store)
                .timeSource(clock)
                .build();
        store.succeededThrows.set(true);
        try {
            queue.submit("a").join();
        } catch (StackOverflowError escaped) {
            throw new AssertionError("the store's Error escaped submit", escaped);
        }
        // the failed write is retried with backoff (as for a failed stage) while the slot stays
        // taken; HAND_BACK completes once the retry recorded the outcome and the slot is settled
        var handedBack = queue.shutdownNow();
        assertThat(runUntilDone(handedBack)).isEmpty();
        assertThat(queue.stats().storeFailures()).isEqualTo(1);
        assertThat(queue.stats().succeeded()).isEqualTo(1);
        assertThat(queue.stats().inFlight()).isZero();
    }
}
