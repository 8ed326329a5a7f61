package dev.asyncpatterns.examples;

import dev.asyncpatterns.console.Console;
import dev.asyncpatterns.console.CoreViews;
import dev.asyncpatterns.console.Panel;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.Tasks;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.scope.TaskScope;
import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.core.supervision.Lifecycle;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.LagProbe;
import dev.asyncpatterns.core.time.TimeSource;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Example 11, the capstone: a small task-processing system built from the toolkit's parts.
 * <ul>
 *   <li>typed tasks (e-mails, image resizes, reports) in a bounded <b>priority</b>
 *       {@link AsyncQueue} (HIGH before NORMAL before LOW, FIFO among equals);</li>
 *   <li>3 <b>bounded workers</b>, forked in a {@link TaskScope} so none outlives the system;</li>
 *   <li>a <b>timeout</b> per task ({@link Futures#withTimeout}, which cancels and interrupts the
 *       work) and <b>retries</b> with an exponential {@link Backoff};</li>
 *   <li><b>dependencies</b>: a report is queued only once the tasks it needs have succeeded
 *       ({@link Futures#allSettled}), and skipped if one of them failed for good;</li>
 *   <li><b>live metrics</b> every few hundred ms, including the lag of the CPU pool measured by a
 *       {@link LagProbe};</li>
 *   <li><b>graceful shutdown</b> with a {@link Lifecycle}: on the normal end and on Ctrl-C (a JVM
 *       shutdown hook), the queue is closed and drained, the workers finish, then the probe
 *       and the CPU pool are closed, in reverse start order.</li>
 * </ul>
 *
 * <p>asyncio: an {@code asyncio.PriorityQueue}, worker tasks in a {@code TaskGroup},
 * {@code wait_for} per task, {@code gather} on dependencies, and a {@code SIGINT} handler that
 * drains the queue before the loop stops.
 */
final class TaskSystem implements Example {

    @Override
    public String name() {
        return "task-system";
    }

    @Override
    public String description() {
        return "capstone: prioritized typed tasks, retries, timeouts, dependencies, workers, metrics, Ctrl-C";
    }

    // ---- the tasks ----------------------------------------------------------------------------

    enum Priority {
        HIGH,
        NORMAL,
        LOW
    }

    /** What a task does; each kind has its own handler. */
    sealed interface Work permits SendEmail, ResizeImage, BuildReport {}

    record SendEmail(String to) implements Work {}

    record ResizeImage(String file, int workUnits) implements Work {}

    record BuildReport(String title) implements Work {}

    record Task(String id, Priority priority, Work work, Duration timeout, List<String> dependsOn) {}

    /** A task waiting in the queue, with its attempt number. */
    record Job(Task task, int attempt) {}

    // ---- the system ---------------------------------------------------------------------------

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        new Processor(out, fast).run(); // fresh state for every run
    }

    /** One run of the system: its parts, its counters and its output. */
    private static final class Processor {
        private final TimeSource time = TimeSource.system();
        private final Backoff retryBackoff =
                Backoff.exponential(Duration.ofMillis(20)).maxAttempts(3);
        private final AtomicInteger running = new AtomicInteger();
        private final AtomicInteger retrying = new AtomicInteger();
        private final AtomicInteger waitingForDependencies = new AtomicInteger();
        private final AtomicInteger retries = new AtomicInteger();
        private final List<String> startOrder = Collections.synchronizedList(new ArrayList<>());

        private final PrintStream out;
        private final long unit; // the time unit of the simulated work, in ms
        private long startNanos;
        private final AsyncQueue<Job> queue = AsyncQueue.priority(
                100, Comparator.comparing((Job job) -> job.task().priority()));
        private final ExecutorService cpu = Executors.newFixedThreadPool(2); // its threads start on demand
        private final Map<String, CompletableFuture<Void>> results = new LinkedHashMap<>();

        Processor(PrintStream out, boolean fast) {
            this.out = out;
            this.unit = fast ? 10 : 40;
        }

        void run() throws Exception {
            this.startNanos = System.nanoTime();
            List<Task> tasks = workload();

            // the parts, in start order (the lifecycle stops them in reverse)
            LagProbe lag = LagProbe.start(cpu, Duration.ofMillis(unit), Duration.ofMillis(unit * 5));
            tasks.forEach(task -> results.put(task.id(), new CompletableFuture<>()));

            Lifecycle lifecycle = Lifecycle.create();
            lifecycle.registerResource("cpu-pool", cpu);
            lifecycle.registerResource("lag-probe", lag);
            out.printf(
                    "%d tasks, 3 workers, retries with backoff from 20 ms (3 attempts), Ctrl-C drains gracefully%n",
                    tasks.size());

            // --console: watch the queue and the outcomes live in the browser while the tasks run
            Console console = !ConsoleOption.requested()
                    ? null
                    : ConsoleOption.start(
                            out,
                            page -> page.panel(CoreViews.queue(queue))
                                    .panel(Panel.gauges(
                                            "tasks",
                                            "tasks",
                                            () -> Map.of(
                                                    "settled",
                                                            results.values().stream()
                                                                    .filter(CompletableFuture::isDone)
                                                                    .count(),
                                                    "failed or skipped",
                                                            results.values().stream()
                                                                    .filter(CompletableFuture::isCompletedExceptionally)
                                                                    .count(),
                                                    "total", results.size()))));
            try (TaskScope scope = TaskScope.open()) {
                // Tasks without dependencies go into the queue now; the others once their dependencies
                // have settled. The queue orders them by priority before any worker starts.
                for (Task task : tasks) {
                    submit(task);
                }
                List<CompletableFuture<Void>> workers = new ArrayList<>();
                for (int w = 1; w <= 3; w++) {
                    int worker = w;
                    workers.add(scope.fork(() -> workerLoop(worker)));
                }
                lifecycle.registerWork("workers", Futures.all(workers));
                lifecycle.registerQueue("task-queue", queue); // registered last: drained first
                Cancellable hook = lifecycle.installShutdownHook(Duration.ofSeconds(5)); // Ctrl-C, SIGTERM
                try {
                    Cancellable metrics = printMetricsEvery(Duration.ofMillis(unit * 15), lag);

                    // wait until every task has succeeded, failed or been skipped
                    List<Outcome<Void>> outcomes = Futures.allSettled(new ArrayList<>(results.values()))
                            .join();
                    metrics.cancel();
                    printMetrics(lag);

                    // the normal end runs the same graceful shutdown as Ctrl-C would
                    Lifecycle.Report report =
                            lifecycle.shutdown(Duration.ofSeconds(5)).join();
                    scope.joinBlocking(); // the workers have exited: the queue was closed and drained
                    summarize(outcomes, report);
                } finally {
                    hook.cancel(); // this run is over: Ctrl-C no longer concerns it
                }
            } finally {
                if (console != null) {
                    ConsoleOption.waitForEnter(out);
                    console.close();
                }
            }
        }

        private List<Task> workload() {
            Duration normal = Duration.ofMillis(unit * 40); // each task's timeout: generous...
            Duration tight = Duration.ofMillis(unit * 10); // ...except for the poster
            List<Task> tasks = new ArrayList<>();
            tasks.add(new Task("resize-logo", Priority.NORMAL, new ResizeImage("logo.png", 2), normal, List.of()));
            tasks.add(new Task("resize-banner", Priority.NORMAL, new ResizeImage("banner.png", 3), normal, List.of()));
            // this one needs far more than its timeout allows, every time: it fails for good
            tasks.add(new Task("resize-poster", Priority.LOW, new ResizeImage("poster.tiff", 40), tight, List.of()));
            tasks.add(new Task("email-alice", Priority.HIGH, new SendEmail("alice@example.com"), normal, List.of()));
            tasks.add(new Task("email-bob", Priority.HIGH, new SendEmail("bob@example.com"), normal, List.of()));
            tasks.add(new Task("email-carol", Priority.LOW, new SendEmail("carol@example.com"), normal, List.of()));
            tasks.add(new Task(
                    "email-dave", Priority.NORMAL, new SendEmail("dave@example.com"), normal, List.of())); // flaky
            tasks.add(new Task(
                    "report-daily",
                    Priority.HIGH,
                    new BuildReport("daily"),
                    normal,
                    List.of("resize-logo", "email-alice", "email-dave")));
            tasks.add(new Task(
                    "report-print",
                    Priority.NORMAL,
                    new BuildReport("print"),
                    normal,
                    List.of("resize-poster", "resize-banner"))); // will be skipped: the poster fails
            tasks.add(new Task(
                    "report-weekly", Priority.LOW, new BuildReport("weekly"), normal, List.of("report-daily")));
            return tasks;
        }

        /** Queues a task now, or once its dependencies have settled (skipped if one failed). */
        private void submit(Task task) {
            if (task.dependsOn().isEmpty()) {
                enqueue(new Job(task, 1));
                return;
            }
            waitingForDependencies.incrementAndGet();
            List<CompletableFuture<Void>> deps =
                    task.dependsOn().stream().map(results::get).toList();
            // allSettled, not all: `all` would cancel the other dependencies at the first failure,
            // and those are other tasks' results
            Futures.allSettled(deps).thenAccept(outcomes -> {
                waitingForDependencies.decrementAndGet();
                for (int i = 0; i < outcomes.size(); i++) {
                    if (!outcomes.get(i).isSuccess()) {
                        log(
                                "skip    %s: dependency %s failed",
                                task.id(), task.dependsOn().get(i));
                        resultOf(task.id())
                                .completeExceptionally(new IllegalStateException("skipped: dependency "
                                        + task.dependsOn().get(i) + " failed"));
                        return;
                    }
                }
                enqueue(new Job(task, 1));
            });
        }

        private void enqueue(Job job) {
            // put waits (asynchronously) if the queue is full; it fails once the queue is closed
            queue.put(job).whenComplete((ignored, failure) -> {
                if (failure != null) {
                    resultOf(job.task().id()).completeExceptionally(new ClosedException("dropped: shutting down"));
                }
            });
        }

        /** One worker: take the most urgent job, run it, repeat until the queue is closed and empty. */
        private Void workerLoop(int worker) throws InterruptedException {
            while (true) {
                Job job;
                try {
                    job = queue.takeBlocking(); // a virtual thread: blocking here is cheap
                } catch (ClosedException endOfQueue) {
                    return null;
                }
                try {
                    execute(worker, job);
                } finally {
                    queue.taskDone();
                }
            }
        }

        private void execute(int worker, Job job) {
            Task task = job.task();
            startOrder.add(task.id());
            log("w%d start %s (%s, attempt %d)", worker, task.id(), task.priority(), job.attempt());
            running.incrementAndGet();
            long began = System.nanoTime();
            try {
                // the timeout cancels the work (interrupting a CPU task) and fails with TimeoutException
                Futures.withTimeout(start(task.work(), job.attempt()), task.timeout())
                        .join();
                log("w%d done  %s in %d ms", worker, task.id(), (System.nanoTime() - began) / 1_000_000);
                resultOf(task.id()).complete(null);
            } catch (CompletionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                String why = cause instanceof TimeoutException
                        ? "timed out after " + task.timeout().toMillis() + " ms"
                        : cause.getMessage();
                Optional<Duration> delay = retryBackoff.delay(job.attempt());
                if (delay.isPresent()) {
                    retries.incrementAndGet();
                    retrying.incrementAndGet();
                    log(
                            "w%d FAIL  %s: %s; retry in %d ms",
                            worker, task.id(), why, delay.get().toMillis());
                    time.schedule(delay.get(), () -> {
                        retrying.decrementAndGet();
                        enqueue(new Job(task, job.attempt() + 1));
                    });
                } else {
                    log("w%d GAVE UP %s after %d attempts: %s", worker, task.id(), job.attempt(), why);
                    resultOf(task.id()).completeExceptionally(cause);
                }
            } finally {
                running.decrementAndGet();
            }
        }

        /** Starts the work of one task; pattern matching picks the handler for its type. */
        private CompletableFuture<?> start(Work work, int attempt) {
            return switch (work) {
                case SendEmail email ->
                    time.delay(Duration.ofMillis(unit * 2)).thenRun(() -> {
                        if (email.to().startsWith("dave") && attempt == 1) {
                            throw new IllegalStateException("SMTP 421 try again later");
                        }
                    });
                // CPU-bound: runs on the CPU pool; Tasks futures interrupt the thread when cancelled
                case ResizeImage image -> Tasks.start(() -> burnCpu(image.workUnits() * unit), cpu);
                case BuildReport report -> time.delay(Duration.ofMillis(unit * 3));
            };
        }

        /** Simulated image processing: busy for {@code millis}, stopping early if interrupted. */
        private static long burnCpu(long millis) throws InterruptedException {
            long end = System.nanoTime() + millis * 1_000_000;
            long hash = 17;
            while (System.nanoTime() < end) {
                for (int i = 0; i < 10_000; i++) {
                    hash = hash * 31 + i;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("resize cancelled");
                }
            }
            return hash;
        }

        // ---- metrics and output -------------------------------------------------------------------

        private Cancellable printMetricsEvery(Duration period, LagProbe lag) {
            var timer = new AtomicReference<Cancellable>();
            var stopped = new AtomicBoolean();
            Runnable[] tick = new Runnable[1];
            tick[0] = () -> {
                if (!stopped.get()) {
                    printMetrics(lag);
                    timer.set(time.schedule(period, tick[0]));
                }
            };
            timer.set(time.schedule(period, tick[0]));
            return () -> {
                stopped.set(true);
                Cancellable pending = timer.get(); // set before this was returned
                return pending != null && pending.cancel();
            };
        }

        private void printMetrics(LagProbe lag) {
            long done = results.values().stream()
                    .filter(f -> f.isDone() && !f.isCompletedExceptionally())
                    .count();
            long failed = results.values().stream()
                    .filter(CompletableFuture::isCompletedExceptionally)
                    .count();
            LagProbe.Stats cpuLag = lag.stats();
            log(
                    "metrics: queued %d | running %d | retrying %d | waiting on deps %d | done %d | failed/skipped %d | cpu lag max %d ms",
                    queue.size(),
                    running.get(),
                    retrying.get(),
                    waitingForDependencies.get(),
                    done,
                    failed,
                    cpuLag.maxLag().toMillis());
        }

        private void summarize(List<Outcome<Void>> outcomes, Lifecycle.Report report) {
            List<String> ids = new ArrayList<>(results.keySet());
            List<String> ok = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            List<String> dropped = new ArrayList<>(); // still waiting (for a retry or a dependency) at Ctrl-C
            for (int i = 0; i < ids.size(); i++) {
                Outcome<Void> outcome = outcomes.get(i);
                Throwable failure = outcome.exceptionOrNull();
                String message = failure == null ? "" : String.valueOf(failure.getMessage());
                if (outcome.isSuccess()) {
                    ok.add(ids.get(i));
                } else if (message.startsWith("skipped")) {
                    skipped.add(ids.get(i));
                } else if (message.startsWith("dropped")) {
                    dropped.add(ids.get(i));
                } else {
                    failed.add(ids.get(i));
                }
            }
            out.printf("start order: %s%n", String.join(", ", startOrder));
            out.printf("succeeded %d: %s%n", ok.size(), ok);
            out.printf("failed %d: %s%n", failed.size(), failed);
            out.printf("skipped %d: %s%n", skipped.size(), skipped);
            out.printf("dropped at shutdown %d: %s%n", dropped.size(), dropped);
            out.printf("retries: %d%n", retries.get());
            out.printf(
                    "shutdown: drained %s, aborted %s, %d failures, clean=%b%n",
                    report.drained(), report.aborted(), report.failures().size(), report.clean());
        }

        /** The future of a task of the workload: every task has one from the start. */
        private CompletableFuture<Void> resultOf(String id) {
            return Objects.requireNonNull(results.get(id), id);
        }

        private void log(String format, @Nullable Object... args) {
            out.printf("  [%4d ms] %s%n", (System.nanoTime() - startNanos) / 1_000_000, String.format(format, args));
        }
    }
}
