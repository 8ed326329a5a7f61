package dev.asyncpatterns.cache;

import com.google.common.testing.NullPointerTester;
import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Every public method rejects a null argument with a NullPointerException, at once. */
class NullArgumentsTest {

    private final NullPointerTester tester = new NullPointerTester()
            .setDefault(Duration.class, Duration.ofSeconds(1))
            .setDefault(TimeSource.class, VirtualClock.create());

    @Test
    void asyncCaches_staticMethods() {
        tester.testAllPublicStaticMethods(AsyncCaches.class);
        tester.testAllPublicStaticMethods(BatchLoader.class);
    }

    @Test
    void builders_instanceMethods() {
        tester.testAllPublicInstanceMethods(AsyncCaches.builder());
        tester.testAllPublicInstanceMethods(
                BatchLoader.<String, String>builder(keys -> CompletableFuture.completedFuture(java.util.Map.of())));
    }

    @Test
    void builtObjects_instanceMethods() {
        tester.testAllPublicInstanceMethods(AsyncCaches.builder()
                .executor(Runnable::run)
                .memoize((String key) -> CompletableFuture.completedFuture(key)));
        tester.testAllPublicInstanceMethods(
                BatchLoader.<String, String>builder(keys -> CompletableFuture.completedFuture(java.util.Map.of()))
                        .timeSource(VirtualClock.create())
                        .build());
    }
}
