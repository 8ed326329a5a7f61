package dev.asyncpatterns.core.internal;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The runner waits out INTERRUPTING with Thread.yield(), as FutureTask does, not a spin: the
 * canceller may be a thread the runner's carrier competes with (closing a scope interrupts
 * 100,000 forks while they wake up on two carriers).
 *
 * The exit hook runs exactly once, when the task can no longer touch anything: after run()
 * finished, or at cancel/reject time if it never started. TaskScope uses it to count live forks
 * (the future being done is not enough: a cancelled task may still be running).
 */
/** A really cancellable task: {@code cancel(true)} interrupts the running thread. */
public final class TaskFuture<T> extends CompletableFuture<T> implements Runnable {

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int FINISHED = 2;
    private static final int INTERRUPTING = 3;
    private static final int INTERRUPTED = 4;

    private final AtomicInteger state = new AtomicInteger(NEW);
    private final AtomicInteger exited = new AtomicInteger();
    private volatile @Nullable Callable<? extends T> callable;
    private volatile @Nullable Thread runner;
    private volatile @Nullable Throwable lateFailure;
    private final @Nullable Runnable exitHook;
    private final @Nullable Runnable cancelledBeforeStart;
    private final CapturedContext context;

    public TaskFuture(Callable<? extends T> callable) {
        this(callable, null, null);
    }

    /**
     * @param exitHook runs once the task can no longer run or is done running (may be null)
     * @param cancelledBeforeStart runs when cancelled before it started, e.g. to remove it from a
     *     pool's queue (may be null)
     */
    public TaskFuture(
            Callable<? extends T> callable, @Nullable Runnable exitHook, @Nullable Runnable cancelledBeforeStart) {
        this.callable = Objects.requireNonNull(callable, "task");
        this.exitHook = exitHook;
        this.cancelledBeforeStart = cancelledBeforeStart;
        this.context = CapturedContext.capture(); // the submitting thread's request context
    }

    /** Hands the task to {@code executor}; a rejection fails this future with the exception. */
    public TaskFuture<T> startOn(java.util.concurrent.Executor executor) {
        try {
            executor.execute(this);
        } catch (RuntimeException | Error rejected) {
            if (state.compareAndSet(NEW, FINISHED)) {
                callable = null;
                completeExceptionally(rejected);
                exit();
            }
        }
        return this;
    }

    @Override
    @SuppressWarnings("ThreadPriorityCheck") // Thread.yield while a canceller interrupts us, exactly as FutureTask does
    public void run() {
        if (state.get() != NEW) {
            return;
        }
        runner = Thread.currentThread();
        if (!state.compareAndSet(NEW, RUNNING)) {
            runner = null;
            return;
        }
        CapturedContext.Scope restored = context.restore();
        try {
            // non-null: only the NEW -> FINISHED transitions and this run's own exit clear it
            Callable<? extends T> task = Objects.requireNonNull(callable, "callable");
            if (!isDone()) {
                complete(task.call());
            }
        } catch (Throwable failure) {
            if (!completeExceptionally(failure) && !isCancellationNoise(failure)) {
                lateFailure = failure;
            }
        } finally {
            restored.close();
            callable = null;
            if (!state.compareAndSet(RUNNING, FINISHED)) {
                while (state.get() == INTERRUPTING) {
                    Thread.yield(); // as FutureTask: never burn a carrier the canceller needs, see the note
                }
                Thread.interrupted(); // clear our cancellation interrupt, see the note
            }
            runner = null;
            exit();
        }
    }

    /**
     * Cancels the future; with {@code mayInterruptIfRunning} also interrupts the thread running
     * the task, if it is running.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (!cancelled) {
            return isCancelled();
        }
        if (state.compareAndSet(NEW, FINISHED)) {
            callable = null;
            if (cancelledBeforeStart != null) {
                cancelledBeforeStart.run();
            }
            exit();
        } else if (mayInterruptIfRunning && state.compareAndSet(RUNNING, INTERRUPTING)) {
            try {
                Thread thread = runner;
                if (thread != null) {
                    thread.interrupt();
                }
            } finally {
                state.set(INTERRUPTED);
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

    private void exit() {
        if (exitHook != null && exited.compareAndSet(0, 1)) {
            exitHook.run();
        }
    }

    @Override
    public String toString() {
        return "Task" + super.toString();
    }
}
