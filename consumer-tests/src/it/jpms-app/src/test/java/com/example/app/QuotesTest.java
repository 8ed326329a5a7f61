package com.example.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class QuotesTest {

    @Test
    void quotes_fastBackend_answersFromTheCacheTheSecondTime() {
        var clock = VirtualClock.create();
        var calls = new AtomicInteger();
        var quotes = new Quotes(s -> { calls.incrementAndGet(); return CompletableFuture.completedFuture(s.length()); }, clock);
        assertEquals(List.of(4, 3), quotes.quotes(List.of("AAPL", "IBM"), Duration.ofSeconds(1)).join());
        assertEquals(List.of(4, 3), quotes.quotes(List.of("AAPL", "IBM"), Duration.ofSeconds(1)).join());
        assertEquals(2, calls.get());
        assertEquals(7, Quotes.total(List.of(4, 3)).join());
    }

    @Test
    void quotes_silentBackend_timesOutOnVirtualTime() {
        var clock = VirtualClock.create();
        var quotes = new Quotes(s -> new CompletableFuture<>(), clock);
        var result = quotes.quotes(List.of("AAPL"), Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(result.isDone());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(result.isCompletedExceptionally());
        var failure = result.handle((v, e) -> e).join();
        assertTrue(failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException, String.valueOf(failure));
    }
}
