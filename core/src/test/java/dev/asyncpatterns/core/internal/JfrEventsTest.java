package dev.asyncpatterns.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.scope.TaskScope;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.supervision.Supervisor;
import dev.asyncpatterns.core.sync.AsyncLock;
import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.testkit.VirtualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 3: core's JFR events show in a real recording, read back with
 * {@link RecordingFile}. Thresholds are set to zero in the recording so that no test depends on
 * how long a wait takes.
 */
class JfrEventsTest {

    @TempDir
    Path dir;

    private List<RecordedEvent> record(String event, ThrowingRunnable body) throws Exception {
        Path file = dir.resolve("events.jfr");
        try (var recording = new Recording()) {
            recording.enable(event).withThreshold(Duration.ZERO);
            recording.start();
            body.run();
            recording.stop();
            recording.dump(file);
        }
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(event))
                .toList();
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    // ---------------------------------------------------------------- coordination

    @Test
    void slowWait_semaphoreAndLockWaits_recordedWithPrimitiveAmountOutcome() throws Exception {
        List<RecordedEvent> events = record("dev.asyncpatterns.SlowWait", () -> {
            var semaphore = new AsyncSemaphore(0);
            CompletableFuture<Void> granted = semaphore.acquire(2);
            CompletableFuture<Void> cancelled = semaphore.acquire();
            cancelled.cancel(false);
            semaphore.release(2);
            granted.get(10, TimeUnit.SECONDS);

            var lock = new AsyncLock();
            AsyncLock.Guard held = lock.lock().get(10, TimeUnit.SECONDS); // uncontended: no event
            CompletableFuture<AsyncLock.Guard> waiting = lock.lock();
            held.unlock();
            waiting.get(10, TimeUnit.SECONDS).unlock();
        });

        assertThat(events)
                .extracting(e -> e.getString("primitive") + " " + e.getInt("amount") + " " + e.getString("outcome"))
                .containsExactlyInAnyOrder(
                        "AsyncSemaphore 2 granted", "AsyncSemaphore 1 cancelled", "AsyncLock 1 granted");
        assertThat(events)
                .allSatisfy(e -> assertThat(e.getDuration().isNegative()).isFalse());
    }

    // ---------------------------------------------------------------- queues

    @Test
    void queueFull_putThatWaited_recordedWithQueueNameCapacityOutcome() throws Exception {
        List<RecordedEvent> events = record("dev.asyncpatterns.QueueFull", () -> {
            AsyncQueue<Integer> queue =
                    AsyncQueue.<Integer>builder(1).name("orders").build();
            queue.put(1).get(10, TimeUnit.SECONDS); // room: no event
            CompletableFuture<Void> waiting = queue.put(2);
            assertThat(waiting).isNotDone();
            assertThat(queue.take().get(10, TimeUnit.SECONDS)).isEqualTo(1);
            waiting.get(10, TimeUnit.SECONDS);
        });

        assertThat(events).hasSize(1);
        RecordedEvent event = events.get(0);
        assertThat(event.getString("queue")).isEqualTo("orders");
        assertThat(event.getInt("capacity")).isEqualTo(1);
        assertThat(event.getString("outcome")).isEqualTo("accepted");
    }

    // ---------------------------------------------------------------- supervision

    @Test
    void supervisorRestart_childCrash_recordedWithChildAttemptDelayFailure() throws Exception {
        var clock = VirtualClock.create();
        List<RecordedEvent> events = record("dev.asyncpatterns.SupervisorRestart", () -> {
            var starts = new int[1];
            Supervisor supervisor = Supervisor.builder()
                    .name("billing")
                    .timeSource(clock)
                    .backoff(Backoff.fixed(Duration.ofSeconds(3)))
                    .child(
                            "poller",
                            Supervisor.Restart.PERMANENT,
                            () -> starts[0]++ == 0
                                    ? CompletableFuture.failedFuture(new IllegalStateException("connection lost"))
                                    : new CompletableFuture<Void>())
                    .build();
            supervisor.start();
            clock.advance(Duration.ofSeconds(3));
            assertThat(starts[0]).isEqualTo(2);
            supervisor.shutdown().get(10, TimeUnit.SECONDS);
        });

        assertThat(events).hasSize(1);
        RecordedEvent event = events.get(0);
        assertThat(event.getString("supervisor")).isEqualTo("billing");
        assertThat(event.getString("child")).isEqualTo("poller");
        assertThat(event.getInt("attempt")).isEqualTo(1);
        assertThat(event.getInt("groupSize")).isEqualTo(1);
        assertThat(event.getLong("delay")).isEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(event.getString("failure")).isEqualTo(IllegalStateException.class.getName());
        assertThat(event.getString("message")).isEqualTo("connection lost");
    }

    // ---------------------------------------------------------------- scopes

    @Test
    void taskScopeFailure_failingFork_recordedWithPolicyFailureLiveForks() throws Exception {
        List<RecordedEvent> events = record("dev.asyncpatterns.TaskScopeFailure", () -> {
            var never = new CountDownLatch(1);
            try (var scope = TaskScope.open()) {
                scope.fork(() -> {
                    never.await();
                    return 1;
                });
                scope.fork(() -> {
                    throw new IllegalStateException("boom");
                });
                assertThatThrownBy(scope::joinBlocking)
                        .isInstanceOf(java.util.concurrent.ExecutionException.class)
                        .hasCauseInstanceOf(IllegalStateException.class);
            }
        });

        assertThat(events).hasSize(1);
        RecordedEvent event = events.get(0);
        assertThat(event.getString("policy")).isEqualTo("FAIL_FAST");
        assertThat(event.getString("failure")).isEqualTo(IllegalStateException.class.getName());
        assertThat(event.getString("message")).isEqualTo("boom");
        assertThat(event.getInt("liveForks")).isEqualTo(1);
    }

    @Test
    void taskScopeFailure_deadline_recordedAsTimeout() throws Exception {
        var clock = VirtualClock.create();
        List<RecordedEvent> events = record("dev.asyncpatterns.TaskScopeFailure", () -> {
            try (var scope = TaskScope.builder()
                    .timeSource(clock)
                    .deadline(Duration.ofSeconds(1))
                    .open()) {
                scope.forkAsync(CompletableFuture::new);
                clock.advance(Duration.ofSeconds(1));
                assertThatThrownBy(scope::joinBlocking)
                        .isInstanceOf(java.util.concurrent.ExecutionException.class)
                        .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
            }
        });

        assertThat(events).hasSize(1);
        assertThat(events.get(0).getString("failure")).isEqualTo(java.util.concurrent.TimeoutException.class.getName());
        assertThat(events.get(0).getInt("liveForks")).isEqualTo(1);
    }

    @Test
    void events_notEnabled_nothingRecorded() throws Exception {
        Path file = dir.resolve("none.jfr");
        try (var recording = new Recording()) { // our events are not enabled in this recording
            recording.enable("jdk.ThreadStart");
            recording.start();
            var semaphore = new AsyncSemaphore(0);
            CompletableFuture<Void> waiting = semaphore.acquire();
            semaphore.release();
            waiting.get(10, TimeUnit.SECONDS);
            recording.stop();
            recording.dump(file);
        }
        assertThat(RecordingFile.readAllEvents(file))
                .noneMatch(e -> e.getEventType().getName().startsWith("dev.asyncpatterns."));
    }
}
