package dev.asyncpatterns.core.supervision;

import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.internal.CapturedContext;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.Failures;
import dev.asyncpatterns.core.internal.Listeners;
import dev.asyncpatterns.core.internal.SupervisorRestartEvent;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.io.Serial;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Maintainer's note.
 *
 * Concurrency: every decision runs on a serial mailbox (send/drain: a lock-free queue plus a
 * work-in-progress counter; whichever thread finds the mailbox idle drains it). Child exits,
 * restart timers, start and stop requests are all messages, so the state below is confined to
 * "the mailbox" and needs no lock, and no user code ever runs under a lock. Readers see
 * per-child immutable snapshots published through volatile fields.
 *
 * Staleness: each child has an incarnation number, bumped whenever the supervisor stops or
 * restarts it. Exit messages and restart timers carry the incarnation they were made for and
 * are ignored if it moved on, so a child we cancelled (one-for-all, rest-for-one, stop) never
 * triggers a second restart, and a timer superseded by a newer decision does nothing.
 *
 * Restart intensity: timestamps of restart decisions in a deque; before each decision, entries
 * older than the window are dropped; if the deque already holds maxRestarts entries, the
 * supervisor gives up (escalates): it stops every child in reverse start order and fails its own
 * future with EscalationException (cause: the failure that tipped it). A parent supervisor that
 * runs this one as a child sees that failure and applies its own policy.
 *
 * Backoff: per child, the attempt number counts restarts since the child last ran for a whole
 * intensity window; the delay comes from the Backoff (empty = give up, escalate).
 */
