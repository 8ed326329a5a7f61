package dev.asyncpatterns.examples;

import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.pipeline.Pipeline;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Example 5: real-time aggregation of a live event stream in tumbling time windows. The stream
 * is simulated by an async generator ({@link Pipeline#unfold}) that emits a burst of 0-8 page
 * views every 10 ms on a timer, with a traffic spike (more views, slower, some errors) in the
 * middle; {@link Pipeline#window}
 * reduces each 200 ms window to a summary (count, busiest pages, average and worst latency,
 * errors), printed as the window closes. After 6 windows {@code take(6)} ends the run, which
 * stops the endless source.
 *
 * <p>asyncio: {@code async for event in stream():} appending to the current bucket and flushing
 * it when {@code loop.time()} passes the window's end.
 */
final class RealTimeAggregation implements Example {

    @Override
    public String name() {
        return "aggregation";
    }

    @Override
    public String description() {
        return "a simulated live event stream aggregated in tumbling time windows";
    }

    /** One event of the stream. */
    record PageView(String page, int latencyMillis, boolean error) {}

    /** What a window boils down to. */
    record Summary(int events, Map<String, Long> perPage, double avgLatency, int maxLatency, long errors) {
        static Summary of(List<PageView> views) {
            Map<String, Long> perPage =
                    new TreeMap<>(views.stream().collect(Collectors.groupingBy(PageView::page, Collectors.counting())));
            return new Summary(
                    views.size(),
                    perPage,
                    views.stream().mapToInt(PageView::latencyMillis).average().orElse(0),
                    views.stream().mapToInt(PageView::latencyMillis).max().orElse(0),
                    views.stream().filter(PageView::error).count());
        }

        String topPages() {
            return perPage.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                            .thenComparing(Map.Entry.comparingByKey()))
                    .limit(3)
                    .map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", "));
        }
    }

    private static final List<String> PAGES = List.of("/home", "/search", "/product", "/cart", "/checkout");

    @Override
    public void run(PrintStream out, boolean fast) throws Exception {
        TimeSource time = TimeSource.system();
        Duration tick = Duration.ofMillis(10);
        Duration windowLength = Duration.ofMillis(fast ? 200 : 1000);
        int windows = 6;
        // the spike: from the start of the 3rd window to the end of the 4th, by the clock (not by
        // tick count, which falls behind the windows when timers run late on a busy machine)
        long spikeFromNanos = windowLength.toNanos() * 2;
        long spikeToNanos = windowLength.toNanos() * 4;
        var produced = new AtomicInteger();
        var random = new SplittableRandom(42); // seeded: the same traffic on every run
        var firstTick = new AtomicLong();

        // The source: an async generator whose state is the tick number. Each step waits for the
        // next tick (a timer: no thread is blocked), then emits a burst of page views.
        Pipeline<List<PageView>> bursts = Pipeline.unfold(
                0,
                (Integer n) -> time.delay(tick).thenApply(ignored -> {
                    long now = System.nanoTime();
                    firstTick.compareAndSet(0, now);
                    long sinceFirst = now - firstTick.get();
                    boolean spike = sinceFirst >= spikeFromNanos && sinceFirst < spikeToNanos;
                    int size = spike ? random.nextInt(4, 13) : random.nextInt(0, 9); // 0..8, or 4..12 in the spike
                    List<PageView> burst = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        int latency = 20 + random.nextInt(spike ? 200 : 60);
                        burst.add(new PageView(PAGES.get(random.nextInt(PAGES.size())), latency, latency > 200));
                    }
                    produced.addAndGet(size);
                    return Optional.of(new Pipeline.Step<>(burst, n + 1));
                }));

        out.printf(
                "page views in bursts every %d ms, a traffic spike in windows 3 and 4; %d ms tumbling windows%n",
                tick.toMillis(), windowLength.toMillis());
        var aggregated = new AtomicInteger();
        var windowNumber = new AtomicInteger();
        bursts.flatMap(burst -> burst) // a stream of single page views
                .window(windowLength, Collectors.collectingAndThen(Collectors.toList(), Summary::of))
                .take(windows) // the source is endless: stop after this many windows
                .forEach(summary -> {
                    aggregated.addAndGet(summary.events());
                    out.printf(
                            "window %d (closed %4d ms after the first event): %3d views, top %s; latency avg %3.0f ms, max %3d ms; %d errors%n",
                            windowNumber.incrementAndGet(),
                            (System.nanoTime() - firstTick.get()) / 1_000_000,
                            summary.events(),
                            summary.topPages(),
                            summary.avgLatency(),
                            summary.maxLatency(),
                            summary.errors());
                })
                .run()
                .join();
        out.printf(
                "%d windows aggregated %d page views; the source produced %d and was stopped with the run%n",
                windowNumber.get(), aggregated.get(), produced.get());
    }
}
