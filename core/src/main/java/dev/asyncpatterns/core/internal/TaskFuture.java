package dev.asyncpatterns.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * A CompletableFuture that is also the Runnable handed to the executor, so cancel(true) can
 * interrupt the thread running the task (plain CompletableFuture.cancel ignores its argument).
 *
 * State word (AtomicInteger), FutureTask-style:
 *   NEW --run()--> RUNNING --task returns--> FINISHED
 *   NEW --cancel--> FINISHED                  (never runs; exit hook fires at cancel time)
 *   RUNNING --cancel(true)--> INTERRUPTING --interrupt()--> INTERRUPTED
 *
 * The future is completed (by the task or by cancel) BEFORE the state leaves RUNNING, so:
 * - cancel after the task completed the future: super.cancel fails, nobody is interrupted;
 * - cancel wins: the task's complete() is a no-op; if the runner already reached FINISHED it is
 *   not interrupted, otherwise it is interrupted exactly once, and before it exits run() it waits
 *   for INTERRUPTED and clears the flag, so a pooled thread never carries our interrupt into its
 *   next task.
 *
 * Context: the constructor (on the submitting thread) captures the request context; run()
 * restores it around the task and the completion of this future (so same-thread dependents see
 * it too) and puts the runner's own context back before the exit hook.
 *
 * Late failures: a task that throws after its future was cancelled keeps that exception as
 * lateFailure unless it is the interrupt's own effect (isCancellationNoise): InterruptedException,
 * InterruptedIOException, ClosedByInterruptException, CancellationException, or any IOException
 * thrown while the runner's interrupt status is still set (socket I/O on a virtual thread).
 *
 * The runner waits out INTERRUPTING with a short bounded spin (the canceller is usually inside
 * Thread.interrupt() on another carrier, done within microseconds), then with Thread.yield(), as
 * FutureTask does, not an endless spin: the canceller may be a thread the runner's carrier
 * competes with (closing a scope interrupts 100,000 forks while they wake up on two carriers).
 * The spin first because a virtual thread's yield unmounts it, which allocates (a scope's
 * cancelled forks measured ~100-270 B more each when they all yielded).
 *
 * The exit hook runs exactly once, when the task can no longer touch anything: after run()
 * finished, or at cancel/reject time if it never started. TaskScope uses it to count live forks
 * (the future being done is not enough: a cancelled task may still be running).
 */
/**
 * A really cancellable task: {@code cancel(true)} interrupts the running thread. Subclassed only
 * where the task object is also the owner's own bookkeeping (TaskScope's fork is one object per
 * fork: this future, the Runnable and the scope's list node), through {@link #invoke} and
 * {@link #onExit}.
 */
public class TaskFuture<T> extends CompletableFuture<T> implements Runnable {

    private static final CapturedContext.Scope NOTHING_RESTORED = () -> {};

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int FINISHED = 2;
    private static final int INTERRUPTING = 3;
    private static final int INTERRUPTED = 4;
    /** Spins on INTERRUPTING before yielding; see the note. */
    private static final int INTERRUPT_SPINS = 128;

