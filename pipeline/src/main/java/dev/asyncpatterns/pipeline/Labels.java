package dev.asyncpatterns.pipeline;

import java.time.Duration;

/** Stage labels for metrics and logs: durations read as people write them ("200 ms", "2 s"). */
final class Labels {

    private Labels() {}

    static String of(Duration d) {
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException huge) {
            return d.toSeconds() + " s";
        }
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + " s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + " ms";
        }
        return nanos % 1_000L == 0 ? nanos / 1_000L + " µs" : nanos + " ns";
    }
}
