package dev.asyncpatterns.stress.lincheck;

import static dev.asyncpatterns.stress.lincheck.Scenarios.mine;
import static dev.asyncpatterns.stress.lincheck.Scenarios.op;

import dev.asyncpatterns.core.sync.AsyncRateLimiter;
import dev.asyncpatterns.stress.lincheck.LincheckRun.Mode;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * AsyncRateLimiter (1 token per second, burst 2) on the testkit's VirtualClock, with advancing the
 * clock by one second as an operation: tryAcquire, acquire (the future kept by the calling
 * thread), cancel of a pending acquire, advance and close are linearizable against the limiter
 * run sequentially: FIFO, no barging, a request served exactly when its tokens have accrued, a
 * cancelled request consumes nothing. Tokens and outcomes are read in the post part: tokens that
 * accrued for the head waiter are counted by availableTokens() until its refill timer runs (the
 * by-design window in AsyncRateLimiter's javadoc).
 * Cancellation runs in the init part only: a cancel racing a hand-off can win after the hand-off
 * chose the waiter (futures are completed outside the lock), which is not linearizable by design
 * (the window and its Lincheck history are in the class javadoc of the primitive); the
 * cancel-versus-hand-off race is covered by the jcstress tests and the module's unit tests.
 */
@Param(name = "thread", gen = IntGen.class, conf = "0:1")
@Param(name = "tokens", gen = IntGen.class, conf = "1:2")
public class AsyncRateLimiterLincheckTest {

    private final VirtualClock clock = VirtualClock.create();
    private final AsyncRateLimiter limiter = AsyncRateLimiter.builder()
            .rate(1, Duration.ofSeconds(1))
            .burst(2)
            .timeSource(clock)
            .build();
    private final PerThread<CompletableFuture<Void>> requests = new PerThread<>();
    /**
     * Serialises the operations that arm refill timers (acquire, cancel) with advance: the limiter
     * reads the time, then schedules its timer with a delay relative to that reading, so a virtual
     * clock that jumps in between makes the timer fire late by the jump (with a real clock, by the
     * nanoseconds between the two calls). tryAcquire and close still race with everything.
     */
    private final ReentrantLock armOrAdvance = new ReentrantLock();

    @Operation
    public boolean tryAcquire(int tokens) {
        return limiter.tryAcquire(tokens);
    }

    @Operation
    public void acquire(int thread, int tokens) {
        armOrAdvance.lock();
        try {
            requests.add(thread, limiter.acquire(tokens));
        } finally {
            armOrAdvance.unlock();
        }
    }

    @Operation
    public void cancelNewest(int thread) {
        armOrAdvance.lock();
        try {
            var list = requests.of(thread);
            if (!list.isEmpty()) {
                list.get(list.size() - 1).cancel(false);
            }
        } finally {
            armOrAdvance.unlock();
        }
    }

    @Operation
    public void advance() {
        armOrAdvance.lock();
        try {
            clock.advance(Duration.ofSeconds(1));
        } finally {
            armOrAdvance.unlock();
        }
    }

    @Operation
    public void close() {
        limiter.close();
    }

    @Operation
    public int availableTokens() {
        return limiter.availableTokens();
    }

    @Operation
    public int queueLength() {
        return limiter.waiters();
    }

    @Operation
    public String acquired(int thread) {
        return PerThread.outcomes(requests.of(thread));
    }

    static Scenarios scenarios() {
        Scenarios.ArgGen tokens = (random, thread) -> new Object[] {1 + random.nextInt(2)};
        Scenarios.ArgGen mineTokens = (random, thread) -> new Object[] {Math.max(0, thread), 1 + random.nextInt(2)};
        return Scenarios.of(AsyncRateLimiterLincheckTest.class, 2, 2)
                .init(
                        op("tryAcquire", 1, tokens),
                        op("acquire", 2, mineTokens),
                        mine("cancelNewest", 1),
                        op("advance", 1))
                .parallel(op("tryAcquire", 2, tokens), op("acquire", 3, mineTokens), op("advance", 3), op("close", 1))
                .postPerThread("acquired")
                .postOnce("availableTokens")
                .postOnce("queueLength");
    }

    @Test
    void operations_modelChecked_areLinearizable() {
        LincheckRun.check("rate-limiter", Mode.MODEL, AsyncRateLimiterLincheckTest.class, null, scenarios());
    }

    @Test
    void operations_stressed_areLinearizable() {
        LincheckRun.check("rate-limiter", Mode.STRESS, AsyncRateLimiterLincheckTest.class, null, scenarios());
    }
}
