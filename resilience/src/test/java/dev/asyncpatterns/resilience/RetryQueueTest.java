package dev.asyncpatterns.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.testkit.VirtualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryQueueTest {

    private static final Backoff THREE_ATTEMPTS =
            Backoff.exponential(Duration.ofMillis(100)).maxAttempts(3);

    private final VirtualClock clock = VirtualClock.create();

    /** Runs virtual time forward until {@code future} is done or no timer is left. */
    private <T> T runUntilDone(CompletableFuture<T> future) {
        while (!future.isDone() && clock.advanceToNextTimer()) {
            // keep going
        }
        assertThat(future).as("done on virtual time").isDone();
        return future.join();
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("not failed");
    }

    // ---------------------------------------------------------------- success, retry, dead letters

    @Test
    void submit_jobSucceeds_isRemovedAndCounted() {
        var seen = new CopyOnWriteArrayList<String>();
        var queue = RetryQueue.<String>builder("q", job -> {
                    seen.add(job);
                    return CompletableFuture.completedFuture(null);
                })
                .timeSource(clock)
                .build();

        var id = queue.submit("a").join();

        assertThat(id).isNotNull();
        assertThat(seen).containsExactly("a");
        var stats = queue.stats();
        assertThat(stats.submitted()).isEqualTo(1);
        assertThat(stats.succeeded()).isEqualTo(1);
        assertThat(stats.pending() + stats.inFlight() + stats.dead()).isZero();
    }

    @Test
    void poisonJob_reachesDeadLettersExactlyOnceWithFullHistory() {
        var attempts = new AtomicInteger();
        var dead = new CopyOnWriteArrayList<JobRecord<String>>();
        var queue = RetryQueue.<String>builder(
                        "q",
                        job -> CompletableFuture.failedFuture(new IOException("attempt " + attempts.incrementAndGet())))
                .backoff(THREE_ATTEMPTS)
                .timeSource(clock)
                .onDeadLetter(dead::add)
                .build();

        queue.submit("poison").join();
        clock.advance(Duration.ofMinutes(1));

        var letters = queue.deadLetters().join();
        assertThat(letters).hasSize(1);
        var letter = letters.get(0);
        assertThat(letter.job()).isEqualTo("poison");
        assertThat(letter.history()).extracting(JobAttempt::number).containsExactly(1, 2, 3);
        assertThat(letter.history())
                .extracting(a -> a.failure().getMessage())
                .containsExactly("attempt 1", "attempt 2", "attempt 3");
        assertThat(letter.history())
                .extracting(a -> Duration.between(VirtualClock.DEFAULT_START, a.startedAt()))
                .as("backoff 100 ms then 200 ms on virtual time")
                .containsExactly(Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(300));
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).history()).hasSize(3);
        assertThat(attempts).hasValue(3);
        var stats = queue.stats();
        assertThat(stats.retried()).isEqualTo(2);
        assertThat(stats.deadLettered()).isEqualTo(1);
        assertThat(stats.dead()).isEqualTo(1);
    }

    @Test
    void failureNotRetryable_goesToDeadLettersAtOnce() {
        var queue = RetryQueue.<String>builder(
                        "q", job -> CompletableFuture.failedFuture(new IllegalArgumentException("malformed")))
                .backoff(THREE_ATTEMPTS)
                .retryOn(e -> e instanceof IOException)
                .timeSource(clock)
                .build();

        queue.submit("bad").join();

        assertThat(queue.deadLetters().join())
                .singleElement()
                .satisfies(r -> assertThat(r.history()).hasSize(1));
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void handlerThrowsOrReturnsNull_countsAsFailedAttempt() {
        var queue = RetryQueue.<String>builder("q", job -> {
                    if (job.equals("throw")) {
                        throw new IllegalStateException("thrown");
                    }
                    return null;
                })
                .backoff(Backoff.fixed(Duration.ofMillis(1)).maxAttempts(1))
                .timeSource(clock)
                .build();

        queue.submit("throw").join();
        queue.submit("null").join();

        assertThat(queue.deadLetters().join())
                .extracting(r -> r.lastAttempt().failure().getClass().getSimpleName())
                .containsExactly("IllegalStateException", "NullPointerException");
    }

    @Test
    void highAttemptCount_backoffDoesNotOverflow() {
        var attempts = new AtomicInteger();
        var queue = RetryQueue.<String>builder("q", job -> {
                    attempts.incrementAndGet();
                    return CompletableFuture.failedFuture(new IOException("always"));
                })
                .backoff(Backoff.exponential(Duration.ofMillis(1))
                        .cap(Duration.ofSeconds(1))
                        .maxAttempts(200))
                .timeSource(clock)
                .build();

        queue.submit("poison").join();
        runUntilDone(queue.shutdown());

        assertThat(attempts).hasValue(200);
        assertThat(queue.deadLetters().join())
                .singleElement()
                .satisfies(r -> assertThat(r.history()).hasSize(200));
    }

    // ---------------------------------------------------------------- replay and purge

    @Test
    void replay_deadLetter_getsFreshAttemptsAndKeepsHistory() {
        var healthy = new AtomicInteger();
        var queue = RetryQueue.<String>builder(
                        "q",
                        job -> healthy.get() == 0
                                ? CompletableFuture.failedFuture(new IOException("down"))
                                : CompletableFuture.completedFuture(null))
                .backoff(THREE_ATTEMPTS)
                .timeSource(clock)
                .build();
        queue.submit("job").join();
        clock.advance(Duration.ofSeconds(1));
        var letter = queue.deadLetters().join().get(0);

        healthy.set(1);
        assertThat(queue.replay(letter.id()).join()).isTrue();

        assertThat(queue.deadLetters().join()).isEmpty();
        assertThat(queue.stats().succeeded()).isEqualTo(1);
        assertThat(queue.stats().replayed()).isEqualTo(1);
        assertThat(queue.replay(letter.id()).join())
                .as("no longer a dead letter")
                .isFalse();
    }

    @Test
    void replay_failsAgain_historySpansBothRounds() {
        var queue = RetryQueue.<String>builder("q", job -> CompletableFuture.failedFuture(new IOException("down")))
                .backoff(THREE_ATTEMPTS)
                .timeSource(clock)
                .build();
        queue.submit("job").join();
        clock.advance(Duration.ofSeconds(1));

        queue.replay(queue.deadLetters().join().get(0).id()).join();
        clock.advance(Duration.ofSeconds(1));

        var letter = queue.deadLetters().join().get(0);
        assertThat(letter.history()).extracting(JobAttempt::number).containsExactly(1, 2, 3, 1, 2, 3);
        assertThat(letter.replays()).isEqualTo(1);
        assertThat(letter.attemptsSinceReplay()).isEqualTo(3);
    }

    @Test
    void purge_removesDeadLetterForGood() {
        var queue = RetryQueue.<String>builder("q", job -> CompletableFuture.failedFuture(new IOException("down")))
                .backoff(Backoff.fixed(Duration.ofMillis(1)).maxAttempts(1))
                .timeSource(clock)
                .build();
        queue.submit("job").join();
        var id = queue.deadLetters().join().get(0).id();

        assertThat(queue.purge(id).join()).isTrue();
        assertThat(queue.purge(id).join()).isFalse();
        assertThat(queue.deadLetters().join()).isEmpty();
        assertThat(queue.stats().purged()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- bounds

    @Test
    void concurrency_bound_isNeverExceeded() {
        var running = new AtomicInteger();
        var maxRunning = new AtomicInteger();
        var pending = new CopyOnWriteArrayList<CompletableFuture<Void>>();
        var queue = RetryQueue.<Integer>builder("q", job -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    var future = new CompletableFuture<Void>();
                    pending.add(future);
                    return future.whenComplete((v, e) -> running.decrementAndGet());
                })
                .concurrency(3)
                .timeSource(clock)
                .build();

        for (int i = 0; i < 10; i++) {
            queue.submit(i).join();
        }
        assertThat(pending).hasSize(3);
        for (int i = 0; i < 10; i++) {
            pending.get(i).complete(null);
        }

        assertThat(maxRunning).hasValue(3);
        assertThat(queue.stats().succeeded()).isEqualTo(10);
    }

    @Test
    void capacity_full_refusesSubmitWithoutStoringIt() {
        var queue = RetryQueue.<Integer>builder("q", job -> new CompletableFuture<Void>())
                .capacity(2)
                .concurrency(1)
                .timeSource(clock)
                .build();
        queue.submit(1).join();
        queue.submit(2).join();

        assertThat(failureOf(queue.submit(3)))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("capacity 2");
        assertThat(queue.stats().submitted()).isEqualTo(2);
        assertThat(queue.stats().pending() + queue.stats().inFlight()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- shutdown

    @Test
    void shutdownDrain_finishesEverythingThenRefusesSubmit() {
        var attempts = new AtomicInteger();
        var queue = RetryQueue.<String>builder(
                        "q",
                        job -> attempts.incrementAndGet() % 2 == 1
                                ? CompletableFuture.failedFuture(new IOException("once"))
                                : CompletableFuture.completedFuture(null))
                .backoff(THREE_ATTEMPTS)
                .timeSource(clock)
                .build();
        queue.submit("a").join();

        var drained = queue.shutdown();
        assertThat(drained).isNotDone();
        assertThat(runUntilDone(drained)).isNull();

        assertThat(queue.stats().succeeded()).isEqualTo(1);
        assertThat(failureOf(queue.submit("late")))
                .isInstanceOf(ClosedException.class)
                .hasMessage("RetryQueue[q] is shut down: submit refused");
        assertThat(queue.shutdownNow()).as("idempotent").isCompletedWithValue(List.of());
    }

    @Test
    void shutdownHandBack_waitsForRunningAttemptsAndReturnsPendingJobs() {
        var running = new CopyOnWriteArrayList<CompletableFuture<Void>>();
        var queue = RetryQueue.<Integer>builder("q", job -> {
                    var future = new CompletableFuture<Void>();
                    running.add(future);
                    return future;
                })
                .concurrency(2)
                .backoff(THREE_ATTEMPTS)
                .timeSource(clock)
                .build();
        for (int i = 0; i < 5; i++) {
            queue.submit(i).join();
        }

        var handedBack = queue.shutdownNow();
        assertThat(handedBack).as("waits for the two running attempts").isNotDone();
        running.get(0).complete(null);
        running.get(1).completeExceptionally(new IOException("failed during shutdown"));

        var jobs = handedBack.join();
        assertThat(jobs).extracting(JobRecord::job).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(jobs)
                .filteredOn(r -> r.job() == 1)
                .singleElement()
                .satisfies(r -> assertThat(r.history()).hasSize(1));
        assertThat(running).as("no attempt started after shutdown").hasSize(2);
        assertThat(queue.stats().succeeded()).isEqualTo(1);
        assertThat(queue.stats().pending() + queue.stats().inFlight()).isZero();
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    void attemptTimeout_hungHandler_isCancelledRetriedAndShutdownCompletes() {
        var started = new CopyOnWriteArrayList<CompletableFuture<Void>>();
        var queue = RetryQueue.<String>builder("q", job -> {
                    var never = new CompletableFuture<Void>();
                    started.add(never);
                    return never;
                })
                .backoff(Backoff.fixed(Duration.ofMillis(10)).maxAttempts(2))
                .attemptTimeout(Duration.ofSeconds(1))
                .timeSource(clock)
                .build();
        queue.submit("hung").join();

        var drained = queue.shutdown();
        runUntilDone(drained);

        assertThat(started).hasSize(2).allSatisfy(f -> assertThat(f).isCancelled());
        assertThat(queue.deadLetters().join())
                .singleElement()
                .satisfies(r -> assertThat(r.history())
                        .extracting(a -> a.failure().getClass().getSimpleName())
                        .containsExactly("TimeoutException", "TimeoutException"));
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(2010));
    }

    @Test
    void leaseExpiry_jobsLeftInFlightByADeadOwner_areAttemptedAgain() {
        var store = new InMemoryJobStore<String>(clock);
        store.add("orphan", 0, 10);
        store.claim("dead-process", 10, Duration.ofSeconds(5)); // a previous process took it and died
        var seen = new CopyOnWriteArrayList<String>();

        RetryQueue.<String>builder("q", job -> {
                    seen.add(job);
                    return CompletableFuture.completedFuture(null);
                })
                .store(store)
                .timeSource(clock)
                .build();
        assertThat(seen).as("not before the lease expires").isEmpty();
        clock.advance(Duration.ofSeconds(5));

        assertThat(seen).containsExactly("orphan");
        assertThat(store.counts().live()).isZero();
        assertThat(clock.pendingTimers()).isZero();
    }

    // ---------------------------------------------------------------- random failures: nothing lost

    @Test
    void randomFailures_everyJobSucceedsOrIsDead_noneLost() {
        long seed = Long.getLong("resilience.seed", System.nanoTime());
        int jobs = "long".equals(System.getenv("STRESS")) ? 20_000 : 2_000;
        var random = new Random(seed);
        Map<Integer, Double> failureRate = new ConcurrentHashMap<>();
        var succeededJobs = ConcurrentHashMap.<Integer>newKeySet();
        var queue = RetryQueue.<Integer>builder("stress", job -> {
                    boolean fail;
                    long latency;
                    synchronized (random) {
                        fail = random.nextDouble() < failureRate.get(job);
                        latency = random.nextInt(50);
                    }
                    return clock.delay(Duration.ofMillis(latency)).thenCompose(v -> {
                        if (fail) {
                            return CompletableFuture.failedFuture(new IOException("job " + job));
                        }
                        succeededJobs.add(job);
                        return CompletableFuture.completedFuture(null);
                    });
                })
                .backoff(Backoff.exponential(Duration.ofMillis(10))
                        .jitter(Backoff.Jitter.FULL)
                        .cap(Duration.ofSeconds(1))
                        .maxAttempts(4))
                .concurrency(8)
                .capacity(jobs)
                .timeSource(clock)
                .build();

        for (int i = 0; i < jobs; i++) {
            failureRate.put(i, random.nextInt(4) == 0 ? 1.0 : 0.4);
            queue.submit(i).join();
        }
        runUntilDone(queue.shutdown());

        var stats = queue.stats();
        var dead = queue.deadLetters().join();
        long lost = jobs - stats.succeeded() - dead.size();
        System.out.printf(
                "retry-queue seed=%d %d jobs: %d succeeded, %d dead, %d lost (attempts=%d retried=%d)%n",
                seed, jobs, stats.succeeded(), dead.size(), lost, stats.attempts(), stats.retried());
        assertThat(lost).isZero();
        assertThat(succeededJobs).hasSize((int) stats.succeeded());
        assertThat(dead).allSatisfy(r -> assertThat(succeededJobs).doesNotContain(r.job()));
        assertThat(dead).allSatisfy(r -> assertThat(r.history()).hasSize(4));
        assertThat(stats.attempts()).isEqualTo(stats.succeeded() + stats.retried() + dead.size());
        assertThat(stats.pending() + stats.inFlight()).isZero();
    }

    @Test
    void randomFailures_handBackMidway_everyJobAccountedFor() {
        long seed = Long.getLong("resilience.seed", System.nanoTime());
        int jobs = 1_000;
        var random = new Random(seed);
        var queue = RetryQueue.<Integer>builder("stress", job -> {
                    boolean fail;
                    long latency;
                    synchronized (random) {
                        fail = random.nextBoolean();
                        latency = random.nextInt(20);
                    }
                    return clock.delay(Duration.ofMillis(latency))
                            .thenCompose(v -> fail
                                    ? CompletableFuture.failedFuture(new IOException("job " + job))
                                    : CompletableFuture.completedFuture(null));
                })
                .backoff(Backoff.exponential(Duration.ofMillis(5))
                        .jitter(Backoff.Jitter.FULL)
                        .maxAttempts(3))
                .concurrency(4)
                .capacity(jobs)
                .timeSource(clock)
                .build();
        for (int i = 0; i < jobs; i++) {
            queue.submit(i).join();
        }
        clock.advance(Duration.ofMillis(500));

        var handedBack = runUntilDone(queue.shutdownNow());

        var stats = queue.stats();
        long dead = queue.deadLetters().join().size();
        long lost = jobs - stats.succeeded() - dead - handedBack.size();
        System.out.printf(
                "retry-queue-hand-back seed=%d %d jobs: %d succeeded, %d dead, %d handed back, %d lost%n",
                seed, jobs, stats.succeeded(), dead, handedBack.size(), lost);
        assertThat(lost).isZero();
        assertThat(handedBack).isNotEmpty();
    }

    // ---------------------------------------------------------------- bad configuration

    @Test
    void builder_badSettings_areRejectedWithClearErrors() {
        var builder = RetryQueue.<String>builder("q", job -> CompletableFuture.completedFuture(null));

        assertThatThrownBy(() -> builder.backoff(Backoff.fixed(Duration.ofMillis(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unlimited attempts");
        assertThatThrownBy(() -> builder.concurrency(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("concurrency must be positive, was 0");
        assertThatThrownBy(() -> builder.capacity(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be positive, was -1");
        builder.concurrency(2);
        assertThatThrownBy(() -> builder.concurrency(3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("concurrency was already set");
        assertThatThrownBy(() -> RetryQueue.builder("q", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("handler");
        assertThatThrownBy(() -> RetryQueue.builder("", j -> null)).isInstanceOf(IllegalArgumentException.class);
        var queue = builder.timeSource(clock).build();
        assertThatThrownBy(() -> queue.submit(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("job");
    }

    @Test
    void deadLetterListenerThrows_isIsolated() {
        var calls = new ArrayList<JobId>();
        var queue = RetryQueue.<String>builder("q", job -> CompletableFuture.failedFuture(new IOException("x")))
                .backoff(Backoff.fixed(Duration.ofMillis(1)).maxAttempts(1))
                .timeSource(clock)
                .onDeadLetter(r -> {
                    calls.add(r.id());
                    throw new IllegalStateException("listener bug");
                })
                .build();

        queue.submit("a").join();
        queue.submit("b").join();

        // the failing listener saw both letters; the queue recorded both and carries on
        assertThat(calls).hasSize(2);
        assertThat(queue.stats().deadLettered()).isEqualTo(2);
        assertThat(queue.deadLetters().join()).hasSize(2);
    }

    @Test
    void listeners_setTwice_areRejectedOnTheBuilder() {
        var builder = RetryQueue.<String>builder("q", job -> CompletableFuture.completedFuture(null))
                .onDeadLetter(r -> {})
                .onSuccess(r -> {});
        assertThatThrownBy(() -> builder.onDeadLetter(r -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("onDeadLetter");
        assertThatThrownBy(() -> builder.onSuccess(r -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("onSuccess");
    }
}
