package dev.asyncpatterns.core.pool;

import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.internal.CapturedContext;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.queue.AsyncQueue;
import dev.asyncpatterns.core.time.TimeSource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * Structure: a bounded AsyncQueue<Task> and N worker threads (virtual by default), each running
 * a loop: poll, or wait for a job -> (acquire the shared in-flight limit) -> run the handler ->
 * wait for its stage -> complete the job's future -> release. A Task pairs the job with the
 * caller's future. A blockingBuilder pool calls its handler directly (no completed stage per job).
 *
 * Waiting for work: a worker first polls (no wake-up, no clock read between jobs taken back to
 * back). Only when the queue is empty does it wait, and with several platform-thread workers
 * only one at a time waits on the queue: it holds waitTurn (a Semaphore(1)) around takeBlocking
 * and releases it as soon as it has a job or the queue has ended; the other idle workers wait for
 * that permit. This is LinkedBlockingQueue's take lock: a burst of submits to an idle pool makes
 * the submitter wake one worker, and each woken worker wakes the next, instead of the submitter
 * unparking every idle worker itself (a system call per waiting worker on its own thread) and
 * every idle worker parking a BlockingWaiter on the queue's one lock. No work is held back: the
 * permit holder is in takeBlocking or on its way out of it, so a queued job always has a worker
 * coming for it, and a worker that finishes a job polls before waiting. End of queue: the holder
 * gets ClosedException, releases, exits; the next gets it at once; so every worker exits.
 * Interrupts reach a worker only through a running job's cancellation (cleared before it waits
 * again) or shutdownNow; a worker interrupted while waiting for its turn just loops.
 * Virtual-thread workers (the default) all wait on the queue directly: there an unpark hands a
 * task to the scheduler, no system call, and the turn's extra wake-up per job (the holder waking
 * the next worker, which often finds the queue empty and parks again) cost more than it saved in
 * our 1-fork runs; on platform threads, 4 workers, it took the per-job time from 2-7x a
 * ThreadPoolExecutor to 0.7-1.3x (WorkerPoolOverheadBenchmark, same runs).
 *
 * Failure isolation: everything the handler does (throwing, even an Error; returning null;
 * failing its stage) fails that job's future only; the worker loop catches Throwable per job.
 *
 * Shutdown: shutdown() closes the queue (new submits fail with ClosedException); workers drain
 * what is queued and exit on the end-of-queue signal. shutdownNow() closes the queue
 * exceptionally, which hands back the unstarted tasks (their futures are cancelled and their jobs
 * returned), then cancels in-flight tasks. terminated() completes when the last worker exits.
 *
 * Stats: per-worker counters have a single writer (the worker), which updates them with release
 * stores (no fence on the job path) before completing the job's future, so whoever sees a result
 * also sees it counted; they are read racily for snapshots; pool totals are sums. Busy time is
 * kept per streak, not per job: the clock is read when a worker gets work after waiting (busy())
 * and when it is about to wait again (idle()), never between jobs taken back to back (the clock
 * read, ~25-90 ns, was the largest cost of a trivial job); a snapshot adds the open streak.
 * Submitted jobs and depth are the queue's own put count and size, read in one queue snapshot:
 * a submit adds no counter of the pool's own (it used to bump a LongAdder per job).
 */
/**
 * A fixed set of workers draining a bounded queue of jobs through a handler, like the asyncio
 * pattern of N worker coroutines on a {@code Queue}: {@link #submit} returns a future of the job's
 * result.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.QueueSnippets region=workerPoolSubmit}
 *
 * <p><b>Handler.</b> Called on a worker thread (virtual by default), one job at a time per
 * worker; it returns a {@link CompletionStage} (or, for {@link #blockingBuilder}, the result
 * itself, and may block). A handler that throws, even an {@link Error}, returns {@code null} or a
 * failed stage fails that job only; the worker goes on with the next job.
 *
 * <p><b>Backpressure.</b> The queue is bounded. {@link #submit} waits for room (its future also
 * covers that wait); {@link #trySubmit} fails at once when the queue is full;
 * {@link #submitBlocking} blocks the calling (virtual) thread until the job is queued.
 *
 * <p><b>Cancellation.</b> Cancelling a job's future withdraws it if it is still waiting for room
 * or queued; if it is running, the handler's stage is cancelled and the worker thread
 * interrupted.
 *
 * <p><b>Shutting down</b> (the toolkit's owner rule, ADR core-0002): {@link #shutdown()} stops
 * intake and lets the workers finish every queued job; {@link #shutdownNow()} also cancels running
 * jobs and hands back the unstarted ones. Both return a future of termination and never block;
 * {@link #terminated()} observes the end, {@link #awaitTerminationBlocking(Duration)} waits for
 * it on a (virtual) thread. A pool is not {@link AutoCloseable}: choose graceful or now.
 *
 * <p>Thread-safe. Memory effects: actions before {@code submit} happen-before the handler runs
 * for that job, which happen-before the job's future completes.
 *
 * @param <J> the job type
 * @param <R> the result type
 * @since 0.1.0
 */
