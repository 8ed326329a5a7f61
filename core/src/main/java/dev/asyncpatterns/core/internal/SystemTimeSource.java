package dev.asyncpatterns.core.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * Two stages, two locks, no thread per timer.
 *
 * 1. The timer. A binary min-heap of Timer nodes ordered by (deadline, sequence), guarded by
 *    heapLock. Each node knows its heap index, so cancel() removes it at once in O(log n): a
 *    cancelled timeout (the common case: every withTimeout that succeeds cancels one) holds no
 *    memory, and the heap array shrinks when it is mostly empty. One daemon platform thread (the
 *    timer thread, started on the first schedule) sleeps on a Condition until the earliest
 *    deadline, pops every due node and appends them, as one batch, to the ready list. It never
 *    runs user code: the only things it runs itself are internal "kick" nodes (retry a hand-off).
 *
 * 2. The runners. Due nodes wait in an intrusive FIFO list (Timer.next), guarded by readyLock,
 *    for runner virtual threads. A runner takes one node at a time, claims it (CAS SCHEDULED ->
 *    STARTED; a cancelled node fails the CAS and is skipped), and runs its task outside every lock
 *    with the scheduler's captured context restored. Idle runners park for a while, then exit.
 *
 *    A blocking task must not hold up other timers, and we cannot know in advance which task
 *    blocks. The rule ("keep one spare"): whenever the ready list is non-empty, at least one
 *    runner is on its way to it (spare > 0) or taking from it. Appending a batch wakes an idle
 *    runner or starts a new one unless a spare is already on its way; a runner that takes a node
 *    while more wait does the same before running its task. So a runner stuck in a task never
 *    strands the nodes behind it (the spare takes the next one and hands on in turn), while a
 *    burst of short tasks is drained by a few reused runners instead of one thread each.
 *
 *    Starting a runner can fail (a thread factory that returns null or throws, out of memory).
 *    Then the spare count is undone and an internal kick node is scheduled 10 ms later; the timer
 *    thread runs it and tries again. Nothing is lost; the tasks run late.
 *
 * Cancellation races: a node's state word is SCHEDULED, CANCELLED or STARTED, changed by CAS
 * only. cancel() wins iff it moves SCHEDULED -> CANCELLED, then removes the node from the heap if
 * it is still there (index >= 0 under heapLock); a node already moved to the ready list is simply
 * skipped by the runner that finds it.
 *
 * Context: schedule() captures the caller's request context; the runner restores it around the
 * task (so around the dependents of delay(), which the task completes). An empty capture still
 * clears what a previous task may have left on the reused runner. No thread here inherits
 * InheritableThreadLocals.
 *
 * Memory effects: the node is published to the timer thread under heapLock and to the runner
 * under readyLock, so actions before schedule() happen-before the task runs.
 */
/** The {@link TimeSource#system()} implementation. Not part of the API. */
public final class SystemTimeSource implements TimeSource {

    /** The shared instance. */
    public static final SystemTimeSource INSTANCE = new SystemTimeSource(
            "async-patterns-timer",
            Thread.ofVirtual()
                    .name("async-patterns-timer-task")
                    .inheritInheritableThreadLocals(false)
                    .factory());

    private static final Logger LOG = LoggerFactory.getLogger(SystemTimeSource.class);

    /** Delays are capped here (about 73 years) so that deadline arithmetic never overflows. */
    private static final long MAX_DELAY_NANOS = Long.MAX_VALUE >> 2;

    /** How long an idle runner waits for more work before it exits. */
    private static final long RUNNER_IDLE_NANOS = 2_000_000_000L;

    /** How long after a failed runner start the hand-off is tried again. */
    private static final long RETRY_NANOS = 10_000_000L;

    private static final int SCHEDULED = 0;
    private static final int CANCELLED = 1;
    private static final int STARTED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Timer.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final ThreadFactory runnerFactory;

    private final ReentrantLock heapLock = new ReentrantLock();
    private final Condition due = heapLock.newCondition();

    @GuardedBy("heapLock")
    private Timer[] heap = new Timer[64];

    @GuardedBy("heapLock")
    private int size;

    @GuardedBy("heapLock")
    private long sequence;

    @GuardedBy("heapLock")
    private @Nullable Thread timerThread;

    @GuardedBy("heapLock")
    private boolean stopped;

    private final ReentrantLock readyLock = new ReentrantLock();

    @GuardedBy("readyLock")
    private @Nullable Timer readyHead;

    @GuardedBy("readyLock")
    private @Nullable Timer readyTail;

    @GuardedBy("readyLock")
    private final ArrayDeque<Runner> idle = new ArrayDeque<>();

