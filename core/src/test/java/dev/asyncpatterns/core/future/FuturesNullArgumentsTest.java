package dev.asyncpatterns.core.future;

import com.google.common.testing.NullPointerTester;
import dev.asyncpatterns.core.Outcome;
import dev.asyncpatterns.core.scope.TaskScope;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** Every public method of the futures API rejects a null argument with an NPE, before doing anything. */
class FuturesNullArgumentsTest {

    private final VirtualClock clock = VirtualClock.create();

    /** Parameters that accept null by design: a value, possibly null. */
    private static NullPointerTester ignoreNullableValues(NullPointerTester tester) {
        try {
            return tester.ignore(Futures.class.getMethod("completed", Object.class))
                    .ignore(Outcome.class.getMethod("success", Object.class))
                    .ignore(Outcome.class.getMethod("of", Object.class, Throwable.class))
                    .ignore(Outcome.class.getMethod("getOrElse", Object.class));
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    private NullPointerTester tester() {
        return ignoreNullableValues(new NullPointerTester())
                .setDefault(Duration.class, Duration.ofSeconds(1))
                .setDefault(Instant.class, clock.instant())
                .setDefault(TimeSource.class, clock)
                .setDefault(CompletableFuture.class, new CompletableFuture<>())
                .setDefault(Executor.class, (Executor) Runnable::run)
                .setDefault(WaitPolicy.class, WaitPolicy.ALL_COMPLETED)
                .setDefault(TaskScope.Policy.class, TaskScope.Policy.FAIL_FAST);
    }

    @Test
    void staticMethods_rejectNulls() {
        tester().testAllPublicStaticMethods(Futures.class);
        tester().testAllPublicStaticMethods(Tasks.class);
        tester().testAllPublicStaticMethods(Blocking.class);
        tester().testAllPublicStaticMethods(Outcome.class);
    }

    @Test
    void instanceMethods_rejectNulls() {
        tester().testAllPublicInstanceMethods(Outcome.success(1));
        tester().testAllPublicInstanceMethods(Futures.asCompleted(java.util.List.of(new CompletableFuture<String>())));
        tester().testAllPublicInstanceMethods(TaskScope.builder());
        try (var scope = TaskScope.open()) {
            tester().testAllPublicInstanceMethods(scope);
        }
    }
}