public final class WorkerPool<J, R> {

    /**
     * One worker's counters.
     *
     * @param index the worker's number, from 0
     * @param succeeded jobs whose handler succeeded
     * @param failed jobs whose handler failed (threw, returned null, or a failed stage)
     * @param busyTime total time spent on jobs, on the pool's time source: from taking a job after
     *     waiting until waiting again (the worker's own hand-off between back-to-back jobs is
     *     included; waiting for work or for the in-flight limit is not)
     * @param busy whether the worker is running a job now
     */
    public record WorkerStats(int index, long succeeded, long failed, Duration busyTime, boolean busy) {}

    /**
     * A snapshot of a pool's counters (ADR core-0003). Approximate while jobs run: the counters
     * are read one by one without a lock (per-worker counters have a single writer); exact at
     * quiescence.
     *
     * @param name the pool's name
     * @param workers the number of workers
     * @param depth jobs queued and not yet started
     * @param capacity the queue's bound
     * @param inFlight jobs being handled now
     * @param submitted jobs accepted into the queue since creation
     * @param rejected jobs refused by {@link #trySubmit} because the queue was full, since creation
     * @param succeeded jobs completed successfully
     * @param failed jobs that failed in their handler
     * @param cancelled jobs cancelled before or while running
     * @param busyTime total handler time over all workers
     * @param perWorker each worker's counters
     * @param shutdown whether shutdown has begun
     */
    public record Stats(
            String name,
            int workers,
            int depth,
            int capacity,
            int inFlight,
            long submitted,
            long rejected,
            long succeeded,
            long failed,
            long cancelled,
            Duration busyTime,
            List<WorkerStats> perWorker,
            boolean shutdown) {}

    /** The default queue capacity. */
    public static final int DEFAULT_QUEUE_CAPACITY = 1024;

    /** The default number of workers. */
    public static final int DEFAULT_WORKERS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

