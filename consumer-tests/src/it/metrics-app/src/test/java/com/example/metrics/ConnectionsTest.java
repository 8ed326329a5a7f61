package com.example.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ConnectionsTest {

    @Test
    void waiters_areScraped_withoutPipelineResilienceOrCacheOnThePath() {
        var registry = new SimpleMeterRegistry();
        var connections = new Connections(registry, 1);
        connections.permits().acquire();
        connections.permits().acquire();
        assertEquals(1.0, registry.get("asyncpatterns.semaphore.waiters").tag("name", "connections").gauge().value());
        assertFalse(ModuleLayer.boot().findModule("dev.asyncpatterns.cache").isPresent()
                || isOnClassPath("dev.asyncpatterns.cache.MemoizedFunction"), "cache must not be needed");
    }

    private static boolean isOnClassPath(String name) {
        try {
            Class.forName(name);
            return true;
        } catch (ClassNotFoundException absent) {
            return false;
        }
    }
}
