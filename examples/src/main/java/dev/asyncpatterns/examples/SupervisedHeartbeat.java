package dev.asyncpatterns.examples;

import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.supervision.Supervisor;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Example 7: a background heartbeat loop under a {@link Supervisor}. The loop crashes after a few
 * beats every time (its connection keeps dropping); the supervisor restarts it after an
 * exponential {@link Backoff}, until the restart-intensity limit (3 restarts within 10 s) is
 * exceeded: then it gives up, stops its other child too, and its own future fails with
 * {@link Supervisor.EscalationException} so whoever owns it can react.
 *
 * <p>asyncio: a {@code while True: try: await heartbeat() except Exception: await
 * asyncio.sleep(backoff)} restart loop, with a counter to stop restarting a hopeless task.
 */
final class SupervisedHeartbeat implements Example {

    @Override
    public String name() {
        return "supervised-heartbeat";
    }

    @Override
    public String description() {
        return "a heartbeat loop that keeps crashing, restarted with backoff until the intensity limit";
    }

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        TimeSource time = TimeSource.system();
        Duration beat = Duration.ofMillis(fast ? 15 : 100);
        Duration firstDelay = Duration.ofMillis(fast ? 20 : 200);
        int beatsBeforeCrash = 3;

        AtomicInteger runs = new AtomicInteger();
        AtomicLong crashedAt = new AtomicLong();

        // One run of the heartbeat: beats on a timer, crashes after a few beats. It returns the
        // future of this run; the supervisor cancels that future to stop it, so the loop checks
        // it before every beat and cancels its pending timer when stopped.
        AsyncSupplier<Void> heartbeat = () -> {
            int run = runs.incrementAndGet();
            long last = crashedAt.get();
            out.printf(
                    "heartbeat run %d started%s%n",
                    run, last == 0 ? "" : " " + (System.nanoTime() - last) / 1_000_000 + " ms after the crash");
            var thisRun = new CompletableFuture<Void>();
            var timer = new AtomicReference<Cancellable>();
            var beats = new AtomicInteger();
            Runnable[] tick = new Runnable[1];
            tick[0] = () -> {
                if (thisRun.isDone()) {
                    return; // stopped by the supervisor
                }
                int n = beats.incrementAndGet();
                if (n > beatsBeforeCrash) {
                    crashedAt.set(System.nanoTime());
                    out.printf(
                            "heartbeat run %d crashed after %d beats: connection to the monitor lost%n",
                            run, beatsBeforeCrash);
                    thisRun.completeExceptionally(new IllegalStateException("connection to the monitor lost"));
                    return;
                }
                timer.set(time.schedule(beat, tick[0])); // next beat
            };
            timer.set(time.schedule(beat, tick[0]));
            thisRun.whenComplete((ignored, failure) -> {
                Cancellable pending = timer.get(); // set before this callback was registered
                if (thisRun.isCancelled() && pending != null) {
                    pending.cancel();
                }
            });
            return thisRun;
        };

        // A healthy child that never exits on its own: it only stops when the supervisor stops it.
        AsyncSupplier<Void> flusher = () -> {
            var forever = new CompletableFuture<Void>();
            forever.whenComplete((ignored, failure) -> out.println("metrics-flusher stopped"));
            return forever;
        };

        Supervisor supervisor = Supervisor.builder()
                .name("monitoring")
                .strategy(Supervisor.Strategy.ONE_FOR_ONE) // a crash restarts only the child that crashed
                .maxRestarts(3, Duration.ofSeconds(10)) // a 4th restart within 10 s: give up
                .backoff(Backoff.exponential(firstDelay).cap(Duration.ofSeconds(5)))
                .child("metrics-flusher", Supervisor.Restart.PERMANENT, flusher)
                .child("heartbeat", Supervisor.Restart.PERMANENT, heartbeat)
                .build();
        out.printf("supervisor: restart after %d ms, doubling; at most 3 restarts in 10 s%n", firstDelay.toMillis());

        CompletableFuture<Void> supervising = supervisor.start();
        try {
            supervising.join();
            out.println("supervisor stopped normally");
        } catch (CompletionException e) {
            // the supervisor gave up: it stopped every child before failing its future
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            out.println("supervisor gave up: " + cause.getMessage());
        }
        for (Supervisor.ChildStatus child : supervisor.children()) {
            out.printf(
                    "  child %-15s %-8s restarts=%d%s%n",
                    child.name(),
                    child.state(),
                    child.restarts(),
                    child.lastFailure()
                            .map(f -> " last failure: " + f.getMessage())
                            .orElse(""));
        }
        out.printf("heartbeat ran %d times, %d restarts in total%n", runs.get(), supervisor.totalRestarts());
    }
}