    // Task run states (see the maintainer's note); 0 is NEW, the initial value
    private static final int RUNNING = 1;
    private static final int INTERRUPTING = 2;
    private static final int INTERRUPTED = 3;
    private static final int DONE = 4;
    private static final VarHandle RUN;
    private static final VarHandle PROCESSED;
    private static final VarHandle FAILED;
    private static final VarHandle BUSY_NANOS;
    private static final VarHandle CURRENT;
    private static final VarHandle BUSY_SINCE;
    private static final long IDLE = Long.MIN_VALUE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RUN = lookup.findVarHandle(WorkerPool.Task.class, "run", int.class);
            PROCESSED = lookup.findVarHandle(WorkerPool.Worker.class, "processed", long.class);
            FAILED = lookup.findVarHandle(WorkerPool.Worker.class, "failed", long.class);
            BUSY_NANOS = lookup.findVarHandle(WorkerPool.Worker.class, "busyNanos", long.class);
            BUSY_SINCE = lookup.findVarHandle(WorkerPool.Worker.class, "busySince", long.class);
            CURRENT = lookup.findVarHandle(WorkerPool.Worker.class, "current", WorkerPool.Task.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Function<? super J, ? extends CompletionStage<? extends R>> handler;
    private final @Nullable Function<? super J, ? extends R> blockingHandler; // blockingBuilder's, called directly
    // one worker at a time waits on the queue; null with one worker or virtual workers (see the note)
    private final @Nullable Semaphore waitTurn;
    private final AsyncQueue<Task> queue;
    private final @Nullable Semaphore limit;
    private final TimeSource time;
    private final List<Worker> workers;
    private final AtomicInteger alive;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private volatile boolean shutdown;
    private volatile boolean stopping;

    private WorkerPool(Builder<J, R> b) {
        this.name = b.name == null ? Checks.defaultName("workerpool", this) : b.name;
        this.handler = b.handler;
        this.blockingHandler = b.blockingHandler;
        this.time = b.time == null ? TimeSource.system() : b.time;
        int workerCount = b.workers == 0 ? DEFAULT_WORKERS : b.workers;
        this.limit = b.maxInFlight == 0 || b.maxInFlight >= workerCount ? null : new Semaphore(b.maxInFlight);
        this.queue = AsyncQueue.<Task>builder(b.queueCapacity == 0 ? DEFAULT_QUEUE_CAPACITY : b.queueCapacity)
                .name(name)
                .timeSource(time)
                .build();
        ThreadFactory factory = b.threadFactory == null
                ? Thread.ofVirtual()
                        .name(name + "-worker-", 0)
                        .inheritInheritableThreadLocals(false)
                        .factory()
                : b.threadFactory;
        List<Worker> list = new ArrayList<>(workerCount);
        for (int i = 0; i < workerCount; i++) {
            list.add(new Worker(i));
        }
        this.workers = List.copyOf(list);
        this.alive = new AtomicInteger(workerCount);
        for (Worker worker : workers) {
            Thread thread = factory.newThread(worker::run);
            if (thread == null) {
                throw new RejectedExecutionException("WorkerPool[" + name + "]: thread factory returned null");
            }
            worker.thread = thread;
        }
        boolean platform = workers.stream().anyMatch(w -> !w.thread.isVirtual());
        this.waitTurn = workerCount > 1 && platform ? new Semaphore(1) : null;
        workers.forEach(w -> w.thread.start());
    }

    // ---------------------------------------------------------------- factories

    /**
     * A builder for a pool whose handler returns a stage (asynchronous handler).
     *
     * @param <J> the job type
     * @param <R> the result type
     * @param handler turns a job into a stage of its result; called on a worker thread
     * @return a new builder
     * @throws NullPointerException if {@code handler} is null
     */
    public static <J, R> Builder<J, R> builder(Function<? super J, ? extends CompletionStage<? extends R>> handler) {
        Objects.requireNonNull(handler, "handler");
        return new Builder<>(handler, null);
    }

    /**
     * A builder for a pool whose handler computes the result directly and may block (it runs on
     * the worker's virtual thread).
     *
     * @param <J> the job type
     * @param <R> the result type
     * @param handler computes a job's result; called on a worker thread
     * @return a new builder
     * @throws NullPointerException if {@code handler} is null
     */
    public static <J, R> Builder<J, R> blockingBuilder(Function<? super J, ? extends R> handler) {
        Objects.requireNonNull(handler, "handler");
        return new Builder<>(job -> CompletableFuture.completedFuture(handler.apply(job)), handler);
    }

    // ---------------------------------------------------------------- submitting

    /**
     * Submits a job, waiting for room in the queue if it is full.
     *
     * <p>The returned future completes with the handler's result, fails with the handler's failure,
     * or fails with {@link ClosedException} if the pool is (or becomes, while this job waits for
     * room) shut down. Cancelling it withdraws the job if it has not started, or cancels it (stage
     * cancelled, worker interrupted) if it is running. Never blocks.
     *
     * @param job the job
     * @return a future of the job's result
     * @throws NullPointerException if {@code job} is null
     */
    public CompletableFuture<R> submit(J job) {
        Task task = new Task(Objects.requireNonNull(job, "job"));
        try {
            if (queue.offer(task)) { // fast path: room now, no extra future
                return task;
            }
        } catch (ClosedException closed) {
            task.completeExceptionally(closedException());
            return task;
        }
        CompletableFuture<Void> put = queue.put(task);
        if (put.isDone()) {
            afterPut(task, put);
        } else {
            task.pendingPut = put;
            if (task.isCancelled()) {
                put.cancel(false);
            }
            put.whenComplete((ignored, failure) -> afterPut(task, put));
        }
        return task;
    }

    /**
     * Submits a job if the queue has room now.
     *
     * @param job the job
     * @return a future of the job's result, as for {@link #submit}
     * @throws NullPointerException if {@code job} is null
     * @throws RejectedExecutionException if the queue is full
     * @throws ClosedException if the pool is shut down
     */
    public CompletableFuture<R> trySubmit(J job) {
        Task task = new Task(Objects.requireNonNull(job, "job"));
        boolean accepted;
        try {
            accepted = queue.offer(task);
        } catch (ClosedException closed) {
            throw closedException();
        }
        if (!accepted) {
            rejected.increment();
            throw new RejectedExecutionException("WorkerPool[" + name + "]: queue full (" + queue.capacity() + ")");
        }
        return task;
    }

    /**
     * Submits a job, blocking the calling thread while the queue is full. Meant for virtual
     * threads: the natural backpressure for a producer loop.
     *
     * @param job the job
     * @return a future of the job's result, as for {@link #submit}
     * @throws NullPointerException if {@code job} is null
     * @throws ClosedException if the pool is shut down, now or while waiting
     * @throws InterruptedException if interrupted while waiting (the job is not queued)
     */
    public CompletableFuture<R> submitBlocking(J job) throws InterruptedException {
        Task task = new Task(Objects.requireNonNull(job, "job"));
        try {
            queue.putBlocking(task);
        } catch (ClosedException closed) {
            throw closedException();
        }
        return task;
    }

    private void afterPut(Task task, CompletableFuture<Void> put) {
        if (put.isCancelled()) {
            return; // withdrawn by the caller cancelling the result
        }
        if (put.isCompletedExceptionally()) {
            task.completeExceptionally(closedException());
        } // else accepted: counted by the queue (stats().submitted is its put count)
    }

    // ---------------------------------------------------------------- shutting down

    /**
     * Shuts down gracefully: stops accepting jobs (later submits fail with
     * {@link ClosedException}, and so do jobs still waiting for room); the workers finish every
     * queued and running job, then exit. Idempotent; never blocks.
     *
     * @return {@link #terminated()}: completes once every worker has exited
     */
    public CompletableFuture<Void> shutdown() {
        if (!shutdown) {
            shutdown = true;
            LOG.debug("WorkerPool[{}] shutting down, {} jobs queued", name, queue.size());
        }
        queue.close();
        return terminated();
    }

    /**
     * Shuts down now: does what {@link #shutdown()} does, withdraws every queued job (cancelling
     * its future) and cancels the running ones (their handler's stage is cancelled and the worker
     * thread interrupted). Idempotent; never blocks.
     *
     * @return a future completing, once every worker has exited, with the jobs that were queued
     *     and never started, in queue order (a job a worker had just taken may be cancelled
     *     without appearing here; a second call hands back nothing new)
     */
    public CompletableFuture<List<J>> shutdownNow() {
        shutdown = true;
        stopping = true;
        List<Task> unstarted =
                queue.closeExceptionally(new CancellationException("WorkerPool[" + name + "] shutdownNow"));
        List<J> jobs = new ArrayList<>(unstarted.size());
        for (Task task : unstarted) {
            task.cancel(false);
            cancelled.increment();
            jobs.add(task.job);
        }
        for (Worker worker : workers) {
            Task running = worker.current;
            if (running != null) {
                running.cancel(true);
            }
        }
        LOG.debug("WorkerPool[{}] shut down now: {} unstarted jobs returned", name, jobs.size());
        List<J> unstartedJobs = List.copyOf(jobs);
        return terminated().thenApply(ignored -> unstartedJobs);
    }

    /**
     * A future completing when the pool has shut down and every worker has exited. Cancelling it
     * affects nothing else.
     *
     * @return the termination future
     */
    public CompletableFuture<Void> terminated() {
        return terminated.copy();
    }

    /**
     * Blocks the calling thread until the pool has terminated or {@code timeout} passed on the
     * pool's {@link TimeSource}.
     *
     * @param timeout how long to wait at most
     * @return {@code true} if terminated, {@code false} on timeout
     * @throws NullPointerException if {@code timeout} is null
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitTerminationBlocking(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (terminated.isDone()) {
            return true;
        }
        CompletableFuture<Void> timer = time.delay(timeout);
        try {
            CompletableFuture.anyOf(terminated, timer).get();
        } catch (ExecutionException impossible) {
            throw new IllegalStateException(impossible);
        } finally {
            timer.cancel(false);
        }
        return terminated.isDone();
    }

    /**
     * Whether {@link #shutdown()} or {@link #shutdownNow()} was called.
     *
     * @return {@code true} once shutting down
     */
    public boolean isShutdown() {
        return shutdown;
    }

    // ---------------------------------------------------------------- observing

    /**
     * A snapshot of the pool's counters (per worker and totals).
     *
     * @return the stats
     */
    public Stats stats() {
        AsyncQueue.Stats q = queue.stats(); // one consistent read of depth and accepted jobs
        List<WorkerStats> per = new ArrayList<>(workers.size());
        long processed = 0;
        long failed = 0;
        long busy = 0;
        int inFlight = 0;
        for (Worker w : workers) {
            WorkerStats s = w.snapshot();
            per.add(s);
            processed += s.succeeded();
            failed += s.failed();
            busy += s.busyTime().toNanos();
            inFlight += s.busy() ? 1 : 0;
        }
        return new Stats(
                name,
                workers.size(),
                q.depth(),
                q.capacity(),
                inFlight,
                q.put(), // every accepted job went through the queue: no counter of our own per submit
                rejected.sum(),
                processed,
                failed,
                cancelled.sum(),
                Duration.ofNanos(busy),
                List.copyOf(per),
                shutdown);
    }

    /**
     * The pool's name, used for its threads, messages and stats.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "WorkerPool[" + name + ", workers=" + workers.size() + ", queued=" + queue.size()
                + (shutdown ? ", shutdown" : "") + "]";
    }

    private ClosedException closedException() {
        return new ClosedException("WorkerPool[" + name + "] is shut down: submit refused");
    }

    // ---------------------------------------------------------------- internals

    /** A job and, being a future itself, its result; cancelling it reaches the running worker. */
    private final class Task extends CompletableFuture<R> {
        final J job;
        volatile @Nullable CompletableFuture<?> stage; // set only while the handler's stage is pending

        @Nullable
        Worker runner; // written before the volatile write of RUNNING, read after seeing it

        volatile @Nullable CompletableFuture<Void> pendingPut;
        final CapturedContext context = CapturedContext.capture(); // the submitter's

        @SuppressWarnings("UnusedVariable") // read and written through the RUN VarHandle
        volatile int run; // NEW, RUNNING, INTERRUPTING, INTERRUPTED, DONE

        Task(J job) {
            this.job = job;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                CompletableFuture<Void> put = pendingPut;
                if (put != null) {
                    put.cancel(false); // still waiting for room: withdraw it
                }
                if (RUN.compareAndSet(this, RUNNING, INTERRUPTING)) {
                    Worker worker = runner;
                    if (worker != null) {
                        worker.thread.interrupt();
                    }
                    RUN.setVolatile(this, INTERRUPTED);
                }
                CompletableFuture<?> s = stage;
                if (s != null) {
                    s.cancel(true);
                }
            }
            return cancelled;
        }
    }

