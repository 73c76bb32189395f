package io.lifeboat.events.backup;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** A backup began reading its source. */
public record BackupStarted(String backupId, String source, String kind, Instant startedAt, String trigger) implements EventPayload {

    @Override
    public String subject() {
        return source;
    }
}
