package dev.asyncpatterns.console;

import dev.asyncpatterns.resilience.AsyncResilience;
import dev.asyncpatterns.resilience.JobAttempt;
import dev.asyncpatterns.resilience.JobId;
import dev.asyncpatterns.resilience.JobRecord;
import dev.asyncpatterns.resilience.RetryQueue;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Console views of the resilience module's components (needs {@code async-patterns-resilience} on
 * the class or module path).
 *
 * {@snippet class=dev.asyncpatterns.console.ConsoleSnippets region=embed}
 *
 * @since 0.1.0
 */
public final class ResilienceViews {

    private ResilienceViews() {}

    /**
     * A panel of a retry queue's figures: submitted, pending, in flight, dead, succeeded,
     * attempts, retried, dead-lettered, replayed, purged.
     *
     * @param queue the retry queue
     * @return the panel, named after the queue
     * @throws NullPointerException if {@code queue} is null
     */
    public static Panel retryQueue(RetryQueue<?> queue) {
        Objects.requireNonNull(queue, "queue");
        return Panel.of(queue.name(), "retry-queue", () -> {
            var s = queue.stats();
            return Panel.Reading.of(
                    queue.isShutdown() ? "SHUTDOWN" : "RUNNING",
                    Figure.gauge("pending", (double) s.pending()),
                    Figure.gauge("in flight", (double) s.inFlight()),
                    Figure.gauge("dead", (double) s.dead()),
                    Figure.counter("submitted", (double) s.submitted()),
                    Figure.counter("succeeded", (double) s.succeeded()),
                    Figure.counter("attempts", (double) s.attempts()),
                    Figure.counter("retried", (double) s.retried()),
                    Figure.counter("dead-lettered", (double) s.deadLettered()),
                    Figure.counter("replayed", (double) s.replayed()),
                    Figure.counter("purged", (double) s.purged()));
        });
    }

    /**
     * The dead letters of a retry queue, with Replay and Purge.
     *
     * @param queue the retry queue
     * @param describe how a job is shown on the page (its payload as text; untrusted, shown as text
     *     only, and only to token holders unless the console reveals details)
     * @param <J> the job type
     * @return the source, named after the queue
     * @throws NullPointerException if an argument is null
     */
    public static <J> DeadLetterSource deadLetters(RetryQueue<J> queue, Function<? super J, String> describe) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(describe, "describe");
        return new DeadLetterSource() {
            @Override
            public String name() {
                return queue.name();
            }

            @Override
            public CompletionStage<List<DeadLetter>> list() {
                return queue.deadLetters()
                        .thenApply(letters ->
                                letters.stream().map(r -> letter(r, describe)).toList());
            }

            @Override
            public CompletionStage<Boolean> replay(String id) {
                JobId job = parse(id);
                return job == null ? java.util.concurrent.CompletableFuture.completedFuture(false) : queue.replay(job);
            }

            @Override
            public CompletionStage<Boolean> purge(String id) {
                JobId job = parse(id);
                return job == null ? java.util.concurrent.CompletableFuture.completedFuture(false) : queue.purge(job);
            }
        };
    }

    /**
     * A panel of a resilience decorator: its circuit's state and its call and attempt counts.
     *
     * @param decorator the decorator
     * @return the panel, named after the decorator
     * @throws NullPointerException if {@code decorator} is null
     */
    public static Panel circuit(AsyncResilience<?> decorator) {
        Objects.requireNonNull(decorator, "decorator");
        return Panel.of(decorator.name(), "circuit", () -> {
            var s = decorator.stats();
            double finished = s.succeeded() + s.failed();
            return Panel.Reading.of(
                    s.circuitState().map(Enum::name).orElse(""),
                    Figure.counter("calls", (double) s.calls()),
                    Figure.counter("succeeded", (double) s.succeeded()),
                    Figure.counter("failed", (double) s.failed()),
                    Figure.counter("retries", (double) s.retries()),
                    Figure.counter("fallbacks", (double) s.fallbacks()),
                    Figure.ratio("success ratio", finished == 0 ? Double.NaN : (double) s.succeeded() / finished),
                    Figure.counter("circuit transitions", (double) s.circuitTransitions()));
        });
    }

    private static <J> DeadLetterSource.DeadLetter letter(JobRecord<J> record, Function<? super J, String> describe) {
        String payload;
        try {
            payload = String.valueOf(describe.apply(record.job()));
        } catch (RuntimeException e) {
            payload = "(describe failed: " + e.getClass().getSimpleName() + ")";
        }
        List<DeadLetterSource.Attempt> attempts =
                record.history().stream().map(ResilienceViews::attempt).toList();
        return new DeadLetterSource.DeadLetter(String.valueOf(record.id().value()), payload, attempts);
    }

    private static DeadLetterSource.Attempt attempt(JobAttempt a) {
        Throwable failure = a.failure();
        String message = failure.getMessage();
        return new DeadLetterSource.Attempt(
                a.number(),
                a.startedAt(),
                a.finishedAt(),
                failure.getClass().getName(),
                message == null ? "" : message);
    }

    private static @Nullable JobId parse(String id) {
        try {
            return new JobId(Long.parseLong(id));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
