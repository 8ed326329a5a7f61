package com.example.app;

import dev.asyncpatterns.cache.AsyncCaches;
import dev.asyncpatterns.cache.MemoizedFunction;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.pipeline.Pipeline;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** A user's class on the class path: gathers quotes with a deadline, through a cache. */
public final class Quotes {
    private final MemoizedFunction<String, Integer> cached;
    private final TimeSource time;

    public Quotes(Function<String, CompletableFuture<Integer>> backend, TimeSource time) {
        this.cached = AsyncCaches.builder().timeSource(time).memoize(backend::apply);
        this.time = time;
    }

    public CompletableFuture<List<Integer>> quotes(List<String> symbols, Duration deadline) {
        return Futures.withTimeout(Futures.all(symbols.stream().map(cached::apply).toList()), deadline, time);
    }

    public static CompletableFuture<Integer> total(List<Integer> values) {
        return Pipeline.from(values).fold(0, Integer::sum).run();
    }
}
