package dev.asyncpatterns.benchmarks.queues;

import com.softwaremill.jox.Channel;
import dev.asyncpatterns.core.queue.AsyncQueue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One producer and one consumer moving {@value #ITEMS} items through a bounded queue: items per
 * second, {@code AsyncQueue} side by side with {@code ArrayBlockingQueue},
 * {@code LinkedBlockingQueue} and Jox's {@code Channel}, at capacity 16 and 1,024, with the two
 * parties on platform or virtual threads.
 *
 * <ul>
 *   <li>{@code asyncQueue}: {@link AsyncQueue#putBlocking} / {@link AsyncQueue#takeBlocking()}
 *       (the form meant for threads);</li>
 *   <li>{@code asyncQueueFutures}: {@link AsyncQueue#put} / {@link AsyncQueue#take()} joined on
 *       the calling thread (the future-returning form, one future per operation);</li>
 *   <li>{@code arrayBlockingQueue}, {@code linkedBlockingQueue}: {@code put} / {@code take};</li>
 *   <li>{@code jox}: {@code Channel.newBufferedChannel(capacity)}, {@code send} / {@code receive}.</li>
 * </ul>
 *
 * <p>Each invocation starts a fresh producer and consumer thread and waits for both; thread start
 * cost is amortised over {@value #ITEMS} items.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar QueueThroughput -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QueueThroughputBenchmark {

    static final int ITEMS = 100_000;

    /** The queue implementation under test. */
    @Param({"asyncQueue", "asyncQueueFutures", "arrayBlockingQueue", "linkedBlockingQueue", "jox"})
    public String impl;

    /** The queue bound. */
    @Param({"16", "1024"})
    public int capacity;

    /** Where producer and consumer run: {@code platform} or {@code virtual} threads. */
    @Param({"platform", "virtual"})
    public String threads;

    private ThreadFactory factory;

    /** Minimal put/take view over each implementation. */
    interface Pipe {
        void put(Integer item) throws InterruptedException;

        Integer take() throws InterruptedException;
    }

    private static final Integer[] BOXES = new Integer[1024];

    static {
        for (int i = 0; i < BOXES.length; i++) {
            BOXES[i] = i;
        }
    }

    /** Picks the thread factory. */
    @Setup
    public void setUp() {
        factory = switch (threads) {
            case "platform" -> Thread.ofPlatform().factory();
            case "virtual" -> Thread.ofVirtual().factory();
            default -> throw new IllegalArgumentException("threads=" + threads);
        };
    }

    private Pipe newPipe() {
        return switch (impl) {
            case "asyncQueue" -> {
                AsyncQueue<Integer> q = AsyncQueue.bounded(capacity);
                yield new Pipe() {
                    public void put(Integer item) throws InterruptedException {
                        q.putBlocking(item);
                    }

                    public Integer take() throws InterruptedException {
                        return q.takeBlocking();
                    }
                };
            }
            case "asyncQueueFutures" -> {
                AsyncQueue<Integer> q = AsyncQueue.bounded(capacity);
                yield new Pipe() {
                    public void put(Integer item) {
                        q.put(item).join();
                    }

                    public Integer take() {
                        return q.take().join();
                    }
                };
            }
            case "arrayBlockingQueue" -> blocking(new ArrayBlockingQueue<>(capacity));
            case "linkedBlockingQueue" -> blocking(new LinkedBlockingQueue<>(capacity));
            case "jox" -> {
                Channel<Integer> q = Channel.newBufferedChannel(capacity);
                yield new Pipe() {
                    public void put(Integer item) throws InterruptedException {
                        q.send(item);
                    }

                    public Integer take() throws InterruptedException {
                        return q.receive();
                    }
                };
            }
            default -> throw new IllegalArgumentException("impl=" + impl);
        };
    }

    private static Pipe blocking(BlockingQueue<Integer> q) {
        return new Pipe() {
            public void put(Integer item) throws InterruptedException {
                q.put(item);
            }

            public Integer take() throws InterruptedException {
                return q.take();
            }
        };
    }

    /**
     * Moves {@value #ITEMS} items from a producer thread to a consumer thread.
     *
     * @return a checksum of what the consumer received
     * @throws InterruptedException if interrupted
     */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long transfer() throws InterruptedException {
        Pipe pipe = newPipe();
        long[] sum = new long[1];
        Thread producer = factory.newThread(() -> {
            try {
                for (int i = 0; i < ITEMS; i++) {
                    pipe.put(BOXES[i & 1023]);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread consumer = factory.newThread(() -> {
            try {
                long s = 0;
                for (int i = 0; i < ITEMS; i++) {
                    s += pipe.take();
                }
                sum[0] = s;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        consumer.start();
        producer.start();
        producer.join();
        consumer.join();
        return sum[0];
    }
}
