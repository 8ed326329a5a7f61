package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.AsyncSupplier;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.internal.Durations;
import dev.asyncpatterns.core.internal.Stages;
import dev.asyncpatterns.core.sync.AsyncRateLimiter;
import dev.asyncpatterns.core.time.TimeSource;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Makes asynchronous calls resilient with the user's own resilience4j {@link CircuitBreaker},
 * {@link Retry} and {@link Bulkhead}, the toolkit's {@link AsyncRateLimiter}, plus per-attempt
 * timeout, overall deadline, hedging and fallbacks, fully asynchronously: no thread ever waits, every wait runs on the injected
 * {@link TimeSource}, and cancelling the returned future stops everything.
 *
 * {@snippet class=dev.asyncpatterns.resilience.snippets.ResilienceSnippets region=inventoryPolicy}
 *
 * <h2>Composition order</h2>
 * Outermost first (see {@code docs/adr/resilience-0001-composition-order.md}):
 * <ol>
 *   <li><b>fallback</b> (synchronous, or asynchronous with {@code fallbackAsync}) sees the call's final
 *       failure, whatever its kind;</li>
 *   <li><b>overall deadline</b> bounds everything below, backoff waits included;</li>
 *   <li><b>retry</b> (resilience4j {@code Retry}: max attempts, {@code IntervalFunction}, retry
 *       predicates) repeats the whole chain below, so every attempt passes the circuit breaker,
 *       rate limiter and bulkhead again; a backoff wait holds no permit;</li>
 *   <li><b>hedging</b> starts backup copies of a slow attempt; each copy is a full attempt below;</li>
 *   <li><b>circuit breaker</b> refuses at once when open, before any rate-limiter wait or
 *       bulkhead permit is spent;</li>
 *   <li><b>rate limiter</b> waits asynchronously for a permit, holding no bulkhead permit;</li>
 *   <li><b>bulkhead</b> bounds the calls actually running;</li>
 *   <li><b>per-attempt timeout</b> cancels the call when it runs too long;</li>
 *   <li>the call.</li>
 * </ol>
 * The circuit breaker records each attempt's outcome with its duration measured on the time
 * source from the moment the call starts (after the rate limiter and bulkhead), so waiting for
 * permits never counts as a slow call. Attempts refused by the rate limiter or bulkhead, and
 * attempts cancelled (hedge losers, caller cancellation), release their circuit breaker
 * permission without being recorded.
 *
 * <p>Refusals are ordinary attempt failures for the retry: resilience4j's default
 * {@code RetryConfig} retries every exception, so an open circuit or a full bulkhead is retried
 * after the backoff. To fail fast instead, add {@code CallNotPermittedException} and
 * {@code BulkheadFullException} to the config's {@code ignoreExceptions}.
 *
 * <h2>Events</h2>
 * Listeners are set on the builder ({@link Builder#onEvent}, {@link Builder#on}) and are part of
 * the built decorator's fixed configuration; see {@link ResilienceEvent} for when and on which
 * thread they run. A listener that throws is logged and ignored.
 *
 * <h2>Threads and cancellation</h2>
 * A decorator is immutable (policies and listeners alike) and thread-safe; build it once and
 * share it. A call runs its first attempt on the calling thread; retries and hedges run on the
 * time source's timer thread;
 * completions run wherever the call's future completes. Cancelling (or completing) the returned
 * future cancels the running attempts (their futures are cancelled), the pending backoff or hedge
 * timer and any wait for a rate-limiter permit; bulkhead permits are released on every outcome,
 * cancellation included. A bulkhead must therefore never block: bulkheads with a
 * {@code maxWaitDuration} above zero are rejected.
 *
 * <p>Memory effects: actions in the call's operation happen-before the dependents of the
 * returned future run.
 *
 * @param <T> the calls' result type
 * @since 0.1.0
 */
public final class AsyncResilience<T> {

    /**
     * A snapshot of an {@link AsyncResilience} decorator's counters since it was built (ADR
     * core-0003). Approximate: counters are read one by one without a global lock, so a snapshot taken
     * while calls run may be off by the calls in flight; at quiescence it is exact.
     *
     * @param name the decorator's name
     * @param calls calls made through the decorator
     * @param succeeded calls that ended with a value (including by fallback)
     * @param failed calls that ended with an exception
     * @param cancelled calls cancelled by their caller
     * @param attempts attempts started, hedges included
     * @param retries retries scheduled
     * @param hedges hedged backup attempts started
     * @param hedgeWins calls won by a hedged backup rather than the primary attempt
     * @param fallbacks calls whose failure a fallback replaced
     * @param attemptFailures attempt failures by kind (every kind present, zero when none)
     * @param circuitTransitions circuit breaker state changes this decorator observed since it was
     *     built (see {@link ResilienceEvent.CircuitStateChanged} for what is observed)
     * @param circuitState the circuit breaker's state now, empty if none is configured
     */
    public record Stats(
            String name,
            long calls,
            long succeeded,
            long failed,
            long cancelled,
            long attempts,
            long retries,
            long hedges,
            long hedgeWins,
            long fallbacks,
            Map<FailureKind, Long> attemptFailures,
            long circuitTransitions,
            Optional<CircuitBreaker.State> circuitState) {

        /**
         * Copies the map so the snapshot is immutable.
         *
         * @throws NullPointerException if the name, the map or the optional is null
         */
        public Stats {
            Objects.requireNonNull(name, "name");
            attemptFailures = Map.copyOf(Objects.requireNonNull(attemptFailures, "attemptFailures"));
            Objects.requireNonNull(circuitState, "circuitState");
        }

        /**
         * Attempt failures of one kind.
         *
         * @param kind the kind
         * @return how many attempts failed that way
         */
        public long attemptFailures(FailureKind kind) {
            return attemptFailures.getOrDefault(Objects.requireNonNull(kind, "kind"), 0L);
        }

        /**
         * Calls not yet finished: {@code calls - succeeded - failed - cancelled}.
         *
         * @return calls in flight (approximate while calls run)
         */
        public long inFlight() {
            return calls - succeeded - failed - cancelled;
        }
    }

    final String name;
    final Events events;
    /** The per-attempt policies, outermost first; see {@link Builder#attemptPolicies}. */
    final AttemptPolicy[] attemptPolicies;

    final @Nullable FallbackPolicy<T> fallback;
    final @Nullable DeadlinePolicy deadline;
    final @Nullable RetryPolicy retry;
    final @Nullable HedgingPolicy hedging;
    private final @Nullable CircuitBreaker circuitBreaker;

    private AsyncResilience(Builder<T> builder) {
        this.name = builder.name;
        TimeSource time = builder.time == null ? TimeSource.system() : builder.time;
        this.events = new Events(name, time, builder.listeners());
        FallbackPolicy<T> fallbacks = new FallbackPolicy<>(
                builder.circuitOpenFallback,
                builder.bulkheadFullFallback,
                builder.timeoutFallback,
                builder.typeFallbacks);
        this.fallback = fallbacks.isEmpty() ? null : fallbacks;
        this.deadline = builder.deadline == null ? null : new DeadlinePolicy(builder.deadline, time, name);
        this.retry = builder.retry == null ? null : new RetryPolicy(builder.retry);
        this.hedging = builder.hedging == null ? null : new HedgingPolicy(builder.hedging, time);
        this.attemptPolicies = builder.attemptPolicies(hedging, time, events);
        this.circuitBreaker = builder.circuitBreaker;
    }

    /**
     * Starts building a decorator.
     *
     * @param <T> the calls' result type
     * @param name a name for logs, events and exception messages
     * @return a new builder
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank, longer than 200 characters or
     *     holds a control character
     */
    public static <T> Builder<T> builder(String name) {
        return new Builder<>(Checks.name(name));
    }

    /**
     * A {@link Clock} that reads {@code time}, to configure resilience4j with the same time
     * source, e.g. {@code CircuitBreakerConfig.custom().clock(AsyncResilience.clock(clock))} so the
     * wait in the open state passes on a test's virtual clock.
     *
     * @param time the time source
     * @return a UTC clock reading {@code time.instant()}
     * @throws NullPointerException if {@code time} is null
     */
    public static Clock clock(TimeSource time) {
        return new TimeSourceClock(Objects.requireNonNull(time, "time"));
    }

    /**
     * Runs {@code operation} under every configured policy.
     *
     * <p>The first attempt runs on the calling thread (the operation is invoked before this method
     * returns unless the circuit is open or a permit is unavailable); retries and hedges run on the
     * time source's timer. Never blocks. An operation that throws, or returns {@code null}, counts
     * as a failed attempt.
     *
     * <p>Cancellation: cancelling or completing the returned future cancels the attempts in
     * flight, the timers, and any permit wait; permits are released.
     *
     * @param operation starts one attempt and returns its result stage; called once per attempt;
     *     may throw checked exceptions, such as a client method declaring {@code IOException}
     * @return a future of the result, of a fallback's result, or of the final failure
     * @throws NullPointerException if {@code operation} is null
     */
    public CompletableFuture<T> call(AsyncSupplier<? extends T> operation) {
        Objects.requireNonNull(operation, "operation");
        Execution<T> execution = new Execution<>(this, operation);
        execution.start();
        return execution.result;
    }

    /**
     * Decorates a supplier: each {@code get()} is one {@link #call(AsyncSupplier)}.
     *
     * @param operation the operation to decorate
     * @return the decorated supplier; it never throws (failures complete its future)
     * @throws NullPointerException if {@code operation} is null
     */
    public Supplier<CompletableFuture<T>> decorateSupplier(AsyncSupplier<? extends T> operation) {
        Objects.requireNonNull(operation, "operation");
        return () -> call(operation);
    }

    /**
     * Decorates a function: each {@code apply(argument)} is one {@link #call(AsyncSupplier)} of
     * {@code operation.apply(argument)} (re-applied on every attempt).
     *
     * @param <A> the argument type
     * @param operation the operation to decorate
     * @return the decorated function
     * @throws NullPointerException if {@code operation} is null
     */
    public <A> Function<A, CompletableFuture<T>> decorateFunction(
            Function<? super A, ? extends CompletionStage<? extends T>> operation) {
        Objects.requireNonNull(operation, "operation");
        return argument -> call(() -> Stages.widen(operation.apply(argument)));
    }

    /**
     * A snapshot of the counters: calls, attempts, retries, hedges, fallbacks, attempt failures
     * by kind, circuit transitions and state. Cheap; never blocks.
     *
     * @return the stats
     */
    public Stats stats() {
        return events.counters.snapshot(name, circuitBreaker);
    }

    /**
     * The decorator's name.
     *
     * @return the name given to {@link #builder(String)}
     */
    public String name() {
        return name;
    }

    /** The name and the policies in composition order, outermost first. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("AsyncResilience[").append(name);
        for (Object policy : new Object[] {fallback, deadline, retry, hedging}) {
            if (policy != null) {
                text.append(", ").append(policy);
            }
        }
        for (AttemptPolicy policy : attemptPolicies) {
            if (policy != hedging) {
                text.append(", ").append(policy);
            }
        }
        return text.append(']').toString();
    }

    /**
     * Builds an {@link AsyncResilience}. Every setting is optional and may be given once; a
     * setting given twice is an error. {@link #build()} snapshots the settings, so a builder can
     * be reused.
     *
     * @param <T> the calls' result type
     */
    public static final class Builder<T> {

        private final String name;
        private @Nullable TimeSource time;
        private @Nullable Bulkhead bulkhead;
        private @Nullable CircuitBreaker circuitBreaker;
        private @Nullable AsyncRateLimiter rateLimiter;
        private @Nullable Retry retry;
        private @Nullable Duration attemptTimeout;
        private @Nullable Duration deadline;
        private @Nullable Hedging hedging;
        private @Nullable Function<Throwable, ? extends CompletionStage<? extends T>> circuitOpenFallback;
        private @Nullable Function<Throwable, ? extends CompletionStage<? extends T>> bulkheadFullFallback;
        private @Nullable Function<Throwable, ? extends CompletionStage<? extends T>> timeoutFallback;
        private final List<FallbackPolicy.ByType<T>> typeFallbacks = new ArrayList<>();
        private @Nullable Consumer<? super ResilienceEvent> eventListener;
        private final Map<Class<? extends ResilienceEvent>, Consumer<? super ResilienceEvent>> typedListeners =
                new LinkedHashMap<>();

        private Builder(String name) {
            this.name = name;
        }

        /**
         * The listener for every event of the decorators this builder builds. It runs
         * synchronously on the thread where the event happened (see {@link ResilienceEvent}) and
         * must not block; what it throws is logged at WARN and ignored (a
         * {@link VirtualMachineError} is logged and rethrown). One listener: compose several
         * with {@link Consumer#andThen}. It runs before the listeners of {@link #on}.
         *
         * @param listener the listener
         * @return this builder
         * @throws NullPointerException if {@code listener} is null
         * @throws IllegalStateException if already set
         */
        public Builder<T> onEvent(Consumer<? super ResilienceEvent> listener) {
            Objects.requireNonNull(listener, "listener");
            Checks.unset(eventListener, "onEvent");
            this.eventListener = listener;
            return this;
        }

        /**
         * The listener for one kind of event, e.g.
         * {@code on(ResilienceEvent.RetryScheduled.class, e -> log(e))}; threads and failures as
         * for {@link #onEvent(Consumer)}. One listener per event type; listeners of different
         * types run in the order they were set.
         *
         * @param <E> the event type
         * @param type the event record class
         * @param listener the listener
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalStateException if a listener for {@code type} is already set
         */
        public <E extends ResilienceEvent> Builder<T> on(Class<E> type, Consumer<? super E> listener) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(listener, "listener");
            Checks.once(typedListeners.containsKey(type), "on(" + type.getSimpleName() + ")");
            typedListeners.put(type, event -> {
                if (type.isInstance(event)) {
                    listener.accept(type.cast(event));
                }
            });
            return this;
        }

        private List<Consumer<? super ResilienceEvent>> listeners() {
            List<Consumer<? super ResilienceEvent>> all = new ArrayList<>(typedListeners.size() + 1);
            if (eventListener != null) {
                all.add(eventListener);
            }
            all.addAll(typedListeners.values());
            return all;
        }

        /**
         * The time source for timeouts, deadlines, backoff and hedge delays and for measuring
         * durations. Default: {@link TimeSource#system()}.
         *
         * @param time the time source
         * @return this builder
         * @throws NullPointerException if {@code time} is null
         * @throws IllegalStateException if already set
         */
        public Builder<T> timeSource(TimeSource time) {
            Objects.requireNonNull(time, "time");
            Checks.once(this.time != null, "timeSource");
            this.time = time;
            return this;
        }

        /**
         * A resilience4j semaphore bulkhead limiting the calls running at once. Its
         * {@code maxWaitDuration} must be zero: waiting for a permit would block the caller.
         *
         * @param bulkhead the bulkhead
         * @return this builder
         * @throws NullPointerException if {@code bulkhead} is null
         * @throws IllegalArgumentException if its {@code maxWaitDuration} is above zero
         * @throws IllegalStateException if a bulkhead is already set
         */
        public Builder<T> bulkhead(Bulkhead bulkhead) {
            Objects.requireNonNull(bulkhead, "bulkhead");
            Checks.once(this.bulkhead != null, "bulkhead");
            Duration wait = bulkhead.getBulkheadConfig().getMaxWaitDuration();
            if (!wait.isZero()) {
                throw new IllegalArgumentException(
                        "bulkhead '" + bulkhead.getName() + "' has maxWaitDuration " + wait
                                + ", but an async bulkhead must not block the caller: configure maxWaitDuration(Duration.ZERO)");
            }
            this.bulkhead = bulkhead;
            return this;
        }

        /**
         * The bulkhead named {@code name} in {@code registry} (created from the registry's
         * default config if absent).
         *
         * @param registry the registry
         * @param name the bulkhead's name
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException see {@link #bulkhead(Bulkhead)}
         * @throws IllegalStateException if a bulkhead is already set
         */
        public Builder<T> bulkhead(BulkheadRegistry registry, String name) {
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(name, "name");
            return bulkhead(registry.bulkhead(name));
        }

        /**
         * A resilience4j circuit breaker; each attempt (and each hedge) asks it for permission and
         * reports its outcome and duration. Configure its clock with
         * {@link AsyncResilience#clock(TimeSource)} to run its open-state wait on the same time
         * source.
         *
         * @param circuitBreaker the circuit breaker
         * @return this builder
         * @throws NullPointerException if {@code circuitBreaker} is null
         * @throws IllegalStateException if a circuit breaker is already set
         */
        public Builder<T> circuitBreaker(CircuitBreaker circuitBreaker) {
            Objects.requireNonNull(circuitBreaker, "circuitBreaker");
            Checks.once(this.circuitBreaker != null, "circuitBreaker");
            this.circuitBreaker = circuitBreaker;
            return this;
        }

        /**
         * The circuit breaker named {@code name} in {@code registry}.
         *
         * @param registry the registry
         * @param name the circuit breaker's name
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalStateException if a circuit breaker is already set
         */
        public Builder<T> circuitBreaker(CircuitBreakerRegistry registry, String name) {
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(name, "name");
            return circuitBreaker(registry.circuitBreaker(name));
        }

        /**
         * The toolkit's token-bucket rate limiter: every attempt (each hedge too) takes one token,
         * waiting asynchronously for it after the circuit breaker let the attempt through and
         * before it takes a bulkhead permit. Cancelling the call withdraws the wait. A failed
         * acquire (e.g. the limiter was closed) fails the attempt as
         * {@link FailureKind#RATE_LIMITED} with the limiter's exception.
         *
         * @param rateLimiter the rate limiter
         * @return this builder
         * @throws NullPointerException if {@code rateLimiter} is null
         * @throws IllegalStateException if already set
         */
        public Builder<T> rateLimiter(AsyncRateLimiter rateLimiter) {
            Objects.requireNonNull(rateLimiter, "rateLimiter");
            Checks.once(this.rateLimiter != null, "rateLimiter");
            this.rateLimiter = rateLimiter;
            return this;
        }

        /**
         * A resilience4j retry: its max attempts, {@code IntervalFunction} (including exponential
         * random backoff), exception and result predicates decide whether and when to retry; its
         * events and metrics are updated as with its own decorators. Backoff waits are scheduled
         * on the time source and never block a thread. {@link Error}s are never retried.
         *
         * @param retry the retry
         * @return this builder
         * @throws NullPointerException if {@code retry} is null
         * @throws IllegalStateException if a retry is already set
         */
        public Builder<T> retry(Retry retry) {
            Objects.requireNonNull(retry, "retry");
            Checks.once(this.retry != null, "retry");
            this.retry = retry;
            return this;
        }

        /**
         * The retry named {@code name} in {@code registry}.
         *
         * @param registry the registry
         * @param name the retry's name
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalStateException if a retry is already set
         */
        public Builder<T> retry(RetryRegistry registry, String name) {
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(name, "name");
            return retry(registry.retry(name));
        }

        /**
         * The most time one attempt may take; then its future is cancelled and the attempt fails
         * with a {@link TimeoutException} (recorded by the circuit breaker, retried if the retry
         * allows it).
         *
         * @param timeout positive
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if it is zero or negative
         * @throws IllegalStateException if already set
         */
        public Builder<T> attemptTimeout(Duration timeout) {
            Durations.requirePositive(timeout, "timeout");
            Checks.once(this.attemptTimeout != null, "attemptTimeout");
            this.attemptTimeout = timeout;
            return this;
        }

        /**
         * The most time the whole call may take, retries and waits included; then the running
         * attempt is cancelled and the call fails with a {@link DeadlineExceededException}. A
         * retry whose backoff would end after the deadline fails the call at once instead.
         *
         * @param deadline positive
         * @return this builder
         * @throws NullPointerException if {@code deadline} is null
         * @throws IllegalArgumentException if it is zero or negative
         * @throws IllegalStateException if already set
         */
        public Builder<T> deadline(Duration deadline) {
            Durations.requirePositive(deadline, "deadline");
            Checks.once(this.deadline != null, "deadline");
            this.deadline = deadline;
            return this;
        }

        /**
         * Starts backup attempts when an attempt is slow; see {@link Hedging}.
         *
         * @param hedging the hedging policy
         * @return this builder
         * @throws NullPointerException if {@code hedging} is null
         * @throws IllegalStateException if already set
         */
        public Builder<T> hedging(Hedging hedging) {
            Objects.requireNonNull(hedging, "hedging");
            Checks.once(this.hedging != null, "hedging");
            this.hedging = hedging;
            return this;
        }

        /**
         * The result to use when the call finally fails with an exception of {@code type} (after
         * retries). Type fallbacks are tried in registration order; the kind-specific fallbacks
         * ({@link #circuitOpenFallback}, {@link #bulkheadFullFallback}, {@link #timeoutFallback})
         * take precedence. A fallback that throws fails the call with its exception, the original
         * failure attached as suppressed.
         *
         * @param <E> the exception type
         * @param type the exception type handled
         * @param fallback computes the result from the failure
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalStateException if a fallback for {@code type} is already set
         */
        public <E extends Throwable> Builder<T> fallback(Class<E> type, Function<? super E, ? extends T> fallback) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(fallback, "fallback");
            return addTypeFallback(type, FallbackPolicy.sync(failure -> fallback.apply(type.cast(failure))));
        }

        /**
         * As {@link #fallback(Class, Function)}, for a fallback that is itself asynchronous (a
         * secondary service, a cache read): the call completes when the returned stage does, with
         * its value or, if it fails, with its exception (the original failure attached as
         * suppressed). Cancelling the call's future while the fallback runs cancels the fallback's
         * future (wrap a future other callers share in {@code Futures.shield}). The fallback runs after the call has ended, so the overall deadline does not
         * cover it: bound a slow fallback yourself (e.g. {@code Futures.withTimeout}).
         *
         * @param <E> the exception type
         * @param type the exception type handled
         * @param fallback starts computing the result from the failure; must not return null
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalStateException if a fallback for {@code type} is already set
         */
        public <E extends Throwable> Builder<T> fallbackAsync(
                Class<E> type, Function<? super E, ? extends CompletionStage<? extends T>> fallback) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(fallback, "fallback");
            return addTypeFallback(
                    type,
                    failure -> Objects.requireNonNull(
                            fallback.apply(type.cast(failure)),
                            "fallbackAsync for " + type.getName() + " returned null instead of a CompletionStage"));
        }

        private Builder<T> addTypeFallback(
                Class<? extends Throwable> type, Function<Throwable, ? extends CompletionStage<? extends T>> fallback) {
            for (FallbackPolicy.ByType<T> existing : typeFallbacks) {
                if (existing.type() == type) {
                    throw new IllegalStateException("a fallback for " + type.getName() + " was already set");
                }
            }
            typeFallbacks.add(new FallbackPolicy.ByType<>(type, fallback));
            return this;
        }

        /**
         * The result to use when the call finally fails because the circuit breaker refused it
         * ({@link CallNotPermittedException}).
         *
         * @param fallback computes the result
         * @return this builder
         * @throws NullPointerException if {@code fallback} is null
         * @throws IllegalStateException if already set
         */
        public Builder<T> circuitOpenFallback(Function<? super CallNotPermittedException, ? extends T> fallback) {
            Objects.requireNonNull(fallback, "fallback");
            Checks.once(this.circuitOpenFallback != null, "circuitOpenFallback");
            this.circuitOpenFallback =
                    FallbackPolicy.sync(failure -> fallback.apply((CallNotPermittedException) failure));
            return this;
        }

        /**
         * The result to use when the call finally fails because the bulkhead was full
         * ({@link BulkheadFullException}).
         *
         * @param fallback computes the result
         * @return this builder
         * @throws NullPointerException if {@code fallback} is null
         * @throws IllegalStateException if already set
         */
        public Builder<T> bulkheadFullFallback(Function<? super BulkheadFullException, ? extends T> fallback) {
            Objects.requireNonNull(fallback, "fallback");
            Checks.once(this.bulkheadFullFallback != null, "bulkheadFullFallback");
            this.bulkheadFullFallback = FallbackPolicy.sync(failure -> fallback.apply((BulkheadFullException) failure));
            return this;
        }

        /**
         * The result to use when the call finally fails by the per-attempt timeout or the overall
         * deadline ({@link TimeoutException}, {@link DeadlineExceededException}).
         *
         * @param fallback computes the result
         * @return this builder
         * @throws NullPointerException if {@code fallback} is null
         * @throws IllegalStateException if already set
         */
        public Builder<T> timeoutFallback(Function<? super TimeoutException, ? extends T> fallback) {
            Objects.requireNonNull(fallback, "fallback");
            Checks.once(this.timeoutFallback != null, "timeoutFallback");
            this.timeoutFallback = FallbackPolicy.sync(failure -> fallback.apply((TimeoutException) failure));
            return this;
        }

        /**
         * Checks the settings against each other and builds the decorator.
         *
         * @return a new, immutable decorator; later changes to this builder do not affect it
         * @throws IllegalArgumentException if the attempt timeout is not shorter than the
         *     deadline, or the hedge delay is not shorter than the attempt timeout or deadline
         */
        public AsyncResilience<T> build() {
            if (attemptTimeout != null && deadline != null && attemptTimeout.compareTo(deadline) >= 0) {
                throw new IllegalArgumentException("attemptTimeout " + attemptTimeout
                        + " must be shorter than deadline " + deadline + ", or it can never fire");
            }
            if (hedging != null) {
                Duration limit = attemptTimeout != null ? attemptTimeout : deadline;
                if (limit != null
                        && hedging.percentile() == 0
                        && hedging.delay().compareTo(limit) >= 0) {
                    throw new IllegalArgumentException(
                            "hedging delay " + hedging.delay() + " must be shorter than the attempt timeout/deadline "
                                    + limit + ", or no hedge can start");
                }
            }
            return new AsyncResilience<>(this);
        }

        /*
         * The per-attempt policies in composition order, outermost first (ADR resilience-0001):
         * the one place that order is written down in code. A new per-attempt policy is an
         * AttemptPolicy subclass, a setter above and one line here.
         */
        private AttemptPolicy[] attemptPolicies(@Nullable HedgingPolicy hedgingPolicy, TimeSource time, Events events) {
            List<AttemptPolicy> chain = new ArrayList<>(5);
            if (hedgingPolicy != null && hedgingPolicy.observesAttempts()) {
                chain.add(hedgingPolicy); // feeds successful latencies to percentile hedging
            }
            if (circuitBreaker != null) {
                chain.add(new CircuitBreakerPolicy(circuitBreaker, events));
            }
            if (rateLimiter != null) {
                chain.add(new RateLimiterPolicy(rateLimiter));
            }
            if (bulkhead != null) {
                chain.add(new BulkheadPolicy(bulkhead));
            }
            if (attemptTimeout != null) {
                chain.add(new AttemptTimeoutPolicy(attemptTimeout, time));
            }
            return chain.toArray(new AttemptPolicy[0]);
        }
    }
}