    private final class Worker {
        final int index;

        @SuppressWarnings("NullAway.Init") // set right after construction, before any worker starts
        Thread thread;

        volatile @Nullable Task current; // for stats and shutdownNow; cleared with a release store

        // single writer (this worker), release stores through the VarHandles above
        volatile long processed;
        volatile long failed;
        volatile long busyNanos; // closed busy streaks
        volatile long busySince = IDLE; // start of the current busy streak, IDLE while waiting for work

        Worker(int index) {
            this.index = index;
        }

        WorkerStats snapshot() {
            long since = busySince; // read before busyNanos: a streak closing meanwhile is undercounted, never twice
            long busy = busyNanos;
            if (since != IDLE) {
                busy += Math.max(0, time.nanoTime() - since);
            }
            return new WorkerStats(index, processed, failed, Duration.ofNanos(busy), current != null);
        }

        /** Starts a busy streak (the worker got work after waiting). */
        private void busy() {
            BUSY_SINCE.setRelease(this, time.nanoTime());
        }

        /** Ends a busy streak (the worker is about to wait), adding it to busyNanos. */
        private void idle() {
            long since = busySince;
            if (since != IDLE) {
                long now = time.nanoTime();
                BUSY_SINCE.setRelease(this, IDLE);
                BUSY_NANOS.setRelease(this, busyNanos + Math.max(0, now - since));
            }
        }

