package com.example.metrics;

import dev.asyncpatterns.core.sync.AsyncSemaphore;
import dev.asyncpatterns.micrometer.SemaphoreMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/** A bounded set of connections whose figures an operator scrapes. */
public final class Connections {

    private final AsyncSemaphore permits;

    /**
     * Creates the connections and binds them to the registry.
     *
     * @param registry the registry
     * @param size how many connections
     */
    public Connections(MeterRegistry registry, int size) {
        this.permits = SemaphoreMetrics.monitor(registry, AsyncSemaphore.builder(size).name("connections").build());
    }

    /**
     * The semaphore behind the connections.
     *
     * @return the semaphore
     */
    public AsyncSemaphore permits() {
        return permits;
    }
}
