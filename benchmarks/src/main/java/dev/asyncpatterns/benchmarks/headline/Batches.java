package dev.asyncpatterns.benchmarks.headline;

import com.ibm.asyncutil.locks.AsyncSemaphore;
import com.ibm.asyncutil.locks.FairAsyncSemaphore;
import dev.asyncpatterns.core.future.Futures;
import dev.asyncpatterns.core.future.Parallel;
import dev.asyncpatterns.pipeline.Pipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The ways to run calls {@code 0..calls-1} against a {@link Backend}, one per {@link Variant},
 * shared by {@link HeadlineBenchmark} and {@link ScalingBenchmark}. Each returns the answers in
 * call order and fails if any call fails.
 */
final class Batches {

    private Batches() {}

    /** One blocking call after another. */
    static List<String> sequential(Backend backend, int calls) throws Exception {
        List<String> answers = new ArrayList<>(calls);
        for (int i = 0; i < calls; i++) {
            answers.add(backend.call(i));
        }
        return answers;
    }

    /** Every call started at once, joined with {@code CompletableFuture.allOf} (JDK peer). */
    static List<String> completableFutureAll(Backend backend, int calls) {
        return joinAll(startAll(backend, calls));
    }

    /** Every call started at once, joined with the toolkit's {@code Futures.all}. */
    static List<String> futuresAll(Backend backend, int calls) {
        return Futures.all(startAll(backend, calls)).join();
    }

    /** One virtual thread per blocking call (JDK peer). */
    static List<String> virtualThreads(Backend backend, int calls) throws Exception {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> futures = new ArrayList<>(calls);
            for (int i = 0; i < calls; i++) {
                int call = i;
                futures.add(executor.submit(() -> backend.call(call)));
            }
            return collect(futures);
        }
    }

    /** One virtual thread per blocking call, at most {@code limit} inside a {@link Semaphore} (JDK peer). */
    static List<String> virtualThreadsSemaphore(Backend backend, int calls, int limit) throws Exception {
        Semaphore permits = new Semaphore(limit);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> futures = new ArrayList<>(calls);
            for (int i = 0; i < calls; i++) {
                int call = i;
                futures.add(executor.submit(() -> {
                    permits.acquire();
                    try {
                        return backend.call(call);
                    } finally {
                        permits.release();
                    }
                }));
            }
            return collect(futures);
        }
    }

    /**
     * Every call started as soon as an IBM asyncutil {@code FairAsyncSemaphore} with {@code limit}
     * permits grants one; no thread waits (async library peer).
     */
    static List<String> asyncutilSemaphore(Backend backend, int calls, int limit) {
        AsyncSemaphore permits = new FairAsyncSemaphore(limit);
        List<CompletableFuture<String>> futures = new ArrayList<>(calls);
        for (int i = 0; i < calls; i++) {
            int call = i;
            futures.add(permits.acquire()
                    .toCompletableFuture()
                    .thenCompose(ignored -> backend.callAsync(call))
                    .whenComplete((answer, failure) -> permits.release()));
        }
        return joinAll(futures);
    }

    /** The toolkit's {@code Parallel.map}: a sliding window of at most {@code limit} async calls. */
    static List<String> parallelMap(Backend backend, List<Integer> indices, int limit) {
        return Parallel.map(indices, limit, backend::callAsync).join();
    }

    /**
     * A pipeline: source of call numbers, {@code mapAsync(limit)} (ordered, at most {@code limit}
     * calls held), collected to a list (toolkit).
     */
    static List<String> pipeline(Backend backend, List<Integer> indices, int limit) {
        return Pipeline.from(indices)
                .mapAsync(limit, backend::callAsync)
                .toList(indices.size())
                .run()
                .join();
    }

    private static List<CompletableFuture<String>> startAll(Backend backend, int calls) {
        List<CompletableFuture<String>> futures = new ArrayList<>(calls);
        for (int i = 0; i < calls; i++) {
            futures.add(backend.callAsync(i));
        }
        return futures;
    }

    private static List<String> joinAll(List<CompletableFuture<String>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(
                        ignored -> futures.stream().map(CompletableFuture::join).toList())
                .join();
    }

    private static List<String> collect(List<Future<String>> futures) throws InterruptedException, ExecutionException {
        List<String> answers = new ArrayList<>(futures.size());
        for (Future<String> future : futures) {
            answers.add(future.get());
        }
        return answers;
    }
}