        void run() {
            try {
                while (true) {
                    Task task = queue.poll(); // no clock read while jobs are waiting
                    if (task == null) {
                        idle();
                        try {
                            task = awaitJob();
                        } catch (ClosedException end) {
                            return;
                        } catch (InterruptedException stray) {
                            continue; // only shutdownNow interrupts, and it closes the queue too
                        }
                        busy();
                    } else if (busySince == IDLE) {
                        busy(); // the first job, found without waiting
                    }
                    if (task.isDone() || stopping) {
                        if (task.cancel(false) || task.isCancelled()) {
                            cancelled.increment();
                        }
                        continue;
                    }
                    runTask(task);
                }
            } finally {
                idle();
                if (alive.decrementAndGet() == 0) {
                    LOG.debug("WorkerPool[{}] terminated", name);
                    terminated.complete(null);
                }
            }
        }

        /**
         * Waits for the next job. With several platform-thread workers, one at a time waits on the
         * queue (it holds the turn); the others wait for the turn, which the holder passes on as
         * soon as it has a job (or the queue ended). So a submitter wakes at most one waiting
         * worker, and that worker wakes the next: LinkedBlockingQueue's take lock does the same.
         */
        private Task awaitJob() throws InterruptedException {
            Semaphore turn = waitTurn;
            if (turn == null) {
                return queue.takeBlocking();
            }
            turn.acquire();
            try {
                return queue.takeBlocking();
            } finally {
                turn.release();
            }
        }

