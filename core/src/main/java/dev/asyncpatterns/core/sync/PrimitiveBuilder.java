package dev.asyncpatterns.core.sync;

import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.time.TimeSource;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/*
 * Maintainer's note.
 *
 * The settings the lock, read-write lock and semaphore builders share: a name (ADR core-0003) and
 * a time source, each set once. Package-private with public setters, the way
 * java.lang.AbstractStringBuilder carries StringBuilder's methods: users see name(...) and
 * timeSource(...) as methods of AsyncLock.Builder, AsyncReadWriteLock.Builder and
 * AsyncSemaphore.Builder, returning that builder (B).
 */
/**
 * The settings every sync primitive's builder shares. Not thread-safe, like a builder.
 *
 * @param <B> the concrete builder
 */
abstract class PrimitiveBuilder<B extends PrimitiveBuilder<B>> {

    private @Nullable String name;
    private @Nullable TimeSource timeSource;

    PrimitiveBuilder() {}

    /**
     * The name used in logs, {@code toString()} and {@code stats()} (default
     * {@code <kind>@<hash>}, e.g. {@code lock@1b6d3586}).
     *
     * @param name the name
     * @return this builder
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank, longer than 200 characters or
     *     holds a control character
     * @throws IllegalStateException if already set
     */
    public B name(String name) {
        Checks.name(name);
        Checks.once(this.name != null, "name");
        this.name = name;
        return self();
    }

    /**
     * The clock for timed waits (default {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     * @throws NullPointerException if {@code timeSource} is null
     * @throws IllegalStateException if already set
     */
    public B timeSource(TimeSource timeSource) {
        Objects.requireNonNull(timeSource, "timeSource");
        Checks.unset(this.timeSource, "timeSource");
        this.timeSource = timeSource;
        return self();
    }

    /** The name given, or {@code null} for the primitive's default name. */
    final @Nullable String givenName() {
        return name;
    }

    /** The time source given, or the system's. */
    final TimeSource timeSourceOrSystem() {
        return timeSource == null ? TimeSource.system() : timeSource;
    }

    @SuppressWarnings("unchecked") // every subclass is declared as Builder extends PrimitiveBuilder<Builder>
    private B self() {
        return (B) this;
    }
}