/**
 * Keeps named, long-running asynchronous children alive, restarting them by policy as Erlang/OTP
 * supervisors do: restart types {@linkplain Restart permanent, transient, temporary}, strategies
 * {@linkplain Strategy one-for-one, one-for-all, rest-for-one}, a {@link Backoff} between restarts
 * and a restart-intensity limit beyond which the supervisor gives up and escalates.
 *
 * {@snippet class=dev.asyncpatterns.core.snippets.LifecycleSnippets region=supervisor}
 *
 * <p><b>Children.</b> A child is a function returning a {@link CompletionStage} that represents
 * its run: the child has exited when the stage completes (normally or not). Stopping a child
 * cancels that stage's future, so children must honour cancellation. A function that throws or
 * returns {@code null} counts as a failed run.
 *
 * <p><b>Threads.</b> Supervision decisions are serialized; child functions run on whichever
 * thread delivers the event that starts them (the caller of {@link #start()}, the thread that
 * completed a child's stage, or the time source's timer thread), so they should start their work
 * asynchronously and return quickly.
 *
 * <p><b>Nesting.</b> Run a supervisor as a child of another with {@code child("sub",
 * Restart.PERMANENT, sub::start)}: when {@code sub} gives up, its future fails and the parent
 * applies its own policy; when the parent stops {@code sub}, cancelling its future stops it.
 *
 * <p><b>Shutting down.</b> {@link #shutdown()} stops the children in reverse start order and
 * ends the run; cancelling the future of {@link #start()} does the same. The supervisor can then
 * be started again.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class Supervisor {

    /** When a child is restarted. */
    public enum Restart {
        /** Always restarted, whether it failed or exited normally. */
        PERMANENT,
        /** Restarted only if it failed. */
        TRANSIENT,
        /** Never restarted. */
        TEMPORARY
    }

    /** Which children are restarted when one has to be. */
    public enum Strategy {
        /** Only the child that exited. */
        ONE_FOR_ONE,
        /** Every child: the others are stopped (reverse start order), then all restart in order. */
        ONE_FOR_ALL,
        /** The child that exited and every child started after it. */
        REST_FOR_ONE
    }

    /** A child's current state. */
    public enum ChildState {
        /** Not started yet (the supervisor is not running). */
        NOT_STARTED,
        /** Its stage is running. */
        RUNNING,
        /** Waiting for its backoff delay before restarting. */
        RESTARTING,
        /** Exited normally and will not be restarted. */
        EXITED,
        /** Failed and will not be restarted. */
        FAILED,
        /** Stopped by the supervisor. */
        STOPPED
    }

    /**
     * A snapshot of one child.
     *
     * @param name the child's name
     * @param restart its restart type
     * @param state its state
     * @param restarts how many times it has been restarted (or is waiting to be) during the
     *     current run
     * @param lastFailure the failure of its most recent failed run, if any
     */
    public record ChildStatus(
            String name, Restart restart, ChildState state, int restarts, Optional<Throwable> lastFailure) {}

    /**
     * A consistent snapshot of a supervisor (ADR core-0003): published by the supervisor's serial
     * mailbox after every decision, so reading it takes no lock and allocates nothing.
     *
     * @param name the supervisor's name
     * @param children the number of children
     * @param running children whose stage is running now
     * @param restarting children waiting for their backoff delay now
     * @param restarts restart decisions since creation (over every run; one per decision, even
     *     when a strategy restarts several children)
     * @param failed child runs that ended with a failure, since creation
     * @param gaveUp times the supervisor gave up (escalated), since creation
     * @param active whether the supervisor is running
     */
    public record Stats(
            String name,
            int children,
            int running,
            int restarting,
            long restarts,
            long failed,
            long gaveUp,
            boolean active) {}

    /**
     * What a supervisor reports to the listeners given to {@link Builder#onEvent}: one record per
     * state change an operator must see. Each carries the supervisor's name and the time on its
     * time source.
     */
    public sealed interface Event {
        /**
         * The supervisor's name.
         *
         * @return the name
         */
        String name();

        /**
         * When it happened, on the supervisor's time source.
         *
         * @return the instant
         */
        Instant at();
    }

    /**
     * A child's run ended with a failure (before any restart decision).
     *
     * @param name the supervisor's name
     * @param at when
     * @param child the child's name
     * @param failure the failure
     */
    public record ChildFailed(String name, Instant at, String child, Throwable failure) implements Event {}

    /**
     * A restart was decided: the children listed will start again after {@code delay}.
     *
     * @param name the supervisor's name
     * @param at when
     * @param child the child whose exit caused it
     * @param restarted the children that will restart (more than one for one-for-all and
     *     rest-for-one)
     * @param attempt the causing child's restart attempt (1 for the first since it last ran a
     *     whole intensity window)
     * @param delay the backoff delay before they start
     */
    public record ChildRestarting(
            String name, Instant at, String child, List<String> restarted, int attempt, Duration delay)
            implements Event {}

    /**
     * The supervisor gave up: every child was stopped and the run failed with
     * {@link EscalationException}.
     *
     * @param name the supervisor's name
     * @param at when
     * @param failure the escalation (its cause is the child failure that tipped it, if any)
     */
    public record GaveUp(String name, Instant at, EscalationException failure) implements Event {}

    /** Thrown (as the failure of the supervisor's future) when the supervisor gives up. */
    public static final class EscalationException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param message why the supervisor gave up
         * @param cause the child failure that tipped it, if any
         */
        public EscalationException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Default restart intensity: at most this many restarts... */
    public static final int DEFAULT_MAX_RESTARTS = 3;

    /** ...within this window. */
    public static final Duration DEFAULT_RESTART_WINDOW = Duration.ofSeconds(5);

    /** Default delay between restarts: exponential from 100 ms, full jitter, capped at 30 s. */
    public static final Backoff DEFAULT_BACKOFF = Backoff.exponential(Duration.ofMillis(100))
            .jitter(Backoff.Jitter.FULL)
            .cap(Duration.ofSeconds(30));

    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    private final String name;
    private final Strategy strategy;
    private final int maxRestarts;
    private final long windowNanos;
    private final Duration window;
    private final Backoff backoff;
    private final TimeSource time;
    private final List<Child> children;
    private final @Nullable Consumer<? super Event> listener; // null: nobody listens

    // mailbox
    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();

    // confined to the mailbox
    private final ArrayDeque<Long> restartTimes = new ArrayDeque<>();
    private boolean running;
    private @Nullable CompletableFuture<Void> run;
    private CapturedContext context = CapturedContext.empty(); // start()'s caller's, for every (re)start
    private volatile int totalRestarts;
    private volatile boolean active; // readers' view of running
    private long restartCount;
    private long failedCount;
    private long gaveUpCount;

    @SuppressWarnings("NullAway.Init") // the constructor publishes the first snapshot (publishStats())
    private volatile Stats stats; // published by the mailbox

    private final ArrayDeque<Event> pendingEvents = new ArrayDeque<>(); // mailbox-confined

    private Supervisor(Builder b) {
        this.name = b.name == null ? Checks.defaultName("supervisor", this) : b.name;
        this.strategy = b.strategy == null ? Strategy.ONE_FOR_ONE : b.strategy;
        this.maxRestarts = b.maxRestarts < 0 ? DEFAULT_MAX_RESTARTS : b.maxRestarts;
        this.window = b.window == null ? DEFAULT_RESTART_WINDOW : b.window;
        this.windowNanos = Durations.toNanosSaturated(window);
        this.backoff = b.backoff == null ? DEFAULT_BACKOFF : b.backoff;
        this.time = b.time == null ? TimeSource.system() : b.time;
        List<Child> list = new ArrayList<>();
        for (int i = 0; i < b.specs.size(); i++) {
            list.add(new Child(i, b.specs.get(i)));
        }
        this.children = List.copyOf(list);
        this.listener = b.listener;
        publishStats();
    }

    /**
     * A new builder.
     *
     * @return a builder with no children
     */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Starts every child in order and supervises them until {@link #shutdown()} or until the
     * supervisor gives up.
     *
     * <p>The returned future completes normally when the supervisor is stopped, and fails with
     * {@link EscalationException} when it gives up (restart intensity exceeded, or the backoff's
     * attempt limit reached), after every child has been stopped, and with
     * {@link IllegalStateException} at once if the supervisor is already running. Cancelling it
     * stops the supervisor. Restart counts start from zero on every start. Never blocks.
     *
     * @return the future of this run
     */
    public CompletableFuture<Void> start() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        CapturedContext caller = CapturedContext.capture();
        send(() -> {
            if (running) {
                result.completeExceptionally(new IllegalStateException("Supervisor[" + name + "] is already running"));
                return;
            }
            context = caller;
            running = true;
            active = true;
            run = result;
            restartTimes.clear();
            totalRestarts = 0;
            LOG.debug("Supervisor[{}] starting {} children", name, children.size());
            for (Child child : children) {
                child.restarts = 0;
                child.attempt = 0;
                child.lastFailure = null;
                child.state = ChildState.NOT_STARTED;
                child.publish();
            }
            for (Child child : children) {
                if (running) {
                    startChild(child);
                }
            }
        });
        result.whenComplete((ignored, failure) -> {
            if (result.isCancelled()) {
                shutdown();
            }
        });
        return result;
    }

    /**
     * Shuts the current run down: pending restarts are called off, every child is stopped (its
     * stage cancelled) in reverse start order, and the future returned by {@link #start()}
     * completes normally. A no-op if not running. Never blocks.
     *
     * <p>Children are services with no accepted work to finish, so this is also the "now" form:
     * there is no {@code shutdownNow()}. Unlike other owners, a supervisor can be started again
     * after a shutdown (a parent supervisor restarts a nested one by calling its {@link #start()};
     * ADR core-0002).
     *
     * @return a future completing once the children have been stopped
     */
    public CompletableFuture<Void> shutdown() {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        send(() -> {
            if (running) {
                LOG.debug("Supervisor[{}] stopping", name);
                stopAll();
                finish(null);
            }
            stopped.complete(null);
        });
        return stopped;
    }

    /**
     * Whether the supervisor is running.
     *
     * @return {@code true} between {@link #start()} and the end of that run
     */
    public boolean isRunning() {
        return active;
    }

    /**
     * A snapshot of every child, in start order.
     *
     * @return the children's status
     */
    public List<ChildStatus> children() {
        List<ChildStatus> out = new ArrayList<>(children.size());
        for (Child child : children) {
            out.add(child.status);
        }
        return List.copyOf(out);
    }

    /**
     * The status of one child.
     *
     * @param name the child's name
     * @return its status
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if there is no such child
     */
    public ChildStatus child(String name) {
        Objects.requireNonNull(name, "name");
        for (Child child : children) {
            if (child.spec.name.equals(name)) {
                return child.status;
            }
        }
        throw new IllegalArgumentException("no child named " + name + " in Supervisor[" + this.name + "]");
    }

    /**
     * Restarts decided during the current (or last) run, over all children (one per decision,
     * even when a strategy restarts several children; a restart waiting for its backoff delay
     * counts).
     *
     * @return the restart count
     */
    public int totalRestarts() {
        return totalRestarts;
    }

    /**
     * The supervisor's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * A consistent snapshot of the children's states and the lifetime counters, as of the last
     * supervision decision. Lock-free, allocation-free (the record is published by the mailbox).
     *
     * @return the stats
     */
    public Stats stats() {
        return stats;
    }

    @Override
    public String toString() {
        return "Supervisor[" + name + ", " + strategy + ", children=" + children.size() + ", restarts=" + totalRestarts
                + (active ? ", running" : "") + "]";
    }

    // ---------------------------------------------------------------- mailbox

    private void send(Runnable message) {
        mailbox.add(message);
        if (wip.getAndIncrement() != 0) {
            return;
        }
        VirtualMachineError fatal = null;
        do {
            Runnable next = mailbox.poll();
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                LOG.error("Supervisor[{}]: internal error", name, e);
            }
            publishStats();
            try {
                deliverEvents(); // after the decision: the state the events describe is settled
            } catch (VirtualMachineError e) {
                fatal = e; // rethrown once the mailbox is drained, so it is never left locked
            }
        } while (wip.decrementAndGet() != 0);
        if (fatal != null) {
            throw fatal;
        }
    }

    /** Publishes a new snapshot (mailbox or constructor only). */
    private void publishStats() {
        int runningChildren = 0;
        int restarting = 0;
        for (Child child : children) {
            runningChildren += child.state == ChildState.RUNNING ? 1 : 0;
            restarting += child.state == ChildState.RESTARTING ? 1 : 0;
        }
        Stats last = stats;
        if (last == null
                || last.running() != runningChildren
                || last.restarting() != restarting
                || last.restarts() != restartCount
                || last.failed() != failedCount
                || last.gaveUp() != gaveUpCount
                || last.active() != active) {
            stats = new Stats(
                    name, children.size(), runningChildren, restarting, restartCount, failedCount, gaveUpCount, active);
        }
    }

    /** Queues an event for the listener, called once the current message has settled the state. */
    private void emit(Supplier<? extends Event> event) {
        if (listener != null) {
            pendingEvents.add(event.get());
        }
    }

    /** Calls the listener with the queued events (mailbox only; no lock is held). */
    private void deliverEvents() {
        Consumer<? super Event> to = listener;
        if (to == null) {
            return; // nothing is queued without a listener
        }
        Event e;
        while ((e = pendingEvents.poll()) != null) {
            try {
                Listeners.notify(LOG, "Supervisor[" + name + "]", "event", to, e);
            } catch (VirtualMachineError fatal) { // logged by notify; the rest are dropped with it
                pendingEvents.clear();
                throw fatal;
            }
        }
    }

    // ---------------------------------------------------------------- decisions (mailbox only)

    private void startChild(Child child) {
        int incarnation = ++child.incarnation;
        child.state = ChildState.RUNNING;
        child.startedAt = time.nanoTime();
        child.publish();
        AsyncSupplier<?> start = child.spec.start;
        CompletableFuture<?> future = Futures.start(() -> context.call(start::get)); // start()'s caller's context
        child.future = future;
        future.whenComplete((ignored, failure) -> send(() -> onExit(child, incarnation, Failures.unwrap(failure))));
    }

    @SuppressWarnings(
            "NonAtomicVolatileUpdate") // single writer: runs on the supervisor's serial mailbox; volatile for readers
    private void onExit(Child child, int incarnation, Throwable failure) {
        if (!running || incarnation != child.incarnation || child.state != ChildState.RUNNING) {
            return; // stale: we stopped or restarted it ourselves
        }
        child.future = null;
        if (failure != null) {
            child.lastFailure = failure;
            failedCount++;
            LOG.debug("Supervisor[{}]: child {} failed", name, child.spec.name, failure);
            emit(() -> new ChildFailed(name, time.instant(), child.spec.name, failure));
        }
        boolean restart = switch (child.spec.restart) {
            case PERMANENT -> true;
            case TRANSIENT -> failure != null;
            case TEMPORARY -> false;
        };
        if (!restart) {
            child.state = failure == null ? ChildState.EXITED : ChildState.FAILED;
            child.publish();
            return;
        }
        long now = time.nanoTime();
        while (!restartTimes.isEmpty() && now - restartTimes.peekFirst() >= windowNanos) {
            restartTimes.pollFirst();
        }
        if (restartTimes.size() >= maxRestarts) {
            // say what happened: N restarts were made, and one more would exceed the limit
            escalate(
                    "restart intensity exceeded: child " + child.spec.name + " exited again after "
                            + restartTimes.size() + " restarts within " + window.toMillis() + " ms (limit "
                            + maxRestarts
                            + "); not restarting it",
                    failure);
            return;
        }
        if (now - child.startedAt >= windowNanos) {
            child.attempt = 0; // it ran for a whole window: start the backoff over
        }
        Optional<Duration> delay = backoff.delay(++child.attempt);
        if (delay.isEmpty()) {
            escalate(
                    "backoff gave up on child " + child.spec.name + " after " + (child.attempt - 1) + " restarts",
                    failure);
            return;
        }
        restartTimes.addLast(now);
        totalRestarts++;
        restartCount++;

        List<Child> group = switch (strategy) {
            case ONE_FOR_ONE -> List.of(child);
            case ONE_FOR_ALL -> children;
            case REST_FOR_ONE -> children.subList(child.index, children.size());
        };
        // stop the others in the group, in reverse start order
        for (int i = group.size() - 1; i >= 0; i--) {
            Child other = group.get(i);
            if (other != child) {
                stopChild(other);
            }
        }
        List<Child> toRestart = new ArrayList<>();
        for (Child member : group) {
            if (member == child || member.spec.restart != Restart.TEMPORARY) {
                if (member.state == ChildState.STOPPED || member == child || member.state == ChildState.RESTARTING) {
                    toRestart.add(member);
                }
            }
        }
        Set<Child> restartSet = new HashSet<>(toRestart);
        int[] incarnations = new int[toRestart.size()];
        for (int i = 0; i < toRestart.size(); i++) {
            Child member = toRestart.get(i);
            cancelTimer(member);
            member.state = ChildState.RESTARTING;
            member.restarts++;
            incarnations[i] = ++member.incarnation;
            member.publish();
        }
        LOG.debug("Supervisor[{}]: restarting {} in {} ({})", name, restartSet.size(), delay.get(), strategy);
        if (SupervisorRestartEvent.enabled()) { // JFR, no allocation unless a recording wants it
            var event = new SupervisorRestartEvent();
            event.supervisor = name;
            event.child = child.spec.name;
            event.attempt = child.attempt;
            event.groupSize = toRestart.size();
            event.delay = Durations.toNanosSaturated(delay.get());
            event.failure = failure == null ? null : failure.getClass().getName();
            event.message = failure == null ? null : failure.getMessage();
            event.commit();
        }
        int attempt = child.attempt;
        emit(() -> new ChildRestarting(
                name,
                time.instant(),
                child.spec.name,
                toRestart.stream().map(member -> member.spec.name).toList(),
                attempt,
                delay.get()));
        Runnable restartAll = () -> send(() -> {
            for (int i = 0; i < toRestart.size(); i++) {
                Child member = toRestart.get(i);
                if (running && member.incarnation == incarnations[i] && member.state == ChildState.RESTARTING) {
                    member.timer = null;
                    startChild(member);
                }
            }
        });
        Cancellable timer = time.schedule(delay.get(), restartAll);
        for (Child member : toRestart) {
            member.timer = timer;
        }
    }

    private void stopChild(Child child) {
        cancelTimer(child);
        CompletableFuture<?> future = child.future;
        child.future = null;
        child.incarnation++;
        if (child.state == ChildState.RUNNING || child.state == ChildState.RESTARTING) {
            child.state = ChildState.STOPPED;
        }
        child.publish();
        if (future != null) {
            future.cancel(true);
        }
    }

    private void stopAll() {
        for (int i = children.size() - 1; i >= 0; i--) {
            stopChild(children.get(i));
        }
    }

    private void escalate(String reason, Throwable cause) {
        LOG.warn("Supervisor[{}] giving up: {}", name, reason);
        stopAll();
        gaveUpCount++;
        var escalation = new EscalationException("Supervisor[" + name + "] gave up: " + reason, cause);
        emit(() -> new GaveUp(name, time.instant(), escalation));
        finish(escalation);
    }

    private void finish(@Nullable Throwable failure) {
        running = false;
        active = false;
        CompletableFuture<Void> result = Objects.requireNonNull(run); // finish() ends a run that exists
        run = null;
        if (failure == null) {
            result.complete(null);
        } else {
            result.completeExceptionally(failure);
        }
    }

    private static void cancelTimer(Child child) {
        Cancellable timer = child.timer;
        if (timer != null) {
            child.timer = null;
            timer.cancel();
        }
    }

    // ---------------------------------------------------------------- children

    private record Spec(String name, Restart restart, AsyncSupplier<?> start) {}

    private static final class Child {
        final int index;
        final Spec spec;
        // mailbox-confined
        ChildState state = ChildState.NOT_STARTED;
        int incarnation;
        int restarts;
        int attempt;
        long startedAt;

        @Nullable
        Throwable lastFailure;

        @Nullable
        CompletableFuture<?> future;

        @Nullable
        Cancellable timer;
        // for readers
        volatile ChildStatus status;

        Child(int index, Spec spec) {
            this.index = index;
            this.spec = spec;
            publish();
        }

        void publish() {
            status = new ChildStatus(spec.name, spec.restart, state, restarts, Optional.ofNullable(lastFailure));
        }
    }

    // ---------------------------------------------------------------- builder

    /** Configures a supervisor. Each setting may be given once; children are added in start order. */
    public static final class Builder {
        private final List<Spec> specs = new ArrayList<>();
        private @Nullable String name;
        private @Nullable Strategy strategy;
        private int maxRestarts = -1;
        private @Nullable Duration window;
        private @Nullable Backoff backoff;
        private @Nullable TimeSource time;
        private @Nullable Consumer<? super Event> listener;

        private Builder() {}

        /**
         * The listener for the supervisor's {@link Event}s (child failed, restart decided, gave
         * up), in the order they happen. It runs on the supervisor's serial mailbox (the thread
         * that delivered the child's exit or the timer), outside any lock, and must not block.
         * What it throws is logged at WARN and ignored ({@link VirtualMachineError}s are
         * rethrown). For several listeners, compose them with {@link Consumer#andThen}.
         *
         * @param listener the listener
         * @return this builder
         * @throws NullPointerException if {@code listener} is null
         * @throws IllegalStateException if already set
         */
        public Builder onEvent(Consumer<? super Event> listener) {
            Objects.requireNonNull(listener, "listener");
            Checks.unset(this.listener, "onEvent");
            this.listener = listener;
            return this;
        }

        /**
         * The name used in messages and logs.
         *
         * @param name the name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank, longer than 200 characters or
         *     holds a control character
         * @throws IllegalStateException if already set
         */
        public Builder name(String name) {
            Checks.name(name);
            Checks.unset(this.name, "name");
            this.name = name;
            return this;
        }

        /**
         * The restart strategy (default {@link Strategy#ONE_FOR_ONE}).
         *
         * @param strategy the strategy
         * @return this builder
         * @throws NullPointerException if {@code strategy} is null
         * @throws IllegalStateException if already set
         */
        public Builder strategy(Strategy strategy) {
            Objects.requireNonNull(strategy, "strategy");
            Checks.unset(this.strategy, "strategy");
            this.strategy = strategy;
            return this;
        }

        /**
         * The restart intensity: at most {@code maxRestarts} restarts within {@code window}; one
         * more and the supervisor gives up (default 3 within 5 seconds).
         *
         * @param maxRestarts restarts allowed in the window, zero or more (zero: give up at the
         *     first exit that needs a restart)
         * @param window the sliding window, positive
         * @return this builder
         * @throws IllegalArgumentException if {@code maxRestarts} is negative or {@code window} not
         *     positive
         * @throws NullPointerException if {@code window} is null
         * @throws IllegalStateException if already set
         */
        public Builder maxRestarts(int maxRestarts, Duration window) {
            Checks.nonNegative(maxRestarts, "maxRestarts");
            Durations.requirePositive(window, "window");
            Checks.unset(this.window, "maxRestarts");
            this.maxRestarts = maxRestarts;
            this.window = window;
            return this;
        }

        /**
         * The delay before each restart (default {@link #DEFAULT_BACKOFF}). Its attempt limit, if
         * any, also makes the supervisor give up.
         *
         * @param backoff the backoff
         * @return this builder
         * @throws NullPointerException if {@code backoff} is null
         * @throws IllegalStateException if already set
         */
        public Builder backoff(Backoff backoff) {
            Objects.requireNonNull(backoff, "backoff");
            Checks.unset(this.backoff, "backoff");
            this.backoff = backoff;
            return this;
        }

        /**
         * The clock for backoff delays and the intensity window (default
         * {@link TimeSource#system()}).
         *
         * @param timeSource the time source
         * @return this builder
         * @throws NullPointerException if {@code timeSource} is null
         * @throws IllegalStateException if already set
         */
        public Builder timeSource(TimeSource timeSource) {
            Objects.requireNonNull(timeSource, "timeSource");
            Checks.unset(this.time, "timeSource");
            this.time = timeSource;
            return this;
        }

        /**
         * Adds a child, started after the children added before it.
         *
         * @param <T> the child's result type (ignored)
         * @param name a name unique within this supervisor
         * @param restart when to restart it
         * @param start starts one run of the child and returns its stage
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if the name is already taken
         */
        public <T> Builder child(String name, Restart restart, AsyncSupplier<T> start) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(restart, "restart");
            Objects.requireNonNull(start, "start");
            for (Spec spec : specs) {
                if (spec.name.equals(name)) {
                    throw new IllegalArgumentException("duplicate child name " + name);
                }
            }
            specs.add(new Spec(name, restart, start));
            return this;
        }

        /**
         * Builds the supervisor (not started).
         *
         * @return the supervisor
         */
        public Supervisor build() {
            return new Supervisor(this);
        }
    }
}