    @GuardedBy("readyLock")
    private int spare;

    @GuardedBy("readyLock")
    private int runners;

    @GuardedBy("readyLock")
    private boolean retryPending;

    /**
     * A time source with its own timer thread, for tests of this class; production code uses
     * {@link #INSTANCE}.
     *
     * @param name the timer thread's name
     * @param runnerFactory where the threads that run due tasks come from
     */
    public SystemTimeSource(String name, ThreadFactory runnerFactory) {
        this.name = Objects.requireNonNull(name, "name");
        this.runnerFactory = Objects.requireNonNull(runnerFactory, "runnerFactory");
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        Timer timer = new Timer(task, CapturedContext.capture(), false);
        add(timer, Durations.toNanosSaturated(delay));
        return timer;
    }

    /**
     * As {@link TimeSource#delay}, with one node and one future per call. The future is completed
     * by a runner thread (never the timer thread), with the caller's context restored, so its
     * dependents run there.
     */
    @Override
    public CompletableFuture<Void> delay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        DelayFuture result = new DelayFuture();
        Timer timer = new Timer(result, CapturedContext.capture(), false);
        result.timer = timer;
        add(timer, Durations.toNanosSaturated(delay));
        return result;
    }

    /**
     * Timers scheduled and neither due nor cancelled (for tests and diagnostics).
     *
     * @return the number of timers in the heap
     */
    public int pendingTimers() {
        heapLock.lock();
        try {
            return size;
        } finally {
            heapLock.unlock();
        }
    }

    /**
     * The length of the heap's array (for tests: memory stays bounded after mass cancellation).
     *
     * @return the heap capacity
     */
    public int heapCapacity() {
        heapLock.lock();
        try {
            return heap.length;
        } finally {
            heapLock.unlock();
        }
    }

    /**
     * Runner threads alive now, idle or busy (for tests and diagnostics).
     *
     * @return the number of runners
     */
    public int runners() {
        readyLock.lock();
        try {
            return runners;
        } finally {
            readyLock.unlock();
        }
    }

    /**
     * Runner threads parked waiting for work now (for tests and diagnostics).
     *
     * @return the number of idle runners
     */
    public int idleRunners() {
        readyLock.lock();
        try {
            return idle.size();
        } finally {
            readyLock.unlock();
        }
    }

    /**
     * Stops the timer thread and drops every pending timer. For instances made by tests; the shared
     * {@link #INSTANCE} lives as long as the JVM (its thread is a daemon).
     */
    public void shutdownNow() {
        if (this == INSTANCE) {
            throw new UnsupportedOperationException("the shared system time source cannot be shut down");
        }
        heapLock.lock();
        try {
            stopped = true;
            for (int i = 0; i < size; i++) {
                heap[i].index = -1;
                heap[i] = null;
            }
            size = 0;
            due.signal();
        } finally {
            heapLock.unlock();
        }
    }

    @Override
    public String toString() {
        return this == INSTANCE ? "TimeSource.system()" : "SystemTimeSource[" + name + "]";
    }

    // ---------------------------------------------------------------- the timer

    private void add(Timer timer, long delayNanos) {
        long nanos = Math.min(Math.max(0, delayNanos), MAX_DELAY_NANOS);
        heapLock.lock();
        try {
            if (stopped) {
                throw new IllegalStateException(this + " is shut down: schedule refused");
            }
            timer.deadline = System.nanoTime() + nanos;
            timer.seq = sequence++;
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            siftUp(size++, timer);
            if (timer.index == 0) {
                if (timerThread == null) {
                    startTimerThread();
                }
                due.signal();
            }
        } finally {
            heapLock.unlock();
        }
    }

    @GuardedBy("heapLock")
    private void startTimerThread() {
        Thread thread = Thread.ofPlatform()
                .daemon()
                .name(name)
                .inheritInheritableThreadLocals(false)
                .unstarted(this::timerLoop);
        thread.start();
        timerThread = thread;
    }

    /** Removes a cancelled timer from the heap if it is still there. */
    private void remove(Timer timer) {
        heapLock.lock();
        try {
            int i = timer.index;
            if (i >= 0) {
                removeAt(i);
                shrink();
            }
        } finally {
            heapLock.unlock();
        }
    }

    private void timerLoop() {
        while (true) {
            Timer batchHead = null;
            Timer batchTail = null;
            Timer kicks = null;
            heapLock.lock();
            try {
                while (true) {
                    if (stopped) {
                        return;
                    }
                    if (size > 0) {
                        long wait = heap[0].deadline - System.nanoTime();
                        if (wait <= 0) {
                            break;
                        }
                        due.awaitNanos(wait);
                    } else {
                        due.await();
                    }
                }
                long now = System.nanoTime();
                while (size > 0 && heap[0].deadline - now <= 0) {
                    Timer t = heap[0];
                    removeAt(0);
                    if (t.internal) {
                        t.next = kicks;
                        kicks = t;
                    } else if (batchTail == null) {
                        batchHead = t;
                        batchTail = t;
                    } else {
                        batchTail.next = t;
                        batchTail = t;
                    }
                }
                shrink();
            } catch (InterruptedException ignored) {
                continue; // nobody interrupts this thread on purpose: look again
            } finally {
                heapLock.unlock();
            }
            try {
                if (batchHead != null) {
                    handOff(batchHead, batchTail);
                }
                for (Timer k = kicks; k != null; k = k.next) {
                    handOff(null, null);
                }
            } catch (Throwable failure) { // our own code only; keep the timer alive
                LOG.error("{}: hand-off failed; retrying", this, failure);
                retryLater();
                if (failure instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
            }
        }
    }

    // ---------------------------------------------------------------- the runners

    /** Appends a chain of due timers (may be empty) and makes sure a runner is on its way. */
    private void handOff(@Nullable Timer head, @Nullable Timer tail) {
        Runner start;
        readyLock.lock();
        try {
            if (head != null) {
                if (readyTail == null) {
                    readyHead = head;
                } else {
                    readyTail.next = head;
                }
                readyTail = tail;
            } else {
                retryPending = false;
            }
            start = readyHead == null ? null : wakeSpare();
        } finally {
            readyLock.unlock();
        }
        start(start);
    }

    /** Lock held: wakes an idle runner or returns a new one to start, unless a spare is on its way. */
    @GuardedBy("readyLock")
    private @Nullable Runner wakeSpare() {
        if (spare > 0) {
            return null;
        }
        spare++;
        Runner r = idle.pollLast();
        if (r != null) {
            r.woken = true;
            LockSupport.unpark(r.thread);
            return null;
        }
        runners++;
        return new Runner();
    }

    /** Starts a runner (no lock held); on failure undoes its accounting and retries later. */
    private void start(@Nullable Runner runner) {
        if (runner == null) {
            return;
        }
        Throwable failure = null;
        try {
            Thread thread = runnerFactory.newThread(runner);
            if (thread == null) {
                failure = new IllegalStateException("thread factory returned null");
            } else {
                runner.thread = thread;
                thread.start();
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        if (failure == null) {
            return;
        }
        readyLock.lock();
        try {
            spare--;
            runners--;
        } finally {
            readyLock.unlock();
        }
        LOG.warn("{}: could not start a timer task runner; due tasks wait for a retry", this, failure);
        retryLater();
        if (failure instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    private void retryLater() {
        readyLock.lock();
        try {
            if (retryPending) {
                return;
            }
            retryPending = true;
        } finally {
            readyLock.unlock();
        }
        try {
            add(new Timer(() -> {}, CapturedContext.empty(), true), RETRY_NANOS);
        } catch (IllegalStateException shutDown) {
            LOG.debug("{}: shut down, no retry", this);
        }
    }

    @GuardedBy("readyLock")
    private @Nullable Timer pollReady() {
        Timer t = readyHead;
        if (t != null) {
            readyHead = t.next;
            if (readyHead == null) {
                readyTail = null;
            }
            t.next = null;
        }
        return t;
    }

    /** A thread that runs due tasks, one at a time, and parks when there are none. */
    private final class Runner implements Runnable {
        @SuppressWarnings("NullAway.Init") // set by start() before the thread runs; never read before
        Thread thread;

        boolean woken; // guarded by readyLock: set by wakeSpare, cleared by awaitWork

        boolean arriving = true; // guarded by readyLock: counted in 'spare' until its first look at the list

        @Override
        public void run() {
            boolean idledOut = false;
            try {
                idledOut = drain();
            } finally {
                exit(idledOut);
            }
        }

        /** Runs due tasks until idle too long (true); a VirtualMachineError propagates. */
        private boolean drain() {
            readyLock.lock();
            try {
                while (true) {
                    if (arriving) {
                        spare--;
                        arriving = false;
                    }
                    Timer t = pollReady();
                    if (t != null) {
                        Runner next = readyHead == null ? null : wakeSpare();
                        readyLock.unlock();
                        try {
                            start(next);
                            runTask(t);
                        } finally {
                            readyLock.lock();
                        }
                        continue;
                    }
                    if (!awaitWork()) {
                        return true;
                    }
                    arriving = true;
                }
            } finally {
                readyLock.unlock();
            }
        }

        private void exit(boolean idledOut) {
            Runner helper = null;
            readyLock.lock();
            try {
                runners--;
                if (!idledOut) { // dying of a VirtualMachineError: leave no due task stranded
                    if (arriving) {
                        spare--;
                        arriving = false;
                    }
                    helper = readyHead == null ? null : wakeSpare();
                }
            } finally {
                readyLock.unlock();
            }
            start(helper);
        }

        /** Lock held: parks until woken (true) or idle too long (false, and no longer idle). */
        @GuardedBy("SystemTimeSource.this.readyLock")
        private boolean awaitWork() {
            woken = false;
            idle.addLast(this);
            long deadline = System.nanoTime() + RUNNER_IDLE_NANOS;
            while (!woken) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    idle.remove(this);
                    return false;
                }
                readyLock.unlock();
                try {
                    LockSupport.parkNanos(this, left);
                } finally {
                    readyLock.lock();
                }
            }
            return true;
        }

        private void runTask(Timer t) {
            if (!STATE.compareAndSet(t, SCHEDULED, STARTED)) {
                return; // cancelled after it became due
            }
            try {
                t.context.run(t.task);
            } catch (Throwable failure) {
                LOG.warn("{}: a timer task threw; ignored", SystemTimeSource.this, failure);
                if (failure instanceof VirtualMachineError fatal) {
                    throw fatal; // this runner ends; run() hands its work on
                }
            } finally {
                Thread.interrupted(); // a task's interrupt must not reach the next task
            }
        }
    }

    // ---------------------------------------------------------------- heap (heapLock held)

    @GuardedBy("heapLock")
    private void siftUp(int k, Timer t) {
        Timer[] h = heap;
        while (k > 0) {
            int parent = (k - 1) >>> 1;
            Timer p = h[parent];
            if (!before(t, p)) {
                break;
            }
            h[k] = p;
            p.index = k;
            k = parent;
        }
        h[k] = t;
        t.index = k;
    }

    @GuardedBy("heapLock")
    private void siftDown(int k, Timer t) {
        Timer[] h = heap;
        int half = size >>> 1;
        while (k < half) {
            int child = (k << 1) + 1;
            Timer c = h[child];
            int right = child + 1;
            if (right < size && before(h[right], c)) {
                child = right;
                c = h[child];
            }
            if (!before(c, t)) {
                break;
            }
            h[k] = c;
            c.index = k;
            k = child;
        }
        h[k] = t;
        t.index = k;
    }

    @GuardedBy("heapLock")
    private void removeAt(int i) {
        Timer removed = heap[i];
        removed.index = -1;
        int last = --size;
        Timer moved = heap[last];
        heap[last] = null;
        if (last != i) {
            siftDown(i, moved);
            if (heap[i] == moved) {
                siftUp(i, moved);
            }
        }
    }

    @GuardedBy("heapLock")
    private void shrink() {
        if (heap.length > 64 && size < heap.length >>> 2) {
            heap = Arrays.copyOf(heap, Math.max(64, heap.length >>> 1));
        }
    }

    private static boolean before(Timer a, Timer b) {
        long d = a.deadline - b.deadline;
        return d < 0 || (d == 0 && a.seq < b.seq);
    }

    // ---------------------------------------------------------------- nodes

    /** One scheduled task: heap entry, ready-list entry and the caller's handle. */
    private final class Timer implements Cancellable {
        final Runnable task;
        final CapturedContext context;
        final boolean internal;
        long deadline; // written under heapLock before the node is published
        long seq;
        int index = -1; // heap slot, -1 when not in the heap; guarded by heapLock

        @Nullable
        Timer next; // ready list or kick chain

        @SuppressWarnings("UnusedVariable") // read and written through the STATE VarHandle
        volatile int state;

        Timer(Runnable task, CapturedContext context, boolean internal) {
            this.task = task;
            this.context = context;
            this.internal = internal;
        }

        @Override
        public boolean cancel() {
            if (!STATE.compareAndSet(this, SCHEDULED, CANCELLED)) {
                return false;
            }
            remove(this);
            return true;
        }
    }

    /** The future of {@link #delay}: completing it is the timer's task; cancelling it cancels the timer. */
    private static final class DelayFuture extends CompletableFuture<Void> implements Runnable {
        @SuppressWarnings("NullAway.Init") // set by delay() right after construction, before the future is shared
        Cancellable timer;

        @Override
        public void run() {
            complete(null);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                timer.cancel();
            }
            return cancelled;
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            boolean completed = super.completeExceptionally(failure);
            if (completed && failure instanceof CancellationException) {
                timer.cancel(); // as TimeSource.delay's default: a cancelled delay holds no timer
            }
            return completed;
        }
    }
}
