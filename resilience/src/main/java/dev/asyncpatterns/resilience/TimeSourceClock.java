package dev.asyncpatterns.resilience;

import dev.asyncpatterns.core.time.TimeSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/** A {@link Clock} reading a {@link TimeSource}, for resilience4j configs. */
final class TimeSourceClock extends Clock {

    private final TimeSource time;
    private final ZoneId zone;

    TimeSourceClock(TimeSource time, ZoneId zone) {
        this.time = Objects.requireNonNull(time, "time");
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    TimeSourceClock(TimeSource time) {
        this(time, ZoneOffset.UTC);
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
        return new TimeSourceClock(time, newZone);
    }

    @Override
    public Instant instant() {
        return time.instant();
    }

    @Override
    public long millis() {
        return time.instant().toEpochMilli();
    }

    @Override
    public String toString() {
        return "TimeSourceClock[" + time + "]";
    }
}
