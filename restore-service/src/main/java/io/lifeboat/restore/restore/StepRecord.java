package io.lifeboat.restore.restore;

import java.time.Instant;

/** One timed step of a restore. */
public record StepRecord(String name, Instant startedAt, Instant completedAt, Double durationSeconds, String detail) {
}
