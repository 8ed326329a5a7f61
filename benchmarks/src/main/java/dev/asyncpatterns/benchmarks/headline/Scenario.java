package dev.asyncpatterns.benchmarks.headline;

import dev.asyncpatterns.core.time.TimeSource;
import java.time.Duration;

/**
 * The four scenarios of the classic sync-vs-async tutorials, each a batch of independent I/O
 * calls with a realistic latency and the concurrency limit a polite client would use (an API's
 * rate limit, a connection pool, a file-handle budget, a crawler's politeness limit).
 */
public enum Scenario {

    /** 10 calls to a JSON API over local HTTP, 100 ms each, at most 5 in flight. */
    API_CALLS("10 API calls", "api", 10, Duration.ofMillis(100), 5, true),
    /** 5 database queries on the latency model, 20 ms each, a pool of 2 connections. */
    DB_QUERIES("5 DB queries", "row", 5, Duration.ofMillis(20), 2, false),
    /** 100 file reads on the latency model, 20 ms each, at most 10 open at once. */
    FILE_READS("100 file reads", "file", 100, Duration.ofMillis(20), 10, false),
    /** 50 page scrapes over local HTTP, 100 ms each, at most 10 in flight. */
    PAGE_SCRAPES("50 page scrapes", "page", 50, Duration.ofMillis(100), 10, true);

    private final String title;
    private final String kind;
    private final int calls;
    private final Duration latency;
    private final int limit;
    private final boolean http;

    Scenario(String title, String kind, int calls, Duration latency, int limit, boolean http) {
        this.title = title;
        this.kind = kind;
        this.calls = calls;
        this.latency = latency;
        this.limit = limit;
        this.http = http;
    }

    /** @return the human title, e.g. "10 API calls" */
    public String title() {
        return title;
    }

    /** @return the number of calls in one batch */
    public int calls() {
        return calls;
    }

    /** @return the latency of one call */
    public Duration latency() {
        return latency;
    }

    /** @return the concurrency limit of the bounded variants */
    public int limit() {
        return limit;
    }

    /** @return whether the calls go over local HTTP rather than the latency model */
    public boolean http() {
        return http;
    }

    /** @return the ideal time of the batch run one call after another: calls x latency */
    public Duration idealSequential() {
        return latency.multipliedBy(calls);
    }

    /** @return the ideal time with every call in flight at once: one latency */
    public Duration idealConcurrent() {
        return latency;
    }

    /** @return the ideal time with at most {@link #limit()} in flight: ceil(calls / limit) x latency */
    public Duration idealBounded() {
        return latency.multipliedBy((calls + limit - 1) / limit);
    }

    /** @return the answer call {@code i} gives */
    String answer(int i) {
        return kind + "-" + i;
    }

    /**
     * Creates the scenario's back end.
     *
     * @param time the timers that simulate the latency
     * @param latency the latency (normally {@link #latency()}; tests pass a shorter one)
     * @return a local HTTP back end or the latency model, as the scenario says
     */
    Backend backend(TimeSource time, Duration latency) {
        return http ? new HttpBackend(time, latency, kind) : new SimulatedIo(time, latency, kind);
    }
}
