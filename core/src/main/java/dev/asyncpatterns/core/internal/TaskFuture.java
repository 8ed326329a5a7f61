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
 * State word (an int VarHandle field; the run state in its low bits), FutureTask-style:
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
 *
 * Footprint (issue 20: a TaskScope fork is one of these plus three fields, 40 B): the state
 * word also holds the EXITED bit (set once, after the run state is final) and the FRESH bit
 * (constant); the transitions CAS only the run state, and the other bits never change while the
 * run state is NEW or RUNNING, so they cannot make a transition's CAS fail. One slot holds, in
 * turn: the task (the bare Callable, or a WithContext pair when a captured context must be
 * restored or when the task object is itself a Thread, so that a bare Thread in the slot is
 * always the runner); the runner thread, swapped in by the winner of NEW -> RUNNING (only it
 * touches the slot then); the late failure (or null), written before RUNNING -> FINISHED. A
 * canceller that moved RUNNING -> INTERRUPTING has completed the future first, then reads the
 * slot: the task (the runner has not swapped yet, and its isDone() check after the swap sees
 * the cancellation: the body never starts), the runner (interrupted) or, once the body is over,
 * no thread (nobody to interrupt). lateFailure() reads the slot only after the exit.
 *
 * Stack depth: run() calls the task in its own frame; the subclass hooks beforeBody() and
 * afterBody() are called, and return, before and after it. While the body blocks on a virtual
 * thread only run()'s frame sits between VirtualThread.run and the body, and every frame there is
 * copied into the stack chunk of every fork that parks (issue 20: three frames there cost a
 * parked TaskScope fork ~100-300 B more than a StructuredTaskScope subtask).
 */
/**
 * A really cancellable task: {@code cancel(true)} interrupts the running thread. Subclassed only
 * where the task object is also the owner's own bookkeeping (TaskScope's fork is one object per
 * fork: this future, the Runnable and the scope's list node), through {@link #beforeBody}, {@link #afterBody} and
 * {@link #onExit}.
 */
public class TaskFuture<T> extends CompletableFuture<T> implements Runnable {

    private static final CapturedContext.Scope NOTHING_RESTORED = () -> {};

