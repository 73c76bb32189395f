package io.lifeboat.restore.restore;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lifeboat.events.restore.CheckResult;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A restore as the API shows it: steps with durations, progress and ETA while running, checks when verified. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreView(String id, String source, String backupId, Instant recoveryPointAt, PointInTime pointInTime,
                          String target,
                          RestoreMode mode, RestoreReason reason, String incidentId, String drillId, String actor,
                          RestorePhase phase, Instant requestedAt, Instant startedAt, Instant completedAt,
                          Double durationSeconds, String restoredAs, String movedAsideAs, List<StepRecord> steps,
                          Progress progress, List<CheckResult> checks, String failedStep, String error,
                          Double throughputMiBPerSecond, Long throughputBytesPerSecond) {

    /** How a point-in-time restore recovers: to {@code at} ({@code time}), the newest WAL, or a base backup itself. */
    public record PointInTime(String recoveryTarget, Instant at) {
    }

    public record Progress(long bytesDone, Long bytesTotal, Double percent, Double bytesPerSecond, Duration eta) {
    }

    public static RestoreView of(Restore r) {
        Progress progress = null;
        if (r.phase == RestorePhase.InProgress && r.startedAt != null) {
            double seconds = Math.max(0.001, Duration.between(r.startedAt, Instant.now()).toMillis() / 1000.0);
            double rate = r.bytesDone / seconds;
            Double percent = r.bytesTotal == null || r.bytesTotal == 0 ? null : Math.min(100.0, 100.0 * r.bytesDone / r.bytesTotal);
            Duration eta = r.bytesTotal == null || rate <= 0 ? null
                    : Duration.ofSeconds((long) Math.max(0, (r.bytesTotal - r.bytesDone) / rate));
            progress = new Progress(r.bytesDone, r.bytesTotal, percent, rate, eta);
        }
        Double duration = r.startedAt == null || r.completedAt == null ? null
                : Duration.between(r.startedAt, r.completedAt).toMillis() / 1000.0;
        Long bytesPerSecond = duration == null || duration == 0 || r.bytesTotal == null || r.phase != RestorePhase.Completed ? null
                : Math.round(r.bytesTotal / duration);
        Double throughput = bytesPerSecond == null ? null : Math.round(bytesPerSecond / 1048576.0 * 1000) / 1000.0;
        return new RestoreView(r.id, r.source, r.backupId, r.recoveryPointAt,
                r.recoveryTarget == null ? null : new PointInTime(r.recoveryTarget, r.recoveryTargetAt), r.target, r.mode, r.reason, r.incidentId,
                r.drillId, r.actor, r.phase, r.requestedAt, r.startedAt, r.completedAt, duration, r.restoredAs,
                r.movedAsideAs, r.steps, progress, r.checks, r.failedStep, r.error, throughput, bytesPerSecond);
    }
}