    private static final VarHandle STATE;
    private static final VarHandle EXITED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(TaskFuture.class, "state", int.class);
            EXITED = lookup.findVarHandle(TaskFuture.class, "exited", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // VarHandle fields, not AtomicIntegers: 32 B less per task (a scope forks one per task)
    private volatile int state; // NEW

    @SuppressWarnings("UnusedVariable") // read and written through EXITED
    private volatile boolean exited;

    private volatile @Nullable Callable<? extends T> callable;
    private volatile @Nullable Thread runner;
    private volatile @Nullable Throwable lateFailure;
    private final CapturedContext context;
    private final boolean freshThread;

    public TaskFuture(Callable<? extends T> callable) {
        this(callable, false);
    }

    /**
     * Hooks are methods ({@link #onExit}, {@link #onCancelledBeforeStart}) a subclass overrides,
     * not fields: a task without hooks carries none (issue 20, one object per scope fork).
     *
     * @param freshThread whether the executor runs this task on a new thread that inherits no
     *     thread-locals (Tasks.virtualThreads()): then an empty context needs no restore, which
     *     would allocate the MDC's thread-local map on that thread only to find it empty
     */
    public TaskFuture(Callable<? extends T> callable, boolean freshThread) {
        this.callable = Objects.requireNonNull(callable, "task");
        this.freshThread = freshThread;
        this.context = CapturedContext.capture(); // the submitting thread's request context
    }

    /** Hands the task to {@code executor}; a rejection fails this future with the exception. */
    public TaskFuture<T> startOn(java.util.concurrent.Executor executor) {
        try {
            executor.execute(this);
        } catch (RuntimeException | Error rejected) {
            if (STATE.compareAndSet(this, NEW, FINISHED)) {
                callable = null;
                completeExceptionally(rejected);
                exit();
            }
        }
        return this;
    }

    @Override
    public void run() {
        if (state != NEW) {
            return;
        }
        runner = Thread.currentThread();
        if (!STATE.compareAndSet(this, NEW, RUNNING)) {
            runner = null;
            return;
        }
        CapturedContext.Scope restored = freshThread && context.isEmpty() ? NOTHING_RESTORED : context.restore();
        try {
            // non-null: only the NEW -> FINISHED transitions and this run's own exit clear it
            Callable<? extends T> task = Objects.requireNonNull(callable, "callable");
            if (!isDone()) {
                complete(invoke(task));
            }
        } catch (Throwable failure) {
            if (!completeExceptionally(failure) && !isCancellationNoise(failure)) {
                lateFailure = failure;
            }
        } finally {
            restored.close();
            callable = null;
            if (!STATE.compareAndSet(this, RUNNING, FINISHED)) {
                waitOutInterrupt();
            }
            runner = null;
            exit();
        }
    }

    /** The runner, cancelled while running: waits until the canceller's interrupt is done. */
    @SuppressWarnings("ThreadPriorityCheck") // Thread.yield while a canceller interrupts us, exactly as FutureTask does
    private void waitOutInterrupt() {
        for (int spins = 0; state == INTERRUPTING; spins++) {
            if (spins < INTERRUPT_SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // as FutureTask: never burn a carrier the canceller needs, see the note
            }
        }
        Thread.interrupted(); // clear our cancellation interrupt, see the note
    }

    /**
     * Cancels the future; with {@code mayInterruptIfRunning} also interrupts the thread running
     * the task, if it is running.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return cancel(mayInterruptIfRunning, null);
    }

    /**
     * {@link #cancel(boolean)} that completes this future with {@code reason} (when not null)
     * instead of a new CancellationException: an owner cancelling many tasks at once (a scope's
     * shutdown) shares one exception and does not fill in a stack trace per task.
     */
    public boolean cancel(boolean mayInterruptIfRunning, @Nullable CancellationException reason) {
        boolean cancelled = reason == null ? super.cancel(mayInterruptIfRunning) : completeExceptionally(reason);
        if (!cancelled) {
            return isCancelled();
        }
        if (STATE.compareAndSet(this, NEW, FINISHED)) {
            callable = null;
            onCancelledBeforeStart();
            exit();
        } else if (mayInterruptIfRunning && STATE.compareAndSet(this, RUNNING, INTERRUPTING)) {
            try {
                Thread thread = runner;
                if (thread != null) {
                    thread.interrupt();
                }
            } finally {
                state = INTERRUPTED;
            }
        }
        return true;
    }

    /**
     * A failure the task body threw after the future had been cancelled (e.g. cleanup that failed
     * while handling the interrupt), or null. Exceptions that are just the effect of the
     * interrupt are not recorded. Read it after the exit hook ran.
     */
    public @Nullable Throwable lateFailure() {
        return lateFailure;
    }

    private static boolean isCancellationNoise(Throwable failure) {
        return failure instanceof InterruptedException
                || failure instanceof java.io.InterruptedIOException
                || failure instanceof java.nio.channels.ClosedByInterruptException
                || failure instanceof java.util.concurrent.CancellationException
                // blocking socket I/O on a virtual thread answers the interrupt by closing the
                // socket and throwing SocketException("Closed by interrupt") with the interrupt
                // status still set (issue 21); an I/O exception thrown while our interrupt is
                // pending is its effect, not a failure of the task
                || (failure instanceof java.io.IOException
                        && Thread.currentThread().isInterrupted());
    }

    /**
     * Runs the task on the runner thread (run() completes this future with the result). A
     * subclass may wrap the call, e.g. to record which thread runs which task.
     *
     * @param task the task given to the constructor
     * @return the task's result
     * @throws Exception the task's exception
     */
    protected T invoke(Callable<? extends T> task) throws Exception {
        return task.call();
    }

    /**
     * The exit hook: runs exactly once, when the task can no longer touch anything (after run()
     * finished, or at cancel/reject time if it never started). Does nothing unless overridden;
     * TaskScope counts its live forks here (the future being done is not enough: a cancelled
     * task may still be running).
     */
    protected void onExit() {}

    /**
     * Runs when the task is cancelled before it started, on the cancelling thread, e.g. to remove
     * it from a pool's queue. Does nothing unless overridden.
     */
    protected void onCancelledBeforeStart() {}

    /**
     * The thread running the task, or null before and after it runs.
     *
     * @return the runner thread or null
     */
    protected final @Nullable Thread runnerThread() {
        return runner;
    }

    private void exit() {
        if (EXITED.compareAndSet(this, false, true)) {
            onExit();
        }
    }

    @Override
    public String toString() {
        return "Task" + super.toString();
    }
}