    // the run state, in the low bits of the state word
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int FINISHED = 2;
    private static final int INTERRUPTING = 3;
    private static final int INTERRUPTED = 4;
    private static final int RUN_MASK = 7;
    /** Set once by exit(), after the run state is final. */
    private static final int EXITED = 8;
    /** Constant: the task runs on a new thread that inherits nothing (see the constructor). */
    private static final int FRESH = 16;
    /** Spins on INTERRUPTING before yielding; see the note. */
    private static final int INTERRUPT_SPINS = 128;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(TaskFuture.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A task and the context to restore around it (when not empty, or when the task is a Thread). */
    private record WithContext(Callable<?> task, CapturedContext context) {}

    // VarHandle fields, not AtomicIntegers, and merged (see the note): a scope forks one per task
    private volatile int state; // run state NEW, not exited

    /** The task (a Callable or a WithContext), then the runner, then the late failure or null. */
    private volatile @Nullable Object slot;

    public TaskFuture(Callable<? extends T> callable) {
        this(callable, false);
    }

    /**
     * Hooks are methods ({@link #beforeBody}, {@link #afterBody}, {@link #onExit},
     * {@link #onCancelledBeforeStart}) a subclass overrides, not fields: a task without hooks
     * carries none (issue 20, one object per scope fork).
     *
     * @param freshThread whether the executor runs this task on a new thread that inherits no
     *     thread-locals (Tasks.virtualThreads()): then an empty context needs no restore, which
     *     would allocate the MDC's thread-local map on that thread only to find it empty
     */
    public TaskFuture(Callable<? extends T> callable, boolean freshThread) {
        Objects.requireNonNull(callable, "task");
        CapturedContext context = CapturedContext.capture(); // the submitting thread's request context
        // a task that is a Thread is wrapped too: a bare Thread in the slot is the runner
        this.slot = context.isEmpty() && !(callable instanceof Thread) ? callable : new WithContext(callable, context);
        this.state = freshThread ? NEW | FRESH : NEW;
    }

    /** Hands the task to {@code executor}; a rejection fails this future with the exception. */
    public TaskFuture<T> startOn(java.util.concurrent.Executor executor) {
        try {
            executor.execute(this);
        } catch (RuntimeException | Error rejected) {
            if (casRunState(NEW, FINISHED)) {
                slot = null;
                completeExceptionally(rejected);
                exit();
            }
        }
        return this;
    }

    /** CASes the run state from {@code expect} to {@code update}, keeping the other bits. */
    private boolean casRunState(int expect, int update) {
        int s = state;
        return (s & RUN_MASK) == expect && STATE.compareAndSet(this, s, (s & ~RUN_MASK) | update);
    }

    @Override
    @SuppressWarnings("unchecked") // the slot holds the constructor's Callable<? extends T>
    public void run() {
        if (!casRunState(NEW, RUNNING)) {
            return; // already run, running (a second run() of the same task) or cancelled
        }
        // non-null: only the NEW -> FINISHED transitions clear it; the winner of NEW -> RUNNING
        // is the only thread that touches the slot until the body is over, see the note
        Object taken = Objects.requireNonNull(slot, "task");
        slot = Thread.currentThread();
        Callable<? extends T> task;
        CapturedContext.Scope restored;
        if (taken instanceof WithContext withContext) {
            task = (Callable<? extends T>) withContext.task();
            CapturedContext context = withContext.context();
            restored = (state & FRESH) != 0 && context.isEmpty() ? NOTHING_RESTORED : context.restore();
        } else {
            task = (Callable<? extends T>) taken;
            // an empty context: restored (clearing what the thread has) unless the thread is fresh
            restored = (state & FRESH) != 0
                    ? NOTHING_RESTORED
                    : CapturedContext.empty().restore();
        }
        Throwable late = null;
        try {
            if (!isDone()) {
                beforeBody();
                T value;
                try {
                    value = task.call(); // in this frame, see the note (stack depth)
                } finally {
                    afterBody();
                }
                complete(value);
            }
        } catch (Throwable failure) {
            if (!completeExceptionally(failure) && !isCancellationNoise(failure)) {
                late = failure;
            }
        } finally {
            restored.close();
            slot = late; // the runner leaves the slot before FINISHED, see the note
            if (!casRunState(RUNNING, FINISHED)) {
                waitOutInterrupt();
            }
            exit();
        }
    }

    /** The runner, cancelled while running: waits until the canceller's interrupt is done. */
    @SuppressWarnings("ThreadPriorityCheck") // Thread.yield while a canceller interrupts us, exactly as FutureTask does
    private void waitOutInterrupt() {
        for (int spins = 0; (state & RUN_MASK) == INTERRUPTING; spins++) {
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
        if (casRunState(NEW, FINISHED)) {
            slot = null;
            onCancelledBeforeStart();
            exit();
        } else if (mayInterruptIfRunning && casRunState(RUNNING, INTERRUPTING)) {
            try {
                if (slot instanceof Thread thread) { // the runner, unless the body is over
                    thread.interrupt();
                }
            } finally {
                // only this canceller changes the state word while it is INTERRUPTING
                state = (state & ~RUN_MASK) | INTERRUPTED;
            }
        }
        return true;
    }

    /**
     * A failure the task body threw after the future had been cancelled (e.g. cleanup that failed
     * while handling the interrupt), or null. Exceptions that are just the effect of the
     * interrupt are not recorded. Read it after the exit hook ran (null before).
     */
    public @Nullable Throwable lateFailure() {
        // before the exit the slot may still hold the task, which a caller must not see
        return isExited() && slot instanceof Throwable late ? late : null;
    }

    /**
     * Whether the exit hook has run (or is running): the task can no longer touch anything.
     *
     * @return true once exited
     */
    protected final boolean isExited() {
        return (state & EXITED) != 0;
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
     * Runs on the runner thread just before the task body, in the run state RUNNING, unless the
     * future is already done (cancelled meanwhile). May throw to keep the body from running: the
     * exception completes this future as the body's would (e.g. a CancellationException). A
     * subclass may record which thread runs which task here. Does nothing unless overridden.
     *
     * @throws Exception to fail the task without running its body
     */
    protected void beforeBody() throws Exception {}

    /**
     * Runs on the runner thread right after the task body returned or threw (only if
     * {@link #beforeBody} returned normally), before this future is completed with the body's
     * outcome. Must not throw. Does nothing unless overridden.
     */
    protected void afterBody() {}

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
        return slot instanceof Thread thread ? thread : null; // a task is never a bare Thread there
    }

    private void exit() {
        int s;
        do {
            s = state;
            if ((s & EXITED) != 0) {
                return;
            }
        } while (!STATE.compareAndSet(this, s, s | EXITED));
        onExit();
    }

    @Override
    public String toString() {
        return "Task" + super.toString();
    }
}
