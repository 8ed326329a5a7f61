package dev.asyncpatterns.resilience.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.resilience.JobAttempt;
import dev.asyncpatterns.resilience.JobId;
import dev.asyncpatterns.resilience.JobOutcome;
import dev.asyncpatterns.resilience.JobRecord;
import dev.asyncpatterns.resilience.JobStore;
import dev.asyncpatterns.resilience.JobStoreException;
import dev.asyncpatterns.resilience.LeaseExpiredException;
import dev.asyncpatterns.resilience.RetryQueue;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link JobStore} contract, run against every store: {@code InMemoryJobStoreTest} here and
 * {@code PostgresJobStoreTest} in the postgres module (which gets this class through
 * resilience's test-jar; it lives in its own package so that it does not split the resilience
 * module's package on the module path). A subclass supplies a fresh store and a way to let the store's clock
 * move; everything else is the same assertions for every store.
 */
public abstract class JobStoreContract {

    /** Long enough never to expire during a test step. */
    protected static final Duration LONG_LEASE = Duration.ofMinutes(5);

    /** Short enough to expire quickly with {@link #elapse}. */
    protected static final Duration SHORT_LEASE = Duration.ofMillis(300);

    /** A new empty store. */
    protected abstract JobStore<String> newStore();

    /** Lets at least {@code duration} pass on the store's clock (and the queue time source). */
    protected abstract void elapse(Duration duration);

    /** The time source queues built in these tests use. */
    protected abstract TimeSource queueTime();

    /** Waits until {@code condition} holds: at once on virtual time, with a generous bound on real time. */
    protected void await(String what, BooleanSupplier condition) {
        Awaitility.await(what)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(5))
                .until(condition::getAsBoolean);
    }

    protected JobStore<String> store;

    /** The store's exact counts now (a store that caches {@link JobStore#counts()} refreshes first). */
    protected JobStore.Counts counts() {
        return store.counts();
    }

    @BeforeEach
    void createStore() {
        store = newStore();
    }

    private static <T> T done(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private JobStore.Claim<String> claim(String owner, int max, Duration lease) {
        return done(store.claim(owner, max, lease));
    }

    private static JobAttempt failedAttempt(int number, String why) {
        var now = java.time.Instant.now();
        return new JobAttempt(number, now, now, new IOException(why));
    }

    // ---------------------------------------------------------------- add and claim

    @Test
    protected void add_thenClaim_handsOutTheJobUnderALease() {
        var added = done(store.add("a", 0, 10));

        var claim = claim("w1", 10, LONG_LEASE);

        assertThat(claim.jobs()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(added.id());
            assertThat(r.job()).isEqualTo("a");
            assertThat(r.history()).isEmpty();
            assertThat(r.attemptsSinceReplay()).isZero();
        });
        assertThat(claim.lease().owner()).isEqualTo("w1");
        assertThat(counts()).isEqualTo(new JobStore.Counts(0, 1, 0));
        assertThat(claim("w2", 10, LONG_LEASE).jobs())
                .as("a leased job is not handed out twice")
                .isEmpty();
    }

    @Test
    protected void claim_ordersByPriorityThenAge() {
        done(store.add("low-1", 0, 10));
        done(store.add("high-1", 5, 10));
        done(store.add("low-2", 0, 10));
        done(store.add("high-2", 5, 10));
        done(store.add("urgent", 9, 10));

        var order = new ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            claim("w", 1, LONG_LEASE).jobs().forEach(r -> order.add(r.job()));
        }

        assertThat(order).containsExactly("urgent", "high-1", "high-2", "low-1", "low-2");
    }

    @Test
    protected void claim_takesAtMostMax_andReportsMoreDueAtOnce() {
        for (int i = 0; i < 5; i++) {
            done(store.add("j" + i, 0, 10));
        }

        var first = claim("w", 3, LONG_LEASE);

        assertThat(first.jobs()).hasSize(3);
        assertThat(first.nextDueIn()).hasValue(Duration.ZERO);
        assertThat(claim("w", 3, LONG_LEASE).jobs()).hasSize(2);
    }

    @Test
    protected void claim_emptyStore_reportsNothingLive() {
        var claim = claim("w", 4, LONG_LEASE);

        assertThat(claim.jobs()).isEmpty();
        assertThat(claim.nextDueIn()).isEmpty();
    }

    @Test
    protected void claim_eachClaimGetsItsOwnToken() {
        done(store.add("a", 0, 10));
        done(store.add("b", 0, 10));

        var first = claim("w", 1, LONG_LEASE);
        var second = claim("w", 1, LONG_LEASE);

        assertThat(first.lease().token()).isNotEqualTo(second.lease().token());
    }

    @Test
    protected void add_atCapacity_isRejectedAndNotStored() {
        done(store.add("a", 0, 2));
        done(store.add("b", 0, 2));

        var third = store.add("c", 0, 2).toCompletableFuture();

        assertThatThrownBy(third::join)
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(RejectedExecutionException.class);
        assertThat(counts().live()).isEqualTo(2);
    }

    @Test
    protected void add_deadLettersDoNotCountAgainstCapacity() {
        done(store.add("a", 0, 1));
        var claim = claim("w", 1, LONG_LEASE);
        assertThat(done(store.deadLetter(claim.jobs().get(0).id(), claim.lease(), failedAttempt(1, "x"))))
                .isTrue();

        assertThat(done(store.add("b", 0, 1)).job()).isEqualTo("b");
    }

    // ---------------------------------------------------------------- outcomes and fencing

    @Test
    protected void succeeded_underItsLease_removesTheJob() {
        done(store.add("a", 0, 10));
        var claim = claim("w", 1, LONG_LEASE);

        assertThat(done(store.succeeded(claim.jobs().get(0).id(), claim.lease())))
                .isTrue();

        assertThat(counts()).isEqualTo(new JobStore.Counts(0, 0, 0));
        assertThat(done(store.succeeded(claim.jobs().get(0).id(), claim.lease())))
                .as("second time")
                .isFalse();
    }

    @Test
    protected void outcome_underAnotherLease_isFencedAndChangesNothing() {
        done(store.add("a", 0, 10));
        var claim = claim("w1", 1, LONG_LEASE);
        var id = claim.jobs().get(0).id();
        var forged = new JobStore.Lease("w2", claim.lease().token());
        var stale = new JobStore.Lease("w1", claim.lease().token() + 1_000_000);

        assertThat(done(store.succeeded(id, forged))).isFalse();
        assertThat(done(store.retryLater(id, stale, failedAttempt(1, "x"), Duration.ZERO)))
                .isFalse();
        assertThat(done(store.deadLetter(id, forged, failedAttempt(1, "x")))).isFalse();

        assertThat(counts()).isEqualTo(new JobStore.Counts(0, 1, 0));
        assertThat(done(store.succeeded(id, claim.lease()))).isTrue();
    }

    @Test
    protected void succeeded_unknownJob_isANoOp() {
        assertThat(done(store.succeeded(new JobId(987_654), new JobStore.Lease("w", 1))))
                .isFalse();
    }

    @Test
    protected void retryLater_keepsHistory_andIsNotClaimableUntilDue() {
        done(store.add("a", 0, 10));
        var claim = claim("w", 1, LONG_LEASE);
        var id = claim.jobs().get(0).id();

        assertThat(done(store.retryLater(id, claim.lease(), failedAttempt(1, "boom"), Duration.ofMillis(400))))
                .isTrue();

        var early = claim("w", 1, LONG_LEASE);
        assertThat(early.jobs()).isEmpty();
        assertThat(early.nextDueIn())
                .hasValueSatisfying(d -> assertThat(d).isPositive().isLessThanOrEqualTo(Duration.ofMillis(400)));
        assertThat(counts()).isEqualTo(new JobStore.Counts(1, 0, 0));
        elapse(Duration.ofMillis(450));
        var later = claim("w", 1, LONG_LEASE);
        assertThat(later.jobs()).singleElement().satisfies(r -> {
            assertThat(r.attemptsSinceReplay()).isEqualTo(1);
            assertThat(r.history()).singleElement().satisfies(a -> {
                assertThat(a.number()).isEqualTo(1);
                assertThat(a.failure()).hasMessageContaining("boom");
            });
        });
    }

    @Test
    protected void deadLetter_replay_purge_roundTrip() {
        done(store.add("a", 0, 10));
        var claim = claim("w", 1, LONG_LEASE);
        var id = claim.jobs().get(0).id();

        assertThat(done(store.deadLetter(id, claim.lease(), failedAttempt(1, "fatal"))))
                .isTrue();
        assertThat(done(store.deadLetters())).singleElement().satisfies(r -> {
            assertThat(r.job()).isEqualTo("a");
            assertThat(r.history())
                    .extracting(a -> a.failure().getMessage())
                    .singleElement()
                    .asString()
                    .contains("fatal");
        });
        assertThat(counts()).isEqualTo(new JobStore.Counts(0, 0, 1));

        assertThat(done(store.replay(id))).isTrue();
        assertThat(done(store.replay(id))).as("no longer dead").isFalse();
        var again = claim("w", 1, LONG_LEASE);
        assertThat(again.jobs()).singleElement().satisfies(r -> {
            assertThat(r.replays()).isEqualTo(1);
            assertThat(r.attemptsSinceReplay()).isZero();
            assertThat(r.history()).hasSize(1);
        });
        assertThat(done(store.deadLetter(id, again.lease(), failedAttempt(1, "fatal again"))))
                .isTrue();

        assertThat(done(store.purge(id))).isTrue();
        assertThat(done(store.purge(id))).isFalse();
        assertThat(counts()).isEqualTo(new JobStore.Counts(0, 0, 0));
    }

    @Test
    protected void removePending_returnsPendingOnly() {
        done(store.add("a", 0, 10));
        done(store.add("b", 0, 10));
        done(store.add("c", 1, 10));
        var claim = claim("w", 1, LONG_LEASE);
        assertThat(claim.jobs()).extracting(JobRecord::job).containsExactly("c");

        var removed = done(store.removePending());

        assertThat(removed).extracting(JobRecord::job).containsExactly("a", "b");
        assertThat(counts()).isEqualTo(new JobStore.Counts(0, 1, 0));
    }

    // ---------------------------------------------------------------- leases

    @Test
    protected void leaseExpired_jobGoesToTheNextClaimant_withTheLostAttemptInItsHistory() {
        done(store.add("a", 0, 10));
        var first = claim("crashed", 1, SHORT_LEASE);
        assertThat(first.nextDueIn())
                .as("the lease expiry is when work may come back")
                .hasValueSatisfying(d -> assertThat(d).isLessThanOrEqualTo(SHORT_LEASE));

        elapse(SHORT_LEASE.plusMillis(100));
        var second = claim("survivor", 1, LONG_LEASE);

        assertThat(second.jobs()).singleElement().satisfies(r -> {
            assertThat(r.attemptsSinceReplay()).isEqualTo(1);
            assertThat(r.history()).singleElement().satisfies(a -> {
                assertThat(a.failure())
                        .isInstanceOf(LeaseExpiredException.class)
                        .hasMessageContaining("crashed");
            });
        });
        var id = second.jobs().get(0).id();
        assertThat(done(store.succeeded(id, first.lease())))
                .as("the late result of the first owner")
                .isFalse();
        assertThat(done(store.succeeded(id, second.lease()))).isTrue();
    }

    @Test
    protected void leaseExpired_butNotYetClaimed_lateOutcomeIsStillFenced() {
        done(store.add("a", 0, 10));
        var first = claim("stalled", 1, SHORT_LEASE);

        elapse(SHORT_LEASE.plusMillis(100));

        assertThat(done(store.succeeded(first.jobs().get(0).id(), first.lease())))
                .isFalse();
        assertThat(claim("other", 1, LONG_LEASE).jobs()).hasSize(1);
    }

    @Test
    protected void heartbeat_extendsLiveLeases_soTheJobStaysWithItsOwner() {
        done(store.add("a", 0, 10));
        done(store.add("b", 0, 10));
        var mine = claim("w1", 1, SHORT_LEASE);
        var theirs = claim("w2", 1, LONG_LEASE);

        assertThat(done(store.heartbeat(List.of(mine.lease()), LONG_LEASE))).isEqualTo(1);
        elapse(SHORT_LEASE.plusMillis(100));

        assertThat(claim("w3", 10, LONG_LEASE).jobs()).isEmpty();
        assertThat(done(store.succeeded(mine.jobs().get(0).id(), mine.lease()))).isTrue();
        assertThat(done(store.succeeded(theirs.jobs().get(0).id(), theirs.lease())))
                .isTrue();
    }

    @Test
    protected void heartbeat_extendsOnlyTheGivenClaims_notOtherClaimsOfTheSameOwner() {
        done(store.add("a", 0, 10));
        done(store.add("b", 0, 10));
        var known = claim("w1", 1, SHORT_LEASE);
        var orphaned = claim("w1", 1, SHORT_LEASE); // its answer was lost on the way back

        assertThat(done(store.heartbeat(List.of(known.lease()), LONG_LEASE))).isEqualTo(1);
        elapse(SHORT_LEASE.plusMillis(100));

        assertThat(claim("w2", 10, LONG_LEASE).jobs())
                .extracting(JobRecord::id)
                .containsExactly(orphaned.jobs().get(0).id());
        assertThat(done(store.succeeded(known.jobs().get(0).id(), known.lease())))
                .isTrue();
    }

    @Test
    protected void heartbeat_afterExpiry_doesNotReviveTheLease() {
        done(store.add("a", 0, 10));
        var lost = claim("w1", 1, SHORT_LEASE);

        elapse(SHORT_LEASE.plusMillis(100));

        assertThat(done(store.heartbeat(List.of(lost.lease()), LONG_LEASE))).isZero();
        assertThat(done(store.succeeded(lost.jobs().get(0).id(), lost.lease()))).isFalse();
    }

    // ---------------------------------------------------------------- many owners

    @Test
    protected void concurrentClaims_byFourOwners_handOutEveryJobExactlyOnce() throws Exception {
        int jobs = 400;
        for (int i = 0; i < jobs; i++) {
            done(store.add("j" + i, i % 3, jobs));
        }
        Map<JobId, String> claimedBy = new ConcurrentHashMap<>();
        var duplicates = new AtomicInteger();
        var threads = new ArrayList<Thread>();
        for (int w = 0; w < 4; w++) {
            String owner = "w" + w;
            threads.add(Thread.ofVirtual().start(() -> {
                while (true) {
                    var claim = claim(owner, 7, LONG_LEASE);
                    if (claim.jobs().isEmpty()) {
                        return;
                    }
                    for (var r : claim.jobs()) {
                        if (claimedBy.putIfAbsent(r.id(), owner) != null) {
                            duplicates.incrementAndGet();
                        }
                        done(store.succeeded(r.id(), claim.lease()));
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(60));
        }

        System.out.printf(
                "job-store-claims store=%s owners=4 jobs=%d claimed=%d duplicated=%d left=%d%n",
                store.getClass().getSimpleName(), jobs, claimedBy.size(), duplicates.get(), counts().live());
        assertThat(duplicates).hasValue(0);
        assertThat(claimedBy).hasSize(jobs);
        assertThat(done(store.claim("check", 10, LONG_LEASE)).nextDueIn()).isEmpty();
    }

    @Test
    protected void twoQueues_shareTheStore_everyJobSucceedsOnce() {
        int jobs = 200;
        Map<String, String> ranBy = new ConcurrentHashMap<>();
        var duplicates = new AtomicInteger();
        var queues = new ArrayList<RetryQueue<String>>();
        for (String name : List.of("qa", "qb")) {
            queues.add(RetryQueue.<String>builder(name, job -> {
                        if (ranBy.putIfAbsent(job, name) != null) {
                            duplicates.incrementAndGet();
                        }
                        return CompletableFuture.completedFuture(null);
                    })
                    .store(store)
                    .timeSource(queueTime())
                    .concurrency(4)
                    .build());
        }
        for (int i = 0; i < jobs; i++) {
            queues.get(i % 2).submit("j" + i).join();
        }

        await("every job ran", () -> ranBy.size() == jobs && counts().live() == 0);
        long succeeded = queues.stream().mapToLong(q -> q.stats().succeeded()).sum();
        assertThat(succeeded).isEqualTo(jobs);
        assertThat(duplicates).hasValue(0);
        queues.forEach(q -> q.shutdown().join());
    }

    @Test
    protected void queue_handlerOutlivesItsLease_lateResultIsFenced_andTheJobRunsOnceMoreElsewhere() {
        var stalledRun = new CompletableFuture<Void>();
        var survivorRuns = new AtomicInteger();
        var stalledStarted = new CompletableFuture<Void>();
        var stalled = RetryQueue.<String>builder("stalled", job -> {
                    stalledStarted.complete(null);
                    return stalledRun;
                })
                .store(new NoHeartbeats<>(store))
                .timeSource(queueTime())
                .lease(SHORT_LEASE)
                .concurrency(1)
                .build();
        var handle = stalled.submitTracked("job", 0);
        handle.acknowledged().join();
        await("the stalled queue runs the job", stalledStarted::isDone); // before the survivor can claim it
        var survivorSuccesses = new CopyOnWriteArrayList<JobRecord<String>>();
        var survivor = RetryQueue.<String>builder("survivor", job -> {
                    survivorRuns.incrementAndGet();
                    return CompletableFuture.completedFuture(null);
                })
                .store(store)
                .timeSource(queueTime())
                .lease(LONG_LEASE)
                .onSuccess(survivorSuccesses::add)
                .build();

        elapse(SHORT_LEASE.plusMillis(100));
        await("the survivor ran the expired job", () -> survivorRuns.get() == 1 && counts().live() == 0);
        stalledRun.complete(null);

        await("the stalled queue learnt it was fenced", () -> handle.outcome().isDone());
        assertThat(handle.outcome()).isCompletedExceptionally();
        assertThatThrownBy(() -> handle.outcome().join()).hasCauseInstanceOf(LeaseExpiredException.class);
        assertThat(stalled.stats().succeeded()).isZero();
        assertThat(survivor.stats().succeeded()).isEqualTo(1);
        assertThat(survivorSuccesses)
                .singleElement()
                .satisfies(r -> assertThat(r.history())
                        .singleElement()
                        .satisfies(a -> assertThat(a.failure()).isInstanceOf(LeaseExpiredException.class)));
        stalled.shutdownNow().join();
        survivor.shutdownNow().join();
    }

    @Test
    protected void queue_trackedJob_reportsSuccessOrDeadLetterWithHistory() {
        var queue = RetryQueue.<String>builder(
                        "tracked",
                        job -> job.startsWith("bad")
                                ? CompletableFuture.failedFuture(new IOException("no: " + job))
                                : CompletableFuture.completedFuture(null))
                .store(store)
                .timeSource(queueTime())
                .backoff(Backoff.fixed(Duration.ofMillis(1)).maxAttempts(2))
                .build();

        var good = queue.submitTracked("good", 0);
        var bad = queue.submitTracked("bad", 0);
        await("both settled", () -> good.outcome().isDone() && bad.outcome().isDone() || advance());

        assertThat(good.outcome().join())
                .isInstanceOf(JobOutcome.Succeeded.class)
                .satisfies(o -> assertThat(o.record().id())
                        .isEqualTo(good.acknowledged().join()));
        assertThat(bad.outcome().join())
                .isInstanceOf(JobOutcome.DeadLettered.class)
                .satisfies(o -> assertThat(o.record().history())
                        .hasSize(2)
                        .allSatisfy(a -> assertThat(a.failure()).hasMessageContaining("no: bad")));
        queue.shutdown().join();
    }

    /** Moves virtual time a little when the store runs on it (false so await keeps polling). */
    protected boolean advance() {
        return false;
    }

    /** A store whose heartbeats never arrive: the owner looks stalled to everyone else. */
    static final class NoHeartbeats<J> implements JobStore<J> {
        private final JobStore<J> store;

        NoHeartbeats(JobStore<J> store) {
            this.store = store;
        }

        @Override
        public CompletionStage<JobRecord<J>> add(J job, int priority, int maxLive) {
            return store.add(job, priority, maxLive);
        }

        @Override
        public CompletionStage<Claim<J>> claim(String owner, int max, Duration lease) {
            return store.claim(owner, max, lease);
        }

        @Override
        public CompletionStage<Integer> heartbeat(java.util.Collection<Lease> held, Duration lease) {
            return CompletableFuture.failedFuture(new JobStoreException("heartbeat lost (test)", new IOException()));
        }

        @Override
        public CompletionStage<Boolean> succeeded(JobId id, Lease lease) {
            return store.succeeded(id, lease);
        }

        @Override
        public CompletionStage<Boolean> retryLater(JobId id, Lease lease, JobAttempt failed, Duration delay) {
            return store.retryLater(id, lease, failed, delay);
        }

        @Override
        public CompletionStage<Boolean> deadLetter(JobId id, Lease lease, JobAttempt failed) {
            return store.deadLetter(id, lease, failed);
        }

        @Override
        public CompletionStage<List<JobRecord<J>>> deadLetters() {
            return store.deadLetters();
        }

        @Override
        public CompletionStage<Boolean> replay(JobId id) {
            return store.replay(id);
        }

        @Override
        public CompletionStage<Boolean> purge(JobId id) {
            return store.purge(id);
        }

        @Override
        public CompletionStage<List<JobRecord<J>>> removePending() {
            return store.removePending();
        }

        @Override
        public Counts counts() {
            return store.counts();
        }

        @Override
        public Cancellable onWorkAvailable(Runnable listener) {
            return store.onWorkAvailable(listener);
        }
    }
}
