package dev.asyncpatterns.core.scope;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.ClosedException;
import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.future.AllFailedException;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.Tasks;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.CompletedFutures;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.FollowingFuture;
import dev.asyncpatterns.core.internal.TaskFuture;
import dev.asyncpatterns.core.internal.TaskScopeFailureEvent;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * Structured concurrency on CompletableFuture and TaskFuture, without the preview
 * StructuredTaskScope (see docs/adr/futures-0002-task-scope-without-preview-apis.md).
 *
 * State (issue 20: no lock and no set per fork; the lock guards only the rare paths: the policy's
 * failure/success record, the deadline timer, the children):
 *   ctl       one VarHandle long: SHUTDOWN and CLOSED bits, a SWEEPING bit, the registrations
 *             since the last sweep (bits 32..59) and the live-fork count (low 32 bits). A fork
 *             registers with one CAS that checks both bits and raises the count; its exit lowers
 *             the count with one getAndAdd. SHUTDOWN is set once (first failure, first success,
 *             deadline, cancel(), close(), a parent's shutdown), always under the lock, by a CAS
 *             (register races it lock-free); CLOSED once by close()/joinAndClose completion.
 *   head      the registered forks, newest first: an intrusive list whose nodes are the per-fork
 *             objects themselves (Fork for fork, AsyncFork for forkAsync), so registering
 *             allocates nothing. Pushes CAS the head. Exited nodes are unlinked by sweep(), one
 *             sweeper at a time (the SWEEPING bit), once the registrations since the last sweep
 *             exceed both 1,024 and twice the live count, so the list stays O(live forks). The
 *             head is never unlinked and an unlinked node keeps its next pointer, so a walk
 *             running beside a sweep (cancelAll) still reaches every node after it.
 *   idleWaiter a future the joiners wait on; the exit that brings the count to 0 takes it
 *             (getAndSet null) and completes it. A joiner publishes the waiter, then re-reads the
 *             count (Dekker with the exit's decrement-then-take), and re-checks after every
 *             wake-up: an exit that saw 0 before a new fork came in may take a waiter installed
 *             after it, an early wake-up that the re-check turns into a new wait.
 *
 * Shutdown vs registration (no lock between them): the canceller sets SHUTDOWN, then walks the
 * list; a registering fork pushes its node, then re-reads SHUTDOWN and, if set, cancels itself.
 * Both sides write then read volatile state, so at least one of them sees the other: no fork is
 * missed. Before its body starts, a fork re-reads SHUTDOWN too (enterFork).
 *
 * One object per fork (issue 20): fork() allocates a Fork, which is at once the caller's
 * future (a TaskFuture), the Runnable the executor runs, the exit hook, the list node and the
 * ForkThreads entry, in 40 B (Fork's comment). forkAsync() of a stage that is already done
 * registers nothing. The fork's body runs in TaskFuture.run's own frame (enterFork/leaveFork are
 * hooks called around it): a parked fork's stack chunk holds one frame of ours, as the JDK's
 * StructuredTaskScope subtask's holds one of its own (issue 20).
 *
 * Every fork gets one exit callback (forkExited) that counts its outcome, applies the policy
 * (under the lock, only when the policy cares: a failure under FAIL_FAST, anything under
 * FIRST_SUCCESS before the shutdown; an Outcome is built only then) and then releases its unit
 * of the count, lock-free. Cancelling forks, closing children and completing the idle waiter
 * happen outside the lock (they run callbacks). Because a fork's outcome is recorded before its
 * count is released, joinBlocking() always sees every outcome. The lock-free exit matters when a
 * scope with 100,000 forks is closed: every fork exits at once (issue 21 measured close() at ~3x
 * the JDK's shutdownNow() when exits took a lock).
 *
 * Forks on the default executor (Tasks.virtualThreads()) run on a new virtual thread that
 * inherits nothing: enterFork enters their fork in FRESH_FORK_SCOPE (a
 * ForkThreads table chained through the forks: no allocation) instead of two ThreadLocals (a
 * ThreadLocalMap per thread, ~190 B), needs no "running fork" frame (such a
 * thread is never the owner, so joinBlocking()/close() cannot be called from inside its own fork
 * there), and TaskFuture skips restoring an empty context (which would create the MDC's map).
 *
 * Nesting: a ThreadLocal holds the innermost open scope of the current thread (for a fresh fork
 * thread, FRESH_FORK_SCOPE holds its fork's scope until the body opens a scope of its own); fork
 * bodies run with it set to their scope. open() makes the innermost open scope its parent; shutting a
 * parent down shuts its children down, and a parent's close() also closes (cancels and awaits)
 * children still open. Fork threads of the parent are themselves awaited by the parent's close(),
 * so nothing outlives the outermost scope.
 *
 * Issue 21 fixes, each with a regression test in core's issues.Issue21Test:
 * - Failures after the owner's shutdown. cancel()/close()/a parent's cancellation shut the scope
 *   down without a failure; under FAIL_FAST a fork outcome recorded after that (in applyPolicy(),
 *   under the lock that also guards setting SHUTDOWN) no longer becomes the scope's failure: it is the fork's
 *   reaction to the interrupt (a virtual thread blocked in a socket read gets
 *   SocketException("Closed by interrupt")) or a failure racing the cancel, and joinBlocking() would have
 *   reported an error although no fork failed before the owner gave up. It is logged at debug.
 *   After a real first failure (or the deadline), later failures are still suppressed on it.
 * - No body starts after the shutdown. cancelAll() walks the forks one by one outside the lock,
 *   so a fork not reached yet could start its body although the scope was already cancelled;
 *   enterFork() reads the SHUTDOWN bit first and completes the fork with a
 *   CancellationException instead. Closing many forks therefore interrupts every running fork
 *   (cancel() before any waiting) and starts none.
 * - Same-thread executor. With executor(Runnable::run) a fork body runs on the owner thread, so
 *   checkOwner() lets it call joinBlocking()/close(), which then wait for that very fork forever.
 *   RUNNING_FORK records the fork bodies the thread is in; joinBlocking()/close() from inside one of
 *   this scope's own forks fail fast with an IllegalStateException.
 */
/**
 * Structured concurrency, like {@code asyncio.TaskGroup} or Java's preview
 * {@code StructuredTaskScope} but on Java 21 without preview flags: tasks forked in a scope never
 * outlive it.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.TasksSnippets region=taskScope}
 *
 * <p><b>Policies.</b> {@link Policy#FAIL_FAST} (default): the first failing fork cancels every
 * other, and {@link #joinBlocking()} throws it with later failures suppressed. {@link Policy#COLLECT_ALL}:
 * every fork runs to the end and {@code joinBlocking()} never throws for a fork's failure; read each
 * fork's {@link Outcome#ofDone outcome}. {@link Policy#FIRST_SUCCESS}: the first fork to succeed
 * cancels the others; {@code joinBlocking()} throws an {@link AllFailedException} if none succeeded.
 * A fork cancelled by the caller is not a failure (except that it cannot be a first success).
 * Once the owner has shut the scope down with {@link #cancel()} or {@link #close()} (or a parent
 * did), what its forks throw, typically their reaction to the interrupt (an
 * {@code InterruptedException}, an interrupted socket read's {@code SocketException}), is not the
 * scope's failure either.
 *
 * <p><b>Deadline.</b> A scope built with {@link Builder#deadline(Duration)} shuts down when the
 * deadline passes on its {@link TimeSource}: every fork is cancelled and {@code joinBlocking()} throws a
 * {@link TimeoutException} (unless a first success or first failure came earlier).
 *
 * <p><b>Threads.</b> The thread that opens a scope owns it: only it may {@link #joinBlocking()},
 * {@link #joinAndClose()} and {@link #close()}. Forks may be added by the owner and by the scope's
 * own forks; other threads get a {@link WrongThreadException}. {@link #fork} runs each task on a
 * new virtual thread by default, and cancelling a fork interrupts it. After {@code close()},
 * {@code fork} throws {@link ClosedException}; after the scope shut down (failure, success,
 * deadline, {@link #cancel()}), new forks are returned already cancelled and never start.
 *
 * <p><b>Nesting.</b> A scope opened by a thread that is inside another scope (its owner, or one
 * of its forks) is a child: cancelling or closing the parent cancels the child's forks.
 *
 * <p><b>Joining and closing.</b> {@link #joinBlocking()} blocks the owner until the forks are done
 * and reports the result; {@link #joinAndClose()} is its non-blocking form and closes the scope
 * when done. {@link #close()} is for try-with-resources and blocks until every fork has stopped:
 * it is the one blocking method of the toolkit whose name does not say so, because
 * {@link AutoCloseable} fixes the name (as for {@code StructuredTaskScope}; ADR core-0002).
 *
 * <p><b>Memory effects.</b> Actions of a fork happen-before {@code joinBlocking()} returns (or the
 * {@code joinAndClose()} future completes) for a fork that completed before the join.
 *
 * @since 0.1.0
 */
public final class TaskScope implements AutoCloseable {

    /** What a scope does when its forks fail or succeed. */
    public enum Policy {
        /** The first failure cancels every other fork; {@code joinBlocking()} throws it. The default. */
        FAIL_FAST,
        /** Every fork runs to the end; {@code joinBlocking()} does not throw for fork failures. */
        COLLECT_ALL,
        /** The first success cancels every other fork; {@code joinBlocking()} throws if none succeeded. */
        FIRST_SUCCESS
    }

    /** If close() waits longer than this for forks that ignore interruption, it logs a warning. */
    public static final Duration CLOSE_WARNING_AFTER = Duration.ofSeconds(5);

    /**
     * A snapshot of a scope (ADR core-0003). Approximate while forks exit (their counts are
     * lock-free, like the exits themselves), exact once the scope is idle: a fork is counted
     * before {@link #joinBlocking} can return. Forks handed to {@link #forkAsync} already complete never
     * enter the scope and are not counted.
     *
     * @param name the scope's name
     * @param inFlight forks not finished yet ({@link #activeForks()})
     * @param forked forks started in the scope, since it opened
     * @param succeeded forks that ended with a value
     * @param failed forks that ended with an exception
     * @param cancelled forks cancelled (by the scope's shutdown or by their caller)
     * @param shutdown whether the scope has shut down (its remaining forks are cancelled)
     * @param closed whether the scope is closed
     */
    public record Stats(
            String name,
            int inFlight,
            long forked,
            long succeeded,
            long failed,
            long cancelled,
            boolean shutdown,
            boolean closed) {}

    private static final Logger LOG = LoggerFactory.getLogger(TaskScope.class);
    private static final ThreadLocal<TaskScope> CURRENT = new ThreadLocal<>();
    /**
     * The scope of the fork body each fresh fork thread runs (scopes on the default executor):
     * a map entry instead of a ThreadLocalMap on every new virtual thread; see the note.
     */
    private static final ForkThreads FRESH_FORK_SCOPE = new ForkThreads();
    /** The scopes whose fork bodies the current thread is running, innermost first. */
    private static final ThreadLocal<RunningFork> RUNNING_FORK = new ThreadLocal<>();
    /** Stands for any success in outcomeOf (the value itself is never read). */
    private static final Outcome<Object> SUCCESS = Outcome.success((Object) "any success");

    private static final long SHUTDOWN = 1L << 62;
    private static final long CLOSED = 1L << 61;
    private static final long SWEEPING = 1L << 60;
    /** One registration since the last sweep, counted in bits 32..59 of ctl. */
    private static final long PUSH = 1L << 32;

    private static final long PUSH_MASK = ((1L << 60) - 1) & ~0xFFFF_FFFFL;
    private static final long LIVE_MASK = 0xFFFF_FFFFL;
    private static final CompletableFuture<Void> IDLE = CompletableFuture.completedFuture(null);
    private static final VarHandle CTL;
    private static final VarHandle IDLE_WAITER;
    private static final VarHandle HEAD;
    private static final VarHandle FORKED;
    private static final VarHandle SUCCEEDED;
    private static final VarHandle FAILED;
    private static final VarHandle CANCELLED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CTL = lookup.findVarHandle(TaskScope.class, "ctl", long.class);
            IDLE_WAITER = lookup.findVarHandle(TaskScope.class, "idleWaiter", CompletableFuture.class);
            HEAD = lookup.findVarHandle(TaskScope.class, "head", Node.class);
            FORKED = lookup.findVarHandle(TaskScope.class, "forked", long.class);
            SUCCEEDED = lookup.findVarHandle(TaskScope.class, "forksSucceeded", long.class);
            FAILED = lookup.findVarHandle(TaskScope.class, "forksFailed", long.class);
            CANCELLED = lookup.findVarHandle(TaskScope.class, "forksCancelled", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Policy policy;
    private final TimeSource timeSource;
    private final Executor executor;
    /** Whether every fork runs on a new virtual thread that inherits nothing (the default). */
    private final boolean freshThreads;

    private final Thread owner;
    private final @Nullable TaskScope parent;
    private final @Nullable Duration deadline;

    private final ReentrantLock lock = new ReentrantLock();
    /** The registered forks, newest first: an intrusive list (see the note and {@link Node}). */
    private volatile @Nullable Node head;

    @GuardedBy("lock")
    private @Nullable List<TaskScope> children; // created by the first adopt()

    private final @Nullable List<Throwable> firstSuccessFailures; // guarded by lock; FIRST_SUCCESS only
    /** SHUTDOWN and CLOSED bits and the live-fork count (low 32 bits); see the note. */
    private volatile long ctl;
    /** The future the idle waiters wait on, or null; taken (set to null) by the exit that idles. */
    private volatile @Nullable CompletableFuture<Void> idleWaiter;

    @GuardedBy("lock")
    private boolean succeeded;

    // written under the lock; volatile so that result() reads them without it (a fork's outcome
    // is recorded before its count is released, so a join that saw the scope idle sees it)
    private volatile @Nullable Throwable failure;

    private volatile @Nullable TimeoutException deadlineExpired;

    @GuardedBy("lock")
    private @Nullable Cancellable deadlineTimer;

    /** The given name, or null until {@link #name()} first builds the default one. */
    private volatile @Nullable String name;
    // counters as VarHandle fields, not LongAdders: a scope that forks ten tasks allocates 100 B
    // less (LongAdder cells would also be per scope); lock-free, like the exits
    private volatile long forked;
    private volatile long forksSucceeded;
    private volatile long forksFailed;
    private volatile long forksCancelled;

    private TaskScope(Builder builder) {
        this.name = builder.name; // null: name() builds the default on first use
        this.policy = builder.policy != null ? builder.policy : Policy.FAIL_FAST;
        this.timeSource = builder.timeSource != null ? builder.timeSource : TimeSource.system();
        this.executor = builder.executor != null ? builder.executor : Tasks.virtualThreads();
        this.freshThreads = executor == Tasks.virtualThreads();
        this.owner = Thread.currentThread();
        this.firstSuccessFailures = policy == Policy.FIRST_SUCCESS ? new ArrayList<>() : null;
        this.deadline = builder.deadlineDuration != null
                ? builder.deadlineDuration
                : builder.deadlineInstant != null
                        ? Duration.between(timeSource.instant(), builder.deadlineInstant)
                        : null;
        TaskScope enclosing = innermostOpen();
        this.parent = enclosing;
    }

    // ---------------------------------------------------------------- opening

    /**
     * Opens a fail-fast scope owned by the current thread, forking onto virtual threads, without
     * a deadline.
     *
     * @return the open scope; close it with try-with-resources
     */
    public static TaskScope open() {
        return builder().open();
    }

    /**
     * Opens a scope with the given policy, owned by the current thread.
     *
     * @param policy what the scope does on failures and successes
     * @return the open scope
     * @throws NullPointerException if {@code policy} is null
     */
    public static TaskScope open(Policy policy) {
        return builder().policy(policy).open();
    }

    /**
     * A builder for a scope with a deadline, a time source or an executor.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    private TaskScope start() {
        boolean born = false;
        if (parent != null) {
            born = parent.adopt(this);
        }
        CURRENT.set(this);
        if (born) {
            cancel();
        }
        if (deadline != null) {
            if (Durations.toNanosSaturated(deadline) <= 0) {
                expire();
            } else {
                Cancellable timer = timeSource.schedule(deadline, this::expire);
                lock.lock();
                try {
                    if (isShutdown()) {
                        timer.cancel();
                    } else {
                        deadlineTimer = timer;
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
        return this;
    }

    /** Registers a child; true if this scope is already shut down (the child starts cancelled). */
    private boolean adopt(TaskScope child) {
        lock.lock();
        try {
            List<TaskScope> kids = children;
            if (kids == null) {
                kids = new ArrayList<>(2);
                children = kids;
            }
            kids.add(child);
            return isShutdown();
        } finally {
            lock.unlock();
        }
    }

    private static @Nullable TaskScope innermostOpen() {
        TaskScope scope = openFrom(CURRENT.get()); // a scope opened by this thread, or its fork's
        return scope != null ? scope : openFrom(FRESH_FORK_SCOPE.scopeOf(Thread.currentThread()));
    }

    private static @Nullable TaskScope openFrom(@Nullable TaskScope innermost) {
        TaskScope scope = innermost;
        while (scope != null && scope.isClosed()) {
            scope = scope.parent;
        }
        return scope;
    }

    // ---------------------------------------------------------------- forking

    /**
     * Runs {@code task} in this scope on the scope's executor (a new virtual thread by default).
     * Never blocks.
     *
     * <p>The returned future completes with the task's result or exception; {@code cancel(true)}
     * on it interrupts the task. If the scope has shut down, the returned future is already
     * cancelled and the task never runs.
     *
     * @param <T> the result type
     * @param task the task
     * @return the fork's future
     * @throws NullPointerException if {@code task} is null
     * @throws ClosedException if the scope is closed
     * @throws WrongThreadException if called from a thread that is neither the owner nor one of
     *     this scope's forks
     */
    public <T> CompletableFuture<T> fork(Callable<? extends T> task) {
        Objects.requireNonNull(task, "task");
        checkForkingThread();
        var fork = new Fork<T>(this, task);
        if (!register(fork, "fork")) {
            fork.cancel(false); // never counted in: its exit hook sees counted == false
            return fork;
        }
        if (isShutdown()) { // shut down while registering: the canceller may have missed it
            fork.cancel(false);
            return fork;
        }
        return fork.startOn(executor);
    }

    /**
     * Starts asynchronous work in this scope. Never blocks: {@code task} is called on the current
     * thread and should only start the work. The fork lasts until the stage completes; cancelling
     * the scope cancels the stage (with {@code cancel(true)}). If {@code task} throws, the fork
     * fails with that exception. If the scope has shut down, {@code task} is not called and the
     * returned future is already cancelled.
     *
     * @param <T> the result type
     * @param task starts the work
     * @return the fork's future; cancelling it cancels the stage
     * @throws NullPointerException if {@code task} is null
     * @throws ClosedException if the scope is closed
     * @throws WrongThreadException if called from a thread that is neither the owner nor one of
     *     this scope's forks
     */
    public <T> CompletableFuture<T> forkAsync(AsyncSupplier<? extends T> task) {
        Objects.requireNonNull(task, "task");
        checkForkingThread();
        // lock-free checks: a shutdown racing with them is handled by register() below, or is
        // harmless for work that is already done
        long c = ctl;
        if ((c & CLOSED) != 0) {
            throw new ClosedException("TaskScope is closed: forkAsync refused");
        }
        if ((c & SHUTDOWN) != 0) {
            return CompletedFutures.cancelled();
        }
        CompletableFuture<T> started = Futures.start(task); // user code: outside the lock
        if (started.isDone()) {
            // nothing to track or cancel: apply the policy to the outcome and hand the stage back;
            // a success only matters to FIRST_SUCCESS
            if (started.isCompletedExceptionally() || policy == Policy.FIRST_SUCCESS) {
                recordDone(outcomeOf(started));
            }
            return started;
        }
        var node = new AsyncFork<T>(this); // one per fork: a stage forked twice counts twice
        FollowingFuture<T> fork = node.fork;
        boolean registered;
        try {
            registered = register(node, "forkAsync");
        } catch (ClosedException closedMeanwhile) {
            started.cancel(true);
            throw closedMeanwhile;
        }
        if (!registered) { // shut down meanwhile
            started.cancel(true);
            fork.cancel(false);
            return fork;
        }
        fork.whenComplete(node);
        if (isShutdown()) { // shut down while registering: the canceller may have missed it
            started.cancel(true);
            fork.cancel(false);
            return fork;
        }
        fork.follow(started);
        return fork;
    }

    /**
     * Counts a new fork in, lock-free; false if the scope has shut down (the fork must not
     * start). The caller re-reads the shutdown bit after this returns true, see the note.
     */
    private boolean register(Node node, String operation) {
        long c;
        long next;
        do {
            c = ctl;
            if ((c & CLOSED) != 0) {
                throw new ClosedException("TaskScope is closed: " + operation + " refused");
            }
            if ((c & SHUTDOWN) != 0) {
                return false;
            }
            if ((c & LIVE_MASK) == LIVE_MASK) {
                throw new IllegalStateException("TaskScope: too many live forks");
            }
            next = (c & PUSH_MASK) == PUSH_MASK ? c + 1 : c + PUSH + 1;
        } while (!CTL.weakCompareAndSet(this, c, next));
        Node h;
        do { // push, before the caller's re-read of the shutdown bit
            h = head;
            node.setNext(h);
        } while (!HEAD.weakCompareAndSet(this, h, node));
        FORKED.getAndAdd(this, 1L);
        long pushes = (next & PUSH_MASK) >>> 32;
        if (pushes > SWEEP_AFTER && pushes > 2L * (next & LIVE_MASK)) {
            sweep();
        }
        return true;
    }

    /** Registrations after which a sweep may drop the exited forks from the list. */
    private static final int SWEEP_AFTER = 1024;

    /**
     * Unlinks exited forks from the list, keeping it O(live forks) in a long-lived scope. One
     * sweeper at a time (the SWEEPING bit); pushes only touch the head, which is never unlinked,
     * and an unlinked node keeps its next pointer, so a concurrent walk (cancelAll) still reaches
     * every fork after it (see the note).
     */
    private void sweep() {
        long c;
        do {
            c = ctl;
            if ((c & SWEEPING) != 0) {
                return;
            }
        } while (!CTL.weakCompareAndSet(this, c, (c | SWEEPING) & ~PUSH_MASK));
        try {
            Node prev = head;
            if (prev != null) {
                for (Node node = prev.next(); node != null; node = node.next()) {
                    if (node.hasExited()) {
                        prev.setNext(node.next());
                    } else {
                        prev = node;
                    }
                }
            }
        } finally {
            do {
                c = ctl;
            } while (!CTL.weakCompareAndSet(this, c, c & ~SWEEPING));
        }
    }

    /**
     * A registered fork: a node of the scope's intrusive list. {@code next} is written before
     * the node is pushed and afterwards only by the sweeper (a plain field: a walker that reads
     * an older value follows unlinked nodes, whose next pointers still lead on). Until the push
     * a node's {@code next} is the node itself: a fork refused at registration (born cancelled)
     * is never pushed, and its exit is not counted. An interface, so that the fork of
     * {@link #fork} can be its own {@link TaskFuture} (one object per fork).
     */
    private interface Node {
        @Nullable
        Node next();

        void setNext(@Nullable Node next);

        /** False for a fork refused at registration (born cancelled): it was never pushed. */
        default boolean isCounted() {
            return next() != this;
        }

        /** Whether the fork has exited (its task is done): the sweeper may unlink it. */
        boolean hasExited();

        CompletableFuture<?> future();
    }

    /** An async fork: its node and its exit callback (the stage completed). */
    private static final class AsyncFork<T> implements Node, BiConsumer<T, @Nullable Throwable> {
        private final TaskScope scope;
        final FollowingFuture<T> fork = new FollowingFuture<>();
        private @Nullable Node next = this; // not counted in yet, see Node
        private volatile boolean exited;

        AsyncFork(TaskScope scope) {
            this.scope = scope;
        }

        @Override
        public @Nullable Node next() {
            return next;
        }

        @Override
        public void setNext(@Nullable Node next) {
            this.next = next;
        }

        @Override
        public boolean hasExited() {
            return exited;
        }

        @Override
        public CompletableFuture<?> future() {
            return fork;
        }

        @Override
        public void accept(T value, @Nullable Throwable failure) {
            exited = true;
            scope.forkExited(this);
        }
    }

    /** Sets {@code bits} in the state word; true if this call set the first of them. */
    private boolean setBits(long bits) {
        long c;
        do {
            c = ctl;
            if ((c & bits) == bits) {
                return false;
            }
        } while (!CTL.weakCompareAndSet(this, c, c | bits));
        return (c & bits) == 0;
    }

    private int live() {
        return (int) (ctl & LIVE_MASK);
    }

    private boolean isClosed() {
        return (ctl & CLOSED) != 0;
    }

    /**
     * A future completed once no fork is live (at once if none is). A completion of the shared
     * waiter can be early (an exit that saw the count reach 0 before a new fork came in takes the
     * waiter installed after it), so every wake-up re-reads the count and waits again if needed.
     */
    private CompletableFuture<Void> idleFuture() {
        if (live() == 0) {
            return IDLE;
        }
        var result = new CompletableFuture<Void>();
        awaitIdle(result);
        return result;
    }

    private void awaitIdle(CompletableFuture<Void> result) {
        while (true) {
            CompletableFuture<Void> waiter = idleWaiter;
            if (waiter == null) {
                var fresh = new CompletableFuture<Void>();
                waiter = IDLE_WAITER.compareAndSet(this, null, fresh) ? fresh : idleWaiter;
                if (waiter == null) {
                    continue; // taken meanwhile
                }
            }
            if (live() == 0) { // after publishing the waiter: an exit reaching 0 now finds it
                result.complete(null);
                return;
            }
            if (!waiter.isDone()) {
                waiter.whenComplete((ignored, never) -> awaitIdle(result));
                return;
            }
            IDLE_WAITER.compareAndSet(this, waiter, null); // an early completion: wait again
        }
    }

    /**
     * One fork of {@link #fork}, in one object (issue 20): the future handed to the caller, the
     * Runnable the executor runs, the exit hook (TaskFuture's {@link TaskFuture#onExit}), the
     * scope's list node and, on a fresh fork thread, the entry of {@link ForkThreads}: 40 B per
     * fork with compressed oops (TaskFuture's merged state word, task slot and runner, and three
     * fields here), instead of a body (40 B), a task future (56 B) and a map entry (32 B).
     * Whether it was counted in and whether it exited are not fields: an uncounted fork's
     * {@code next} points to itself (it is never pushed, and a push overwrites it), and it exited
     * once TaskFuture's exit hook started.
     */
    private static final class Fork<T> extends TaskFuture<T> implements Node {
        final TaskScope scope;
        /** The next node of the scope's list; this fork itself until it is counted in. */
        private @Nullable Node next = this;
        /** The next fork of this one's {@link ForkThreads} bucket, while its body runs. */
        @Nullable
        Fork<?> bucketNext;

        Fork(TaskScope scope, Callable<? extends T> task) {
            super(task, scope.freshThreads);
            this.scope = scope;
        }

        @Override
        protected void beforeBody() {
            scope.enterFork(this);
        }

        @Override
        protected void afterBody() {
            if (!scope.freshThreads) {
                leaveFork();
            }
        }

        @Override
        protected void onExit() {
            if (scope.freshThreads) {
                // after the body ran, this is its thread; a fork that never ran is in no bucket
                // of the current thread (the canceller's), so this finds nothing to unlink
                FRESH_FORK_SCOPE.exit(this, Thread.currentThread());
            }
            scope.forkExited(this);
        }

        /** The thread running this fork's body (set before the body runs), or null. */
        @Nullable
        Thread thread() {
            return runnerThread();
        }

        @Override
        public @Nullable Node next() {
            return next;
        }

        @Override
        public void setNext(@Nullable Node next) {
            this.next = next;
        }

        @Override
        public boolean hasExited() {
            return isExited(); // set before the exit hook runs
        }

        @Override
        public CompletableFuture<?> future() {
            return this;
        }
    }

    /**
     * A frame of {@link #RUNNING_FORK}: this thread runs a fork body of {@code scope}; {@code
     * previous} is the {@link #CURRENT} scope to put back when it ends.
     */
    private record RunningFork(
            TaskScope scope,
            @Nullable RunningFork outer,
            @Nullable TaskScope previous) {}

    /**
     * Which fork body each fresh fork thread runs: a fixed table of buckets chained through the
     * forks themselves ({@link Fork#bucketNext}), so a fork's entry allocates nothing (a
     * ConcurrentHashMap entry was 32 B per fork). Only fork threads of scopes on the default
     * executor enter it, each for the time its body runs; a thread looks up only itself (when it
     * forks into or opens a scope). Bucket by thread id under one of 64 striped spin locks: the
     * sections are a push, an unlink from a short chain, or a walk of it, and run no user code.
     */
    private static final class ForkThreads {
        private static final int BUCKETS = 4096;
        private static final int STRIPES = 64;
        /** Spins on a taken stripe before yielding (a section is a few dozen instructions). */
        private static final int LOCK_SPINS = 1024;

        private static final VarHandle LOCKS = MethodHandles.arrayElementVarHandle(int[].class);
        private final @Nullable Fork<?>[] heads = new Fork<?>[BUCKETS];
        /**
         * Spin locks, 1 = taken, not monitors: a virtual thread that blocks on a contended monitor
         * unmounts, which copies its stack into a new stack chunk (issue 20: a parked fork
         * measured a second chunk, ~1 KB, in ~0.5% of the forks).
         */
        private final int[] locks = new int[STRIPES];

        private static int bucket(Thread thread) {
            long id = thread.threadId();
            return (int) (id ^ (id >>> 12)) & (BUCKETS - 1);
        }

        @SuppressWarnings("ThreadPriorityCheck") // yields only if the holder's carrier was descheduled
        private void lock(int bucket) {
            int stripe = bucket & (STRIPES - 1);
            for (int spins = 0; !LOCKS.compareAndSet(locks, stripe, 0, 1); spins++) {
                if (spins < LOCK_SPINS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

        private void unlock(int bucket) {
            LOCKS.setRelease(locks, bucket & (STRIPES - 1), 0);
        }

        void enter(Fork<?> fork, Thread thread) {
            int i = bucket(thread);
            lock(i);
            try {
                fork.bucketNext = heads[i];
                heads[i] = fork;
            } finally {
                unlock(i);
            }
        }

        void exit(Fork<?> fork, Thread thread) {
            int i = bucket(thread);
            lock(i);
            try {
                Fork<?> prev = null;
                for (Fork<?> f = heads[i]; f != null; prev = f, f = f.bucketNext) {
                    if (f == fork) {
                        if (prev == null) {
                            heads[i] = f.bucketNext;
                        } else {
                            prev.bucketNext = f.bucketNext;
                        }
                        f.bucketNext = null; // a caller keeping this future keeps no other fork
                        return;
                    }
                }
            } finally {
                unlock(i);
            }
        }

        /** The scope whose fork body {@code thread} (the current thread) runs, or null. */
        @Nullable
        TaskScope scopeOf(Thread thread) {
            if (!thread.isVirtual()) {
                return null; // fresh fork threads are virtual
            }
            int i = bucket(thread);
            lock(i);
            try {
                for (Fork<?> f = heads[i]; f != null; f = f.bucketNext) {
                    if (f.thread() == thread) {
                        return f.scope;
                    }
                }
            } finally {
                unlock(i);
            }
            return null;
        }
    }

    /**
     * Enters a fork's body on its runner thread, just before TaskFuture runs it (the body's
     * call is in TaskFuture.run's frame; this returns before it, see that class's note). Throws
     * a CancellationException, which fails the fork without running the body, if the scope
     * has shut down meanwhile.
     */
    private void enterFork(Fork<?> fork) {
        if (freshThreads) {
            // a new virtual thread: nothing to save or restore, and it can never be the owner
            // (so checkNotInOwnFork needs no frame); see the note. Entered first and left in
            // Fork.onExit, on this thread: the dependents this thread runs when it completes the
            // fork (also with the CancellationException below) may fork into the scope
            FRESH_FORK_SCOPE.enter(fork, Thread.currentThread());
        }
        if (isShutdown()) {
            // registered before the shutdown but reached by its thread only now: the body must not
            // start once the scope is cancelled (cancelAll may not have reached this fork yet)
            throw new CancellationException("TaskScope was shut down before this fork started");
        }
        if (!freshThreads) {
            RUNNING_FORK.set(new RunningFork(this, RUNNING_FORK.get(), CURRENT.get()));
            CURRENT.set(this);
        }
    }

    /** Undoes enterFork() on a thread that is not fresh, after the body returned or threw. */
    private static void leaveFork() {
        RunningFork frame = Objects.requireNonNull(RUNNING_FORK.get(), "running fork");
        if (frame.previous() == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(frame.previous());
        }
        if (frame.outer() == null) {
            RUNNING_FORK.remove();
        } else {
            RUNNING_FORK.set(frame.outer());
        }
    }

    /**
     * Fails fast where waiting for the forks would wait for the caller itself: join/close called
     * from inside one of this scope's fork bodies, which only the owner thread can do, i.e. on a
     * same-thread executor ({@code executor(Runnable::run)}).
     */
    private void checkNotInOwnFork(String operation) {
        if (freshThreads) {
            return; // its forks run on new threads, never the owner's: no frame names this scope
        }
        for (RunningFork frame = RUNNING_FORK.get(); frame != null; frame = frame.outer()) {
            if (frame.scope() == this) {
                throw new IllegalStateException("TaskScope." + operation + " called inside one of its own forks"
                        + " (the scope's executor runs forks on the owner thread): it would wait for that fork,"
                        + " i.e. for itself, forever");
            }
        }
    }

    /**
     * Records a fork's outcome and releases it; called once per fork, after it finished. Builds
     * an {@link Outcome} only when the policy needs it (not for a success, nor for the cancelled
     * forks of a scope that shut down).
     */
    private void forkExited(Node node) {
        if (!node.isCounted()) {
            return; // never counted in (born cancelled)
        }
        CompletableFuture<?> fork = node.future();
        // counted before release(), so a join that returns sees every count
        boolean cancelled = fork.isCancelled();
        boolean failed = cancelled
                ? fork instanceof TaskFuture<?> task && task.lateFailure() != null
                : fork.isCompletedExceptionally();
        (failed ? FAILED : cancelled ? CANCELLED : SUCCEEDED).getAndAdd(this, 1L);
        boolean policyCares = switch (policy) {
            case FAIL_FAST -> failed;
            case COLLECT_ALL -> false;
            case FIRST_SUCCESS -> !isShutdown();
        };
        if (policyCares) {
            applyPolicy(outcomeOf(fork), live() - 1);
        }
        release();
    }

    private static Outcome<?> outcomeOf(CompletableFuture<?> done) {
        // the common case, a success, needs no Outcome object
        Outcome<?> outcome = done.isCompletedExceptionally() ? Outcome.ofDone(done) : SUCCESS;
        if (outcome.isCancelled() && done instanceof TaskFuture<?> task && task.lateFailure() != null) {
            outcome = Outcome.failure(task.lateFailure()); // failed while being cancelled: keep it
        }
        return outcome;
    }

    /** Applies the policy to the outcome of an async fork that was already done when started. */
    private void recordDone(Outcome<?> outcome) {
        boolean policyCares = switch (policy) {
            case FAIL_FAST -> outcome instanceof Outcome.Failure<?>;
            case COLLECT_ALL -> false;
            case FIRST_SUCCESS -> !isShutdown();
        };
        if (policyCares) {
            applyPolicy(outcome, live());
        }
    }

    /**
     * Counts a registered fork out, lock-free (see the note): its outcome has been applied. The
     * exit that brings the count to 0 wakes the idle waiters.
     */
    private void release() {
        if ((((long) CTL.getAndAdd(this, -1L) - 1) & LIVE_MASK) == 0) {
            @SuppressWarnings("unchecked")
            var waiter = (CompletableFuture<Void>) IDLE_WAITER.getAndSet(this, null);
            if (waiter != null) {
                waiter.complete(null);
            }
        }
    }

    /** {@code otherLive}: the live forks besides the one whose outcome this is (for JFR). */
    private void applyPolicy(Outcome<?> outcome, int otherLive) {
        boolean cancelForks = false;
        List<TaskScope> childrenToCancel = null;
        Cancellable timer = null;
        Throwable suppress = null;
        Throwable into = null;
        Throwable ignoredAfterShutdown = null;
        Throwable failedWith = null;
        lock.lock();
        try {
            boolean shutdown = isShutdown(); // set only under the lock
            boolean shutDownNow = false;
            switch (policy) {
                case FAIL_FAST -> {
                    if (outcome instanceof Outcome.Failure<?> f) {
                        if (failure == null && shutdown) {
                            // shut down by cancel()/close()/the parent, not by a failure: what a
                            // fork throws now (typically its reaction to the interrupt) is not
                            // the scope's failure
                            ignoredAfterShutdown = f.cause();
                        } else if (failure == null) {
                            failure = f.cause();
                            failedWith = shutdown ? null : failure;
                            shutDownNow = true;
                        } else if (failure != f.cause()) {
                            suppress = f.cause();
                            into = failure;
                        }
                    }
                }
                case COLLECT_ALL -> {}
                case FIRST_SUCCESS -> {
                    if (outcome.isSuccess()) {
                        if (!succeeded && !shutdown) {
                            succeeded = true;
                            shutDownNow = true;
                        }
                    } else if (!shutdown) {
                        Objects.requireNonNull(firstSuccessFailures).add(outcome.exceptionOrNull());
                    }
                }
            }
            if (shutDownNow && setBits(SHUTDOWN)) {
                cancelForks = true;
                childrenToCancel = copy(children);
                timer = deadlineTimer;
            }
        } finally {
            lock.unlock();
        }
        if (suppress != null && into != null) {
            into.addSuppressed(suppress);
        }
        if (ignoredAfterShutdown != null) {
            LOG.debug(
                    "TaskScope: a fork failed after the scope was cancelled; not the scope's failure",
                    ignoredAfterShutdown);
        }
        if (failedWith != null && cancelForks) {
            traceFailure(failedWith, otherLive);
        }
        if (cancelForks) {
            cancelAll(childrenToCancel, timer);
        }
    }

    private static <E> List<E> copy(java.util.@Nullable Collection<E> elements) {
        return elements == null || elements.isEmpty() ? List.of() : new ArrayList<>(elements);
    }

    /**
     * Cancels every fork and the given children, outside the lock, after the shutdown bit was
     * set: the weakly consistent walk of {@code forks} sees every fork registered before the bit
     * was set; a fork registered after re-reads the bit and cancels itself (see the note).
     */
    private void cancelAll(@Nullable List<TaskScope> children, @Nullable Cancellable timer) {
        if (timer != null) {
            timer.cancel();
        }
        CancellationException reason = null; // one for every fork: no stack trace per fork
        for (Node node = head; node != null; node = node.next()) {
            if (!node.hasExited()) {
                if (node.future() instanceof TaskFuture<?> task) {
                    if (reason == null) {
                        reason = new CancellationException("TaskScope " + name() + " shut down");
                    }
                    task.cancel(true, reason);
                } else {
                    node.future().cancel(true);
                }
            }
        }
        if (children != null) {
            for (TaskScope child : children) {
                child.cancel();
            }
        }
    }

    private void expire() {
        List<TaskScope> childrenToCancel;
        TimeoutException expired;
        lock.lock();
        try {
            if (!setBits(SHUTDOWN)) {
                return;
            }
            expired = new TimeoutException("TaskScope deadline of " + deadline + " passed");
            deadlineExpired = expired;
            if (policy == Policy.FAIL_FAST && failure == null) {
                failure = expired;
            }
            childrenToCancel = copy(children);
        } finally {
            lock.unlock();
        }
        traceFailure(expired, live());
        cancelAll(childrenToCancel, null);
    }

    /** A JFR TaskScopeFailure event, only when a recording enables it (no allocation otherwise). */
    private void traceFailure(Throwable cause, int liveForks) {
        if (TaskScopeFailureEvent.enabled()) {
            var event = new TaskScopeFailureEvent();
            event.policy = policy.name();
            event.failure = cause.getClass().getName();
            event.message = cause.getMessage();
            event.liveForks = liveForks;
            event.commit();
        }
    }

    // ---------------------------------------------------------------- cancelling

    /**
     * Shuts the scope down: cancels (interrupting) every fork and every child scope; later forks
     * are born cancelled. Does not wait, and does not close the scope. Any thread may call it;
     * idempotent.
     */
    public void cancel() {
        List<TaskScope> childrenToCancel;
        Cancellable timer;
        lock.lock();
        try {
            if (!setBits(SHUTDOWN)) {
                return;
            }
            childrenToCancel = copy(children);
            timer = deadlineTimer;
        } finally {
            lock.unlock();
        }
        cancelAll(childrenToCancel, timer);
    }

    /**
     * Whether the scope has shut down (a failure under fail-fast, a success under first-success,
     * the deadline, {@link #cancel()} or {@link #close()}).
     *
     * @return {@code true} once shut down
     */
    public boolean isShutdown() {
        return (ctl & SHUTDOWN) != 0;
    }

    /**
     * How many forks have not finished yet (a cancelled fork counts until its thread has left
     * the task).
     *
     * @return the number of live forks
     */
    public int activeForks() {
        return live();
    }

    // ---------------------------------------------------------------- joining

    /**
     * Blocks until every fork has finished (under fail-fast or first-success, the first failure
     * or success cancels the others first, so this returns as soon as they have stopped), then
     * reports the scope's result. May be called more than once, e.g. after forking more.
     *
     * <p>Interruption: if the owner is interrupted while waiting, throws
     * {@link InterruptedException} and leaves the forks running; {@link #close()} then cancels
     * them.
     *
     * @throws ExecutionException under fail-fast, with the first failure as cause (later
     *     failures suppressed on it); under first-success if no fork succeeded, with an
     *     {@link AllFailedException} (or the deadline's {@link TimeoutException}); under any policy
     *     if the deadline passed first, with a {@link TimeoutException}
     * @throws InterruptedException if the owner was interrupted while waiting
     * @throws ClosedException if the scope is closed
     * @throws WrongThreadException if the caller is not the owner
     * @throws IllegalStateException if called from inside one of this scope's own forks (possible
     *     only with a same-thread executor), where it would wait for itself forever
     */
    public void joinBlocking() throws ExecutionException, InterruptedException {
        checkOwner("joinBlocking");
        checkNotInOwnFork("joinBlocking");
        if (isClosed()) {
            throw new ClosedException("TaskScope is closed: joinBlocking refused");
        }
        try {
            idleFuture().get();
        } catch (ExecutionException impossible) {
            throw new IllegalStateException(impossible);
        }
        Throwable failed = result();
        if (failed != null) {
            throw new ExecutionException(failed.getMessage(), failed);
        }
    }

    /**
     * The non-blocking form of {@code joinBlocking(); close();}: returns at once a future that completes
     * when every fork has finished, normally or with the exception {@link #joinBlocking()} would report as
     * the cause, after closing the scope. Use it when the owner must not block; afterwards
     * {@link #close()} is a no-op. Cancelling the returned future cancels the scope's forks (the
     * scope then closes once they have finished).
     *
     * @return a future completed when the scope is done and closed
     * @throws ClosedException if the scope is closed
     * @throws WrongThreadException if the caller is not the owner
     */
    public CompletableFuture<Void> joinAndClose() {
        checkOwner("joinAndClose");
        if (isClosed()) {
            throw new ClosedException("TaskScope is closed: joinAndClose refused");
        }
        CompletableFuture<Void> wait = idleFuture();
        var result = new CompletableFuture<Void>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean cancelled = super.cancel(mayInterruptIfRunning);
                if (cancelled) {
                    TaskScope.this.cancel();
                }
                return cancelled;
            }
        };
        wait.whenComplete((ignored, never) -> {
            Throwable failed = result();
            closeWhenIdle();
            if (failed == null) {
                result.complete(null);
            } else {
                result.completeExceptionally(failed);
            }
        });
        return result;
    }

    /** The failure join reports, or null. */
    private @Nullable Throwable result() {
        return switch (policy) {
            case FAIL_FAST -> failure;
            case COLLECT_ALL -> deadlineExpired;
            case FIRST_SUCCESS -> firstSuccessResult();
        };
    }

    private @Nullable Throwable firstSuccessResult() {
        lock.lock();
        try {
            return succeeded ? null : firstSuccessFailure();
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private Throwable firstSuccessFailure() {
        Throwable built = failure;
        if (built == null) { // built once, so repeated joins report the same exception
            List<Throwable> failures = List.copyOf(Objects.requireNonNull(firstSuccessFailures));
            TimeoutException expired = deadlineExpired;
            if (expired != null) {
                failures.forEach(expired::addSuppressed);
                built = expired;
            } else {
                built = new AllFailedException(
                        "no fork succeeded (" + failures.size() + " failed)",
                        failures.isEmpty() ? null : failures.get(0),
                        failures);
            }
            failure = built;
        }
        return built;
    }

    // ---------------------------------------------------------------- closing

    /**
     * Shuts the scope down and blocks until every fork has finished: forks still running are
     * cancelled (interrupted) and awaited, and child scopes still open are closed. Nothing forked
     * in this scope runs after {@code close} returns. Idempotent.
     *
     * <p>Waits even if the owner is interrupted (its interrupt status is kept). A fork that ignores
     * interruption keeps {@code close} waiting; after {@link #CLOSE_WARNING_AFTER} on the scope's
     * time source, a warning naming the count is logged.
     *
     * <p>Every running fork is interrupted before {@code close} waits for any of them, and a fork
     * whose thread had not started its body yet never starts it.
     *
     * @throws WrongThreadException if the caller is not the owner
     * @throws IllegalStateException if called from inside one of this scope's own forks (possible
     *     only with a same-thread executor), where it would wait for itself forever
     */
    @Override
    public void close() {
        if (isClosed()) {
            return;
        }
        checkOwner("close");
        checkNotInOwnFork("close");
        shutDownAndAwait();
        if (CURRENT.get() == this) {
            // innermostOpen() without re-reading CURRENT (this scope, closed); set(null), not
            // remove(): the thread's entry stays, so its next open() allocates none
            TaskScope enclosing = openFrom(parent);
            CURRENT.set(enclosing != null ? enclosing : openFrom(FRESH_FORK_SCOPE.scopeOf(Thread.currentThread())));
        }
    }

    /** close() without the owner checks: also how a closing parent closes its open children. */
    private void shutDownAndAwait() {
        if (closeIfNothingForked()) {
            return;
        }
        cancel();
        List<TaskScope> openChildren;
        lock.lock();
        try {
            setBits(CLOSED);
            openChildren = copy(children);
        } finally {
            lock.unlock();
        }
        for (TaskScope child : openChildren) {
            child.shutDownAndAwait();
        }
        awaitIdleUninterruptibly();
        detach();
    }

    /**
     * The common close of a scope that never registered a fork (forkAsync of completed stages
     * only, or nothing) and has no open child: one lock section sets SHUTDOWN and CLOSED together.
     * No thread but the owner can be forking then (a fork must come from the owner or from a fork
     * of this scope or of a child, and there is none), so no forker sees CLOSED where it would
     * have seen SHUTDOWN first.
     *
     * @return true if closed here
     */
    private boolean closeIfNothingForked() {
        Cancellable timer;
        lock.lock();
        try {
            if (head != null || (children != null && !children.isEmpty()) || live() != 0) {
                return false;
            }
            setBits(SHUTDOWN | CLOSED);
            timer = deadlineTimer;
        } finally {
            lock.unlock();
        }
        if (timer != null) {
            timer.cancel();
        }
        detach();
        return true;
    }

    private void closeWhenIdle() {
        lock.lock();
        try {
            setBits(CLOSED | SHUTDOWN);
            if (deadlineTimer != null) {
                deadlineTimer.cancel();
            }
        } finally {
            lock.unlock();
        }
        detach();
    }

    private void detach() {
        TaskScope p = parent;
        if (p != null) {
            p.removeChild(this);
        }
    }

    private void removeChild(TaskScope child) {
        lock.lock();
        try {
            if (children != null) {
                children.remove(child);
            }
        } finally {
            lock.unlock();
        }
    }

    private void awaitIdleUninterruptibly() {
        CompletableFuture<Void> wait = idleFuture();
        if (wait.isDone()) {
            return;
        }
        Cancellable warning = timeSource.schedule(
                CLOSE_WARNING_AFTER,
                () -> LOG.warn(
                        "TaskScope.close() has waited {} for {} fork(s) that ignore interruption",
                        CLOSE_WARNING_AFTER,
                        activeForks()));
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    wait.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | CancellationException impossible) {
                    break;
                }
            }
        } finally {
            warning.cancel();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- threads

    private void checkOwner(String operation) {
        Thread current = Thread.currentThread();
        if (current != owner) {
            throw new WrongThreadException(
                    "TaskScope." + operation + " must be called by the owner thread " + owner + ", not " + current);
        }
    }

    private void checkForkingThread() {
        Thread current = Thread.currentThread();
        if (current == owner) {
            return;
        }
        // the fresh-fork table first: CURRENT.get() would give a fresh fork thread a ThreadLocalMap
        if (isAncestorOf(FRESH_FORK_SCOPE.scopeOf(current)) || isAncestorOf(CURRENT.get())) {
            return;
        }
        throw new WrongThreadException("TaskScope.fork must be called by the owner thread " + owner
                + " or one of the scope's forks, not " + current);
    }

    private boolean isAncestorOf(@Nullable TaskScope innermost) {
        for (TaskScope scope = innermost; scope != null; scope = scope.parent) {
            if (scope == this) {
                return true;
            }
        }
        return false;
    }

    /**
     * The scope's name, for logs and metrics (default {@code scope@<hash>}).
     *
     * @return the name
     */
    public String name() {
        String given = name;
        if (given == null) { // racing callers build the same string
            given = Checks.defaultName("scope", this);
            name = given;
        }
        return given;
    }

    /**
     * A snapshot of the scope's forks and counters, lock-free (forks exit without the lock, see
     * {@link Stats}); allocates only the record.
     *
     * @return the stats
     */
    public Stats stats() {
        return new Stats(name(), live(), forked, forksSucceeded, forksFailed, forksCancelled, isShutdown(), isClosed());
    }

    @Override
    public String toString() {
        return "TaskScope[" + name() + ", " + policy + ", activeForks=" + activeForks() + (isClosed() ? ", closed" : "")
                + (isShutdown() ? ", shutdown" : "") + "]";
    }

    // ---------------------------------------------------------------- builder

    /**
     * Configures a {@link TaskScope}. Each setting may be given once; {@link #open()} opens a
     * scope owned by the calling thread. Not thread-safe; a builder can open several scopes.
     */
    public static final class Builder {
        private @Nullable Policy policy;
        private @Nullable Duration deadlineDuration;
        private @Nullable Instant deadlineInstant;
        private @Nullable TimeSource timeSource;
        private @Nullable Executor executor;
        private @Nullable String name;

        private Builder() {}

        /**
         * The name used in logs, {@link TaskScope#toString()} and {@link TaskScope#stats()}
         * (default {@code scope@<hash>}). Every scope this builder opens gets it.
         *
         * @param name the name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank, longer than 200 characters or
         *     holds a control character
         * @throws IllegalStateException if already set
         */
        public Builder name(String name) {
            this.name = Checks.setOnce(this.name, Checks.name(name), "name", "name");
            return this;
        }

        /**
         * Sets the policy (default {@link Policy#FAIL_FAST}).
         *
         * @param policy the policy
         * @return this builder
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if the policy was already set
         */
        public Builder policy(Policy policy) {
            this.policy = Checks.setOnce(this.policy, policy, "policy", "policy");
            return this;
        }

        /**
         * Sets a deadline relative to when the scope is opened. Zero or negative means the scope
         * opens already expired.
         *
         * @param deadline how long the scope may run
         * @return this builder
         * @throws NullPointerException if {@code deadline} is null
         * @throws IllegalStateException if a deadline was already set
         */
        public Builder deadline(Duration deadline) {
            Objects.requireNonNull(deadline, "deadline");
            checkNoDeadline();
            this.deadlineDuration = deadline;
            return this;
        }

        /**
         * Sets a deadline as an instant of the scope's time source. An instant in the past means
         * the scope opens already expired.
         *
         * @param deadline when the scope must be done
         * @return this builder
         * @throws NullPointerException if {@code deadline} is null
         * @throws IllegalStateException if a deadline was already set
         */
        public Builder deadline(Instant deadline) {
            Objects.requireNonNull(deadline, "deadline");
            checkNoDeadline();
            this.deadlineInstant = deadline;
            return this;
        }

        private void checkNoDeadline() {
            Checks.unset(deadlineDuration != null ? deadlineDuration : deadlineInstant, "deadline");
        }

        /**
         * Sets the time source of the deadline (default {@link TimeSource#system()}).
         *
         * @param timeSource the clock
         * @return this builder
         * @throws NullPointerException if {@code timeSource} is null
         * @throws IllegalStateException if the time source was already set
         */
        public Builder timeSource(TimeSource timeSource) {
            this.timeSource = Checks.setOnce(this.timeSource, timeSource, "timeSource", "timeSource");
            return this;
        }

        /**
         * Sets where {@link TaskScope#fork} runs tasks (default: a new virtual thread each).
         *
         * @param executor the executor
         * @return this builder
         * @throws NullPointerException if {@code executor} is null
         * @throws IllegalStateException if the executor was already set
         */
        public Builder executor(Executor executor) {
            this.executor = Checks.setOnce(this.executor, executor, "executor", "executor");
            return this;
        }

        /**
         * Opens the scope, owned by the current thread. If the current thread is inside another
         * open scope, the new scope is its child.
         *
         * @return the open scope
         */
        public TaskScope open() {
            return new TaskScope(this).start();
        }
    }
}
