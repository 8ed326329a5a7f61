package dev.asyncpatterns.examples;

import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.sync.AsyncLatch;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.resilience.JobAttempt;
import dev.asyncpatterns.resilience.JobRecord;
import dev.asyncpatterns.resilience.RetryQueue;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Example 10: a {@link RetryQueue} of e-mails to send. A failed send goes back into the queue
 * and is tried again after an exponential backoff with full jitter; a job that runs out of
 * attempts, or fails in a way not worth retrying, becomes a dead letter with its whole attempt
 * history. The dead letters are listed, one is replayed once its cause is fixed, and a draining
 * shutdown waits until every job has succeeded or is dead: no acknowledged job is ever lost.
 *
 * <p>asyncio: a retry queue built from {@code asyncio.Queue}, {@code loop.call_later} for the
 * backoff and a dead-letter list.
 */
final class RetryQueueDemo implements Example {

    @Override
    public String name() {
        return "retry-queue";
    }

    @Override
    public String description() {
        return "failed jobs retried with backoff, hopeless ones to dead letters, listed and replayed";
    }

    record Email(String to, String subject) {}

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        TimeSource time = TimeSource.system();
        Duration firstBackoff = Duration.ofMillis(fast ? 20 : 150);
        List<Email> emails = List.of(
                new Email("ada@example.com", "welcome"),
                new Email("bob@example.com", "welcome"), // the server says "try later" once
                new Email("cy@example.com", "invoice"), // ...twice
                new Email("dora@example.com", "invoice"),
                new Email("nobody@invalid.example", "reset"), // no such mailbox (yet): hopeless
                new Email("eve at example.com", "reset"), // malformed: never worth retrying
                new Email("finn@example.com", "digest"),
                new Email("gus@example.com", "digest")); // "try later" once

        // the simulated mail server: 10 ms per send, on a timer
        Map<String, Integer> attemptsByAddress = new ConcurrentHashMap<>();
        Set<String> mailboxes = ConcurrentHashMap.newKeySet();
        emails.stream().map(Email::to).filter(to -> to.endsWith("@example.com")).forEach(mailboxes::add);
        Map<String, Integer> transientFailures =
                Map.of("bob@example.com", 1, "cy@example.com", 2, "gus@example.com", 1);
        var start = new AtomicReference<>(time.instant()); // reset when the first job is submitted
        var settled = new AsyncLatch(emails.size()); // counts jobs that succeeded or died

        RetryQueue<Email> outbox = RetryQueue.builder("outbox", (Email email) -> {
                    int attempt = attemptsByAddress.merge(email.to(), 1, Integer::sum);
                    return time.delay(Duration.ofMillis(10)).thenRun(() -> {
                        String result = "sent";
                        try {
                            if (!email.to().contains("@")) {
                                result = "failed (malformed address)";
                                throw new IllegalArgumentException("malformed address");
                            }
                            if (attempt <= transientFailures.getOrDefault(email.to(), 0)) {
                                result = "failed (421 try again later)";
                                throw new IllegalStateException("421 try again later");
                            }
                            if (!mailboxes.contains(email.to())) {
                                result = "failed (550 no such mailbox)";
                                throw new IllegalStateException("550 no such mailbox");
                            }
                            settled.countDown();
                        } finally {
                            out.printf(
                                    "  [%4d ms] %-24s attempt %d: %s%n",
                                    millisSince(start, time.instant()), email.to(), attempt, result);
                        }
                    });
                })
                .backoff(Backoff.exponential(firstBackoff)
                        .jitter(Backoff.Jitter.FULL)
                        .cap(Duration.ofSeconds(2))
                        .maxAttempts(4))
                .retryOn(failure ->
                        !(failure instanceof IllegalArgumentException)) // bad input: straight to dead letters
                .concurrency(3)
                .onDeadLetter(dead -> {
                    out.printf(
                            "  [%4d ms] %-24s -> dead letter after %s%n",
                            millisSince(start, time.instant()), dead.job().to(), attempts(dead.attemptsSinceReplay()));
                    settled.countDown();
                })
                .build();

        out.printf(
                "%d e-mails; up to 4 attempts each, backoff from %d ms doubling with full jitter, 3 at a time%n",
                emails.size(), firstBackoff.toMillis());
        start.set(time.instant());
        // submit acknowledges once the job is stored: from then on it cannot get lost
        Futures.all(emails.stream().map(outbox::submit).toList()).join();
        settled.await().join();

        List<JobRecord<Email>> dead = outbox.deadLetters().join();
        out.printf(
                "all settled after %d ms: %d sent, %d dead letters:%n",
                millisSince(start, time.instant()), emails.size() - dead.size(), dead.size());
        for (JobRecord<Email> letter : dead) {
            out.printf(
                    "  %s (%s): %s%n",
                    letter.job().to(), letter.job().subject(), history(Objects.requireNonNull(start.get()), letter));
        }

        // the missing mailbox gets created: replay its dead letter (fresh attempts, history kept)
        JobRecord<Email> fixable = dead.stream()
                .filter(d -> d.job().to().startsWith("nobody"))
                .findFirst()
                .orElseThrow();
        mailboxes.add(fixable.job().to());
        out.println("mailbox " + fixable.job().to() + " created; replaying its dead letter");
        outbox.replay(fixable.id()).join();

        // graceful end: DRAIN keeps going until every live job has succeeded or died
        outbox.shutdown().join();
        List<String> left =
                outbox.deadLetters().join().stream().map(d -> d.job().to()).toList();
        RetryQueue.Stats stats = outbox.stats();
        out.printf("after the drain: %d succeeded, dead letters left: %s%n", stats.succeeded(), left);
        out.printf(
                "stats: submitted %d, attempts %d, retried %d, dead-lettered %d, replayed %d, pending %d%n",
                stats.submitted(),
                stats.attempts(),
                stats.retried(),
                stats.deadLettered(),
                stats.replayed(),
                stats.pending());
    }

    /** "4 attempts, failed at 3, 25, 70, 160 ms: 550 no such mailbox" (when each attempt ended, as the progress lines). */
    private static String history(Instant start, JobRecord<Email> letter) {
        List<JobAttempt> attempts = letter.history();
        String times = attempts.stream()
                .map(a -> String.valueOf(millisSince(start, a.finishedAt())))
                .collect(Collectors.joining(", "));
        return attempts(attempts.size()) + ", failed at " + times + " ms: "
                + letter.history().getLast().failure().getMessage();
    }

    private static String attempts(int n) {
        return n + (n == 1 ? " attempt" : " attempts");
    }

    private static long millisSince(AtomicReference<Instant> start, Instant now) {
        return millisSince(Objects.requireNonNull(start.get()), now); // holds an instant from the start
    }

    private static long millisSince(Instant start, Instant now) {
        return Duration.between(start, now).toMillis();
    }
}
