package io.lifeboat.events.restore;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** One timed step of a restore finished. */
public record RestoreStepCompleted(String restoreId, String source, String step, Instant startedAt, Instant completedAt, double durationSeconds) implements EventPayload {

    @Override
    public String subject() {
        return restoreId;
    }
}
