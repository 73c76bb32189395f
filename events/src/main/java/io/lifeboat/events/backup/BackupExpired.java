package io.lifeboat.events.backup;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** Retention deleted a backup's object and manifest. */
public record BackupExpired(String backupId, String source, String reason, String objectKey, Instant expiredAt) implements EventPayload {

    @Override
    public String subject() {
        return source;
    }
}
