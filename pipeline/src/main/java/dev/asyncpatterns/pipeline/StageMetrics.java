package dev.asyncpatterns.pipeline;

import java.time.Duration;
import java.util.Objects;

/**
 * A snapshot of one stage of a running (or finished) pipeline, from
 * {@link PipelineRun#metrics()}.
 *
 * <p>Counts are exact once the run has completed; taken while it runs they may lag by the
 * elements the stage is processing at that instant.
 *
 * @param stage the stage's position (0 = the source) and description, e.g. {@code "2:mapAsync(16)"}
 * @param elementsIn elements the stage took from upstream
 * @param elementsOut elements the stage handed downstream (for a sink: 0)
 * @param failures elements whose processing failed (skipped, recovered or fatal), or elements
 *     the stage dropped (ticks while downstream was busy, buffer overflow)
 * @param busy time spent working, on the run's time source: for async stages, the total time
 *     their calls were in flight (summed over concurrent calls, so it can exceed the wall time);
 *     for sinks and async boundaries, the time their drain loop ran, which includes the fused
 *     synchronous stages upstream of them (plus, for an async sink, the time its actions were in
 *     flight); zero for synchronous stages themselves, whose time is measured together with the
 *     loop that drives them (two clock reads per drain pass, never per element)
 * @param bufferDepth elements the stage holds right now (buffers, calls in flight, a partial batch)
 * @since 0.1.0
 */
public record StageMetrics(
        String stage, long elementsIn, long elementsOut, long failures, Duration busy, int bufferDepth) {

    /**
     * Validates the snapshot.
     *
     * @throws NullPointerException if {@code stage} or {@code busy} is null
     */
    public StageMetrics {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(busy, "busy");
    }
}
