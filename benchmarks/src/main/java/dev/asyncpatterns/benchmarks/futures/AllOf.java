package dev.asyncpatterns.benchmarks.futures;

import java.util.concurrent.CompletableFuture;

/** The JDK peer of {@code Futures.all} as the gather benchmarks write it, in one place. */
public final class AllOf {

    private AllOf() {}

    /**
     * {@code CompletableFuture.allOf} over the inputs, then each result read in input order and
     * summed: what a caller without the toolkit writes to gather results (it neither fails fast nor
     * cancels the rest).
     *
     * @param inputs the futures (each completes with an {@code Integer})
     * @return the sum of the results, once every input has completed
     */
    @SafeVarargs
    public static CompletableFuture<Long> sum(CompletableFuture<Integer>... inputs) {
        return CompletableFuture.allOf(inputs).thenApply(ignored -> {
            long sum = 0;
            for (CompletableFuture<Integer> input : inputs) {
                sum += input.join();
            }
            return sum;
        });
    }
}