        private void runTask(Task task) {
            if (limit != null && !limit.tryAcquire()) {
                idle(); // waiting for the in-flight limit is not busy time
                try {
                    limit.acquire();
                    busy();
                } catch (InterruptedException e) {
                    busy();
                    task.cancel(false);
                    cancelled.increment();
                    return;
                }
            }
            current = task;
            task.runner = this;
            RUN.setVolatile(task, RUNNING); // from here on, cancel() interrupts this worker
            CompletableFuture<? extends R> stage = null;
            R value = null;
            Throwable error = null; // a CancellationException means cancelled
            try {
                if (stopping) {
                    task.cancel(false);
                }
                Function<? super J, ? extends R> direct = blockingHandler;
                if (task.isDone()) {
                    error = new CancellationException();
                } else if (direct != null) { // no stage to wrap the result in: cancel interrupts the thread
                    value = task.context.apply(direct, task.job);
                } else {
                    CompletionStage<? extends R> returned = task.context.apply(handler, task.job);
                    if (returned == null) {
                        throw new NullPointerException(
                                "WorkerPool[" + name + "]: handler returned null for " + task.job);
                    }
                    stage = returned.toCompletableFuture();
                    if (!stage.isDone()) { // only a pending stage can be cancelled by the caller
                        task.stage = stage;
                        if (task.isCancelled()) {
                            stage.cancel(true);
                        }
                    }
                    value = stage.get();
                }
            } catch (ExecutionException e) {
                error = e.getCause();
            } catch (CancellationException | InterruptedException e) {
                if (stage != null) {
                    stage.cancel(true);
                }
                error = e instanceof CancellationException ? e : new CancellationException("interrupted");
            } catch (Throwable t) { // the handler threw, even an Error: fail this job only
                error = t;
            } finally {
                if (!RUN.compareAndSet(task, RUNNING, DONE)) {
                    while ((int) RUN.getVolatile(task) == INTERRUPTING) {
                        Thread.onSpinWait(); // the canceller is between its CAS and interrupt()
                    }
                }
                Thread.interrupted(); // a cancellation's interrupt must not leak into the next job
                CURRENT.setRelease(this, (Task) null);
            }
            // count first, complete second: whoever sees the result also sees it in stats()
            if (error instanceof CancellationException || task.isCancelled()) {
                cancelled.increment();
            } else if (error != null) {
                FAILED.setRelease(this, failed + 1);
            } else {
                PROCESSED.setRelease(this, processed + 1);
            }
            if (limit != null) {
                limit.release();
            }
            if (error == null) {
                task.complete(value);
            } else {
                task.completeExceptionally(error);
            }
        }
    }

