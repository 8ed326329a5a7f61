package dev.asyncpatterns.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.awaitility.core.ThrowingRunnable;

/** Shared helpers for the pipeline tests. */
final class Support {

    /** Generous bound for genuinely concurrent waits on a loaded 2-core machine. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    private Support() {}

    /** The job, starting on the calling thread (deterministic with a virtual clock). */
    static <R> RunnablePipeline<R> direct(RunnablePipeline<R> job) {
        return job.executor(Runnable::run);
    }

    /** Runs the job on the calling thread and returns its (already completed) result. */
    static <R> R runDirect(RunnablePipeline<R> job) {
        return await(direct(job).run());
    }

    /** Waits for a result, dumping all threads if it does not come. */
    static <R> R await(CompletableFuture<R> future) {
        try {
            return future.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            dumpThreads();
            return fail("no result within " + PATIENCE + ": " + future);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        } catch (ExecutionException e) {
            throw new AssertionError("run failed", e.getCause());
        }
    }

    /** Waits for a failure and returns its cause. */
    static Throwable failureOf(CompletableFuture<?> future) {
        try {
            Object value = future.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            return fail("expected a failure but the run completed with " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            dumpThreads();
            return fail("no outcome within " + PATIENCE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /** Awaitility for genuinely concurrent conditions, behind one helper. */
    static void eventually(ThrowingRunnable assertion) {
        Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(2)).untilAsserted(assertion);
    }

    static void assertFailedWith(CompletableFuture<?> future, Throwable expected) {
        assertThat(failureOf(future)).isSameAs(expected);
    }

    /** An executor that holds tasks until the test runs them. */
    static final class ManualExecutor implements Executor {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            for (; ; ) {
                Runnable task;
                synchronized (this) {
                    task = tasks.poll();
                }
                if (task == null) {
                    return;
                }
                task.run();
            }
        }
    }

    static void dumpThreads() {
        StringBuilder dump = new StringBuilder("thread dump:\n");
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            dump.append(thread).append('\n');
            for (StackTraceElement frame : stack) {
                dump.append("    at ").append(frame).append('\n');
            }
        });
        System.err.println(dump);
    }
}
