package dev.asyncpatterns.core.scope;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The table that tells a fresh fork thread (default executor) which scope it is a fork of: a
 * thread finds its own fork while thousands of others share the buckets, a thread that is no fork
 * finds none, and forks whose exit hook runs on another fork's thread (born cancelled) do not
 * unlink that thread's entry.
 */
class TaskScopeForkThreadsTest {

    @Test
    void forkFromFork_thousandsLiveAtOnce_eachFindsItsScopeAndStrangersAreRefused() throws Exception {
        int n = 5_000; // more than the table's 4,096 buckets: chains longer than one
        var allLive = new CountDownLatch(n);
        var release = new CountDownLatch(1);
        var grandchildren = new AtomicInteger();
        var nested = new AtomicInteger();
        try (var scope = TaskScope.open(TaskScope.Policy.COLLECT_ALL)) {
            List<CompletableFuture<Integer>> forks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                forks.add(scope.fork(() -> {
                    allLive.countDown();
                    release.await();
                    // forking into the scope and opening a child work only if this thread is
                    // found as one of the scope's forks
                    scope.fork(grandchildren::incrementAndGet).join();
                    try (var child = TaskScope.open()) {
                        child.fork(nested::incrementAndGet);
                        child.joinBlocking();
                    }
                    return 1;
                }));
            }
            assertThat(allLive.await(60, TimeUnit.SECONDS)).isTrue();
            // a virtual thread that is not a fork, while every bucket holds forks
            var stranger = new CompletableFuture<Class<?>>();
            Thread.ofVirtual().start(() -> {
                try {
                    scope.fork(() -> 0);
                    stranger.complete(Void.class);
                } catch (RuntimeException e) {
                    stranger.complete(e.getClass());
                }
            });
            assertThat(stranger.get(20, TimeUnit.SECONDS)).isEqualTo(WrongThreadException.class);
            release.countDown();
            scope.joinBlocking();
            int sum = 0;
            for (CompletableFuture<Integer> fork : forks) {
                sum += fork.resultNow();
            }
            assertThat(sum).isEqualTo(n);
        }
        assertThat(grandchildren).hasValue(n);
        assertThat(nested).hasValue(n);
    }

    @Test
    void forkFromFork_afterForksBornCancelledOnItsThread_isStillTheScopesFork() throws Exception {
        var seen = new CompletableFuture<List<Boolean>>();
        try (var scope = TaskScope.open()) {
            scope.fork(() -> {
                try {
                    scope.cancel();
                    // born cancelled: their exit hooks run here, on this fork's thread, and must
                    // not unlink this thread's own entry
                    var first = scope.fork(() -> 1);
                    var second = scope.fork(() -> 2);
                    var third = scope.fork(() -> 3);
                    seen.complete(List.of(first.isCancelled(), second.isCancelled(), third.isCancelled()));
                } catch (Throwable t) {
                    seen.completeExceptionally(t);
                }
                return 0;
            });
            assertThat(seen.get(20, TimeUnit.SECONDS)).containsExactly(true, true, true);
        }
    }
}
