package io.lifeboat.events.backup;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** A backup stopped without a manifest; {@code phase} is the step where it failed. */
public record BackupFailed(String backupId, String source, String phase, String error, Instant startedAt, Instant failedAt) implements EventPayload {

    @Override
    public String subject() {
        return source;
    }
}
