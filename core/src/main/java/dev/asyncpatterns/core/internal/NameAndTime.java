package dev.asyncpatterns.core.internal;

import dev.asyncpatterns.core.time.TimeSource;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The two settings every sync primitive's builder shares: a name (ADR core-0003) and a time
 * source, each set once. Builders keep one and forward to it. Not thread-safe, like a builder.
 */
public final class NameAndTime {

    private @Nullable String name;
    private @Nullable TimeSource timeSource;

    /**
     * Sets the name.
     *
     * @param name the name
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is not a valid name ({@link Checks#name})
     * @throws IllegalStateException if already set
     */
    public void name(String name) {
        Checks.name(name);
        Checks.once(this.name != null, "name");
        this.name = name;
    }

    /**
     * Sets the time source.
     *
     * @param timeSource the time source
     * @throws NullPointerException if {@code timeSource} is null
     * @throws IllegalStateException if already set
     */
    public void timeSource(TimeSource timeSource) {
        Objects.requireNonNull(timeSource, "timeSource");
        Checks.unset(this.timeSource, "timeSource");
        this.timeSource = timeSource;
    }

    /**
     * The name given, if any.
     *
     * @return the name, or {@code null} if none was given
     */
    public @Nullable String name() {
        return name;
    }

    /**
     * The time source given, or the system's.
     *
     * @return the time source
     */
    public TimeSource timeSource() {
        return timeSource == null ? TimeSource.system() : timeSource;
    }
}
