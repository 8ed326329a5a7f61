package dev.asyncpatterns.core.scope;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@code TaskScope.stats()} (ADR core-0003). */
class TaskScopeStatsTest {

    @Test
    void stats_forksByOutcome_failFastCancelsTheRest() {
        var slow = new CompletableFuture<String>();
        var failing = new CompletableFuture<String>();
        TaskScope.Stats last;
        try (var scope = TaskScope.builder().name("checkout").open()) {
            scope.forkAsync(() -> CompletableFuture.completedFuture("already done")); // never enters the scope
            var ok = new CompletableFuture<String>();
            scope.forkAsync(() -> ok);
            scope.forkAsync(() -> slow);
            scope.forkAsync(() -> failing);
            assertThat(scope.stats()).isEqualTo(new TaskScope.Stats("checkout", 3, 3, 0, 0, 0, false, false));
            ok.complete("ok");
            failing.completeExceptionally(new IOException("down")); // fail-fast: cancels slow
            assertThat(slow).isCancelled();
            last = scope.stats();
        } catch (Exception expected) {
            last = null;
        }
        assertThat(last).isEqualTo(new TaskScope.Stats("checkout", 0, 3, 1, 1, 1, true, false));
    }

    @Test
    void name_defaultsToScopeAtIdentity() {
        try (var scope = TaskScope.open()) {
            assertThat(scope.name()).startsWith("scope@");
            assertThat(scope.toString()).startsWith("TaskScope[scope@");
        }
    }
}
