package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.time.TimeSource;
import dev.asyncpatterns.resilience.contract.JobStoreContract;
import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;

/** The {@link JobStore} contract on the in-memory store, on virtual time. */
class InMemoryJobStoreTest extends JobStoreContract {

    private final VirtualClock clock = VirtualClock.create();

    @Override
    protected JobStore<String> newStore() {
        return new InMemoryJobStore<>(clock);
    }

    @Override
    protected void elapse(Duration duration) {
        clock.advance(duration);
    }

    @Override
    protected TimeSource queueTime() {
        return clock;
    }

    @Override
    protected boolean advance() {
        clock.advanceToNextTimer();
        return false;
    }
}
