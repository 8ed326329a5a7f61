package dev.asyncpatterns.resilience.snippets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.resilience.AsyncResilience;
import dev.asyncpatterns.resilience.Hedging;
import dev.asyncpatterns.resilience.JobAttempt;
import dev.asyncpatterns.resilience.JobRecord;
import dev.asyncpatterns.resilience.ResilienceEvent;
import dev.asyncpatterns.resilience.RetryQueue;
import dev.asyncpatterns.testkit.VirtualClock;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The examples in the resilience module's javadoc, compiled and run: each region is shown by a
 * {@code {@snippet class=... region=...}} tag, and each test checks that the example does what
 * its javadoc says. The services they call are small fakes defined outside the regions.
 */
class ResilienceSnippets {

    private final VirtualClock clock = VirtualClock.create();

    /**
     * The inventory service: answers "17" until it goes down. Like many client methods it
     * declares a checked exception, and {@code call(() -> client.stock(sku))} accepts it.
     */
    static final class InventoryClient {
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean down;

        CompletableFuture<String> stock(String sku) throws IOException {
            calls.incrementAndGet();
            return down
                    ? CompletableFuture.failedFuture(new IOException("inventory unreachable"))
                    : CompletableFuture.completedFuture("17");
        }
    }

    record Order(String id, long cents) {}

    record Receipt(String orderId) {}

    /** Declines the first {@code declines} charges, then accepts every charge. */
    static final class Billing {
        final List<Order> attempts = new CopyOnWriteArrayList<>();
        final AtomicInteger declines;

        Billing(int declines) {
            this.declines = new AtomicInteger(declines);
        }

        CompletableFuture<Receipt> charge(Order order) {
            attempts.add(order);
            return declines.getAndDecrement() > 0
                    ? CompletableFuture.failedFuture(new IOException("billing unavailable"))
                    : CompletableFuture.completedFuture(new Receipt(order.id()));
        }
    }

    @Test
    void inventoryPolicy_answersThenFallsBackWhenTheCircuitOpens() {
        // the registries an application already has; their circuit breakers read the same clock
        CircuitBreakerRegistry circuitBreakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .clock(AsyncResilience.clock(clock))
                .slidingWindowSize(4)
                .minimumNumberOfCalls(4)
                .failureRateThreshold(50)
                .build());
        RetryRegistry retries = RetryRegistry.of(RetryConfig.custom()
                .maxAttempts(3)
                .waitDuration(Duration.ofMillis(100))
                .build());
        InventoryClient client = new InventoryClient();
        String sku = "SKU-1";
        List<CircuitBreaker.State> circuitLog = new CopyOnWriteArrayList<>();

        // @start region=inventoryPolicy
        AsyncResilience<String> inventory = AsyncResilience.<String>builder("inventory")
                .circuitBreaker(circuitBreakers, "inventory") // resilience4j registries or instances
                .retry(retries, "inventory")
                .bulkhead(Bulkhead.of(
                        "inventory",
                        BulkheadConfig.custom().maxConcurrentCalls(20).build()))
                .deadline(Duration.ofSeconds(2))
                .hedging(Hedging.afterPercentile(0.95, Duration.ofMillis(100), 1))
                .circuitOpenFallback(open -> "cached")
                .on(ResilienceEvent.CircuitStateChanged.class, e -> circuitLog.add(e.to()))
                .timeSource(clock) // in tests only: virtual time
                .build(); // immutable, listeners included
        CompletableFuture<String> stock = inventory.call(() -> client.stock(sku));
        // @end

        assertThat(stock).isCompletedWithValue("17");
        assertThat(client.calls).hasValue(1);

        // the service goes down: three attempts (100 ms apart) fail, and the circuit opens
        client.down = true;
        CompletableFuture<String> failing = inventory.call(() -> client.stock(sku));
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(failing::join).hasCauseInstanceOf(IOException.class);
        assertThat(client.calls).hasValue(4);
        assertThat(circuitBreakers.circuitBreaker("inventory").getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(circuitLog).containsExactly(CircuitBreaker.State.OPEN);

        // with the circuit open, callers get the fallback and the service is left alone
        CompletableFuture<String> served = inventory.call(() -> client.stock(sku));
        clock.advance(Duration.ofSeconds(1));
        assertThat(served).isCompletedWithValue("cached");
        assertThat(client.calls).hasValue(4);
        assertThat(inventory.stats().calls()).isEqualTo(3);
    }

    private final Billing billing = new Billing(6); // declines all six attempts, then recovers
    private final Order order = new Order("order-1", 4_200);

    @Test
    void retryQueueOrders_failingJobBecomesDeadLetterAndReplaySucceeds() {
        // @start region=retryQueueOrders
        RetryQueue<Order> orders = RetryQueue.builder("orders", (Order order) -> billing.charge(order))
                .backoff(Backoff.exponential(Duration.ofMillis(200))
                        .jitter(Backoff.Jitter.FULL)
                        .cap(Duration.ofMinutes(1))
                        .maxAttempts(6))
                .concurrency(8)
                .timeSource(clock) // in tests only: virtual time
                .build();
        orders.submit(order).join(); // acknowledged: the job will succeed or be a dead letter
        clock.advance(Duration.ofMinutes(10)); // ... (here: every attempt is declined)
        List<JobRecord<Order>> dead = orders.deadLetters().join();
        orders.replay(dead.get(0).id());
        // @end

        assertThat(dead).singleElement().satisfies(letter -> {
            assertThat(letter.job()).isEqualTo(order);
            assertThat(letter.history()).extracting(JobAttempt::number).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(letter.lastAttempt().failure()).hasMessage("billing unavailable");
        });
        clock.advance(Duration.ZERO); // the replayed job is due at once
        assertThat(billing.attempts).hasSize(7).containsOnly(order);
        assertThat(orders.deadLetters().join()).isEmpty();
        assertThat(orders.stats().succeeded()).isEqualTo(1);
        assertThat(orders.stats().replayed()).isEqualTo(1);
    }
}