    // ---------------------------------------------------------------- builder

    /**
     * Configures a pool. Each setting may be given once; {@link #build()} starts the workers.
     *
     * @param <J> the job type
     * @param <R> the result type
     */
    public static final class Builder<J, R> {
        private final Function<? super J, ? extends CompletionStage<? extends R>> handler;
        private final @Nullable Function<? super J, ? extends R> blockingHandler;
        private @Nullable String name;
        private int workers;
        private int maxInFlight;
        private int queueCapacity;
        private @Nullable TimeSource time;
        private @Nullable ThreadFactory threadFactory;

        private Builder(
                Function<? super J, ? extends CompletionStage<? extends R>> handler,
                @Nullable Function<? super J, ? extends R> blockingHandler) {
            this.handler = handler;
            this.blockingHandler = blockingHandler;
        }

        /**
         * The name used for worker threads, messages and stats (default {@code workerpool@<hash>}).
         *
         * @param name the name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank, longer than 200 characters or
         *     holds a control character
         * @throws IllegalStateException if already set
         */
        public Builder<J, R> name(String name) {
            Checks.name(name);
            Checks.unset(this.name, "name");
            this.name = name;
            return this;
        }

        /**
         * The number of workers (default {@link #DEFAULT_WORKERS}).
         *
         * @param workers at least 1, at most 10,000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         * @throws IllegalStateException if already set
         */
        public Builder<J, R> workers(int workers) {
            range(workers, 10_000, "workers");
            Checks.once(this.workers != 0, "workers");
            this.workers = workers;
            return this;
        }

        /**
         * At most this many handlers run at once across all workers (default: one per worker).
         * Useful below the worker count: "5 workers, at most 3 in flight".
         *
         * @param maxInFlight at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxInFlight < 1}
         * @throws IllegalStateException if already set
         */
        public Builder<J, R> maxInFlight(int maxInFlight) {
            Checks.positive(maxInFlight, "maxInFlight");
            Checks.once(this.maxInFlight != 0, "maxInFlight");
            this.maxInFlight = maxInFlight;
            return this;
        }

        /**
         * The bound of the job queue (default {@link #DEFAULT_QUEUE_CAPACITY}).
         *
         * @param queueCapacity from 1 to {@link AsyncQueue#MAX_CAPACITY}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         * @throws IllegalStateException if already set
         */
        public Builder<J, R> queueCapacity(int queueCapacity) {
            range(queueCapacity, AsyncQueue.MAX_CAPACITY, "queueCapacity");
            Checks.once(this.queueCapacity != 0, "queueCapacity");
            this.queueCapacity = queueCapacity;
            return this;
        }

        /**
         * The clock for busy time and {@link WorkerPool#awaitTerminationBlocking} (default
         * {@link TimeSource#system()}).
         *
         * @param timeSource the time source
         * @return this builder
         * @throws NullPointerException if {@code timeSource} is null
         * @throws IllegalStateException if already set
         */
        public Builder<J, R> timeSource(TimeSource timeSource) {
            Objects.requireNonNull(timeSource, "timeSource");
            Checks.unset(this.time, "timeSource");
            this.time = timeSource;
            return this;
        }

        /**
         * Where worker threads come from (default: virtual threads named after the pool).
         *
         * @param threadFactory the thread factory
         * @return this builder
         * @throws NullPointerException if {@code threadFactory} is null
         * @throws IllegalStateException if already set
         */
        public Builder<J, R> threadFactory(ThreadFactory threadFactory) {
            Objects.requireNonNull(threadFactory, "threadFactory");
            Checks.unset(this.threadFactory, "threadFactory");
            this.threadFactory = threadFactory;
            return this;
        }

        /**
         * Builds the pool and starts its workers.
         *
         * @return the running pool
         * @throws RejectedExecutionException if the thread factory returns null
         */
        public WorkerPool<J, R> build() {
            return new WorkerPool<>(this);
        }

        private static void range(int value, int max, String name) {
            Checks.positive(value, name);
            if (value > max) {
                throw new IllegalArgumentException(name + " must be at most " + max + ", was " + value);
            }
        }
    }
}
