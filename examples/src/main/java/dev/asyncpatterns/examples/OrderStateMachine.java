package dev.asyncpatterns.examples;

import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.sync.AsyncEvent;
import dev.asyncpatterns.core.sync.AsyncLock;
import dev.asyncpatterns.core.time.TimeSource;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Example 12: an order state machine whose transitions run async handlers (charge the card, book
 * the courier...), serialized per order by an {@link AsyncLock} so two events arriving at once
 * never interleave; after each transition an event emitter notifies every listener concurrently
 * with {@link Futures#allSettled}, so one failing listener does not stop the others.
 *
 * <p>Payments also wait for an {@link AsyncEvent} ("the payment gateway is connected").
 *
 * <p>asyncio: an {@code asyncio.Lock} per order around {@code await handler()}, an
 * {@code asyncio.Event} for the gateway, and
 * {@code await asyncio.gather(*(l(event) for l in listeners), return_exceptions=True)}.
 */
final class OrderStateMachine implements Example {

    @Override
    public String name() {
        return "order-state-machine";
    }

    @Override
    public String description() {
        return "order states with async transition handlers and an emitter notifying listeners concurrently";
    }

    // ---- the state machine --------------------------------------------------------------------

    enum State {
        CREATED,
        PAID,
        SHIPPED,
        DELIVERED,
        CANCELLED
    }

    enum Event {
        PAY,
        SHIP,
        DELIVER,
        CANCEL
    }

    /** The allowed transitions: state -> event -> next state. Anything else is rejected. */
    private static final Map<State, Map<Event, State>> TRANSITIONS = new EnumMap<>(Map.of(
            State.CREATED, Map.of(Event.PAY, State.PAID, Event.CANCEL, State.CANCELLED),
            State.PAID, Map.of(Event.SHIP, State.SHIPPED, Event.CANCEL, State.CANCELLED),
            State.SHIPPED, Map.of(Event.DELIVER, State.DELIVERED)));

    /** What listeners are told after each transition. */
    record Transition(String orderId, State from, Event event, State to) {}

    /**
     * Calls every registered listener concurrently and reports each one's {@link Outcome}: a
     * listener that throws or fails affects only its own outcome.
     */
    static final class EventEmitter<E> {
        private record Listener<E>(String name, Function<E, CompletionStage<Void>> handler) {}

        private final List<Listener<E>> listeners = new CopyOnWriteArrayList<>();

        void on(String name, Function<E, CompletionStage<Void>> handler) {
            listeners.add(new Listener<>(name, handler));
        }

        /** Notifies every listener at once; completes when all have finished, never fails. */
        CompletableFuture<List<String>> emit(E event) {
            List<CompletableFuture<Void>> calls = new ArrayList<>();
            for (Listener<E> listener : listeners) {
                CompletableFuture<Void> call;
                try {
                    call = listener.handler().apply(event).toCompletableFuture();
                } catch (RuntimeException e) { // a listener that throws before returning a future
                    call = CompletableFuture.failedFuture(e);
                }
                calls.add(call);
            }
            // allSettled never fails: one Outcome per listener, in registration order
            return Futures.allSettled(calls).thenApply(outcomes -> {
                List<String> report = new ArrayList<>();
                for (int i = 0; i < outcomes.size(); i++) {
                    String name = listeners.get(i).name();
                    report.add(
                            switch (outcomes.get(i)) {
                                case Outcome.Success<Void> ok -> name + " ok";
                                case Outcome.Failure<Void> failed ->
                                    name + " FAILED (" + rootMessage(failed.cause()) + ")";
                                case Outcome.Cancelled<Void> cancelled -> name + " cancelled";
                            });
                }
                return report;
            });
        }
    }

    /** One order: its state changes only under its lock, one transition at a time. */
    static final class Order {
        private final String id;
        private final Map<Event, Function<Order, CompletableFuture<Void>>> handlers;
        private final EventEmitter<Transition> emitter;
        private final PrintStream out;
        // an async lock: waiting for it returns a future, no thread is parked
        private final AsyncLock lock = new AsyncLock();
        private State state = State.CREATED; // read and written only while holding `lock`

        Order(
                String id,
                Map<Event, Function<Order, CompletableFuture<Void>>> handlers,
                EventEmitter<Transition> emitter,
                PrintStream out) {
            this.id = id;
            this.handlers = handlers;
            this.emitter = emitter;
            this.out = out;
        }

        /**
         * Applies {@code event}: checks the transition, runs its async handler, moves to the next
         * state and notifies the listeners. Fails with {@link IllegalStateException} if the event
         * is not allowed in the current state, or with the handler's failure (state unchanged).
         */
        CompletableFuture<State> fire(Event event) {
            return lock.withLock(() -> {
                State from = state;
                State to = TRANSITIONS.getOrDefault(from, Map.of()).get(event);
                if (to == null) {
                    out.printf("order %s: %s rejected: not allowed in state %s%n", id, event, from);
                    return CompletableFuture.<State>failedFuture(
                            new IllegalStateException(event + " not allowed in state " + from));
                }
                long[] notifiedAt = new long[1];
                return Objects.requireNonNull(handlers.get(event), "every event has a handler")
                        .apply(this)
                        .thenCompose(done -> {
                            state = to;
                            out.printf("order %s: %s -> %s (on %s)%n", id, from, to, event);
                            notifiedAt[0] = System.nanoTime();
                            return emitter.emit(new Transition(id, from, event, to));
                        })
                        .thenApply(report -> {
                            out.printf(
                                    "order %s:   %d listeners notified at once, all settled in %d ms: %s%n",
                                    id,
                                    report.size(),
                                    (System.nanoTime() - notifiedAt[0]) / 1_000_000,
                                    String.join(", ", report));
                            return to;
                        })
                        .whenComplete((next, failure) -> {
                            if (failure != null) {
                                out.printf(
                                        "order %s: %s failed, still %s: %s%n", id, event, from, rootMessage(failure));
                            }
                        });
            });
        }

        State state() {
            return state;
        }
    }

    // ---- the program --------------------------------------------------------------------------

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        TimeSource time = TimeSource.system();
        Duration step = Duration.ofMillis(fast ? 10 : 100); // simulated I/O time of each handler

        // async transition handlers: simulated calls to payment, courier and tracking services
        Map<Event, Function<Order, CompletableFuture<Void>>> handlers = new EnumMap<>(Event.class);
        // payments wait until the payment gateway is connected: an AsyncEvent, set once, releases
        // every payment waiting for it (and lets later ones through at once)
        var gatewayReady = new AsyncEvent();
        handlers.put(
                Event.PAY,
                order -> gatewayReady
                        .await()
                        .thenCompose(ready -> order.id.equals("D")
                                ? time.delay(step)
                                        .thenCompose(x -> CompletableFuture.<Void>failedFuture(
                                                new IllegalStateException("card declined")))
                                : time.delay(step)));
        handlers.put(Event.SHIP, order -> time.delay(step.multipliedBy(2)));
        handlers.put(Event.DELIVER, order -> time.delay(step));
        handlers.put(Event.CANCEL, order -> time.delay(step.dividedBy(2)));

        // listeners: each notified concurrently; "loyalty" fails on deliveries, "audit" throws at once
        var emitter = new EventEmitter<Transition>();
        emitter.on("email", t -> time.delay(step));
        emitter.on("analytics", t -> time.delay(step.dividedBy(2)));
        emitter.on(
                "loyalty",
                t -> t.to() == State.DELIVERED
                        ? time.delay(step)
                                .thenCompose(x -> CompletableFuture.failedFuture(
                                        new IllegalStateException("loyalty service down")))
                        : time.delay(step));
        emitter.on("audit", t -> {
            if (t.event() == Event.CANCEL) {
                throw new IllegalArgumentException("audit log rejects cancellations");
            }
            return CompletableFuture.completedFuture(null);
        });

        var orders = new ArrayList<Order>();
        for (String id : List.of("A", "B", "C", "D")) {
            orders.add(new Order(id, handlers, emitter, out));
        }
        Order a = orders.get(0), b = orders.get(1), c = orders.get(2), d = orders.get(3);

        // A: the happy path, events fired one after another. Its payment waits for the gateway,
        // which connects a little later.
        CompletableFuture<State> payA = a.fire(Event.PAY);
        time.schedule(step.multipliedBy(3), () -> {
            out.printf("payment gateway connected: releasing %d waiting payment(s)%n", gatewayReady.waiters());
            gatewayReady.set();
        });
        payA.thenCompose(s -> a.fire(Event.SHIP))
                .thenCompose(s -> a.fire(Event.DELIVER))
                .join();

        // B: PAY, CANCEL and SHIP arrive at the same moment; the lock applies them in arrival order,
        // so PAY and CANCEL succeed and SHIP is rejected (a cancelled order cannot ship)
        List<CompletableFuture<State>> racing = List.of(b.fire(Event.PAY), b.fire(Event.CANCEL), b.fire(Event.SHIP));
        // C: DELIVER from CREATED is not a transition; D: the payment handler fails
        racing = new ArrayList<>(racing);
        racing.add(c.fire(Event.DELIVER));
        racing.add(d.fire(Event.PAY));
        // wait for everything, successes and failures alike
        Futures.allSettled(racing).join();

        out.print("final states:");
        for (Order order : orders) {
            out.print(" " + order.id + "=" + order.state());
        }
        out.println();
    }

    private static @Nullable String rootMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}
