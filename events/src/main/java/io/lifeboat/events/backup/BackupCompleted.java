package io.lifeboat.events.backup;

import io.lifeboat.events.EventPayload;
import java.time.Instant;
import java.util.Map;

/** A backup's manifest was written: the backup exists. Carries every manifest field. */
public record BackupCompleted(String backupId, String source, String kind, Instant recoveryPointAt, Instant startedAt, Instant completedAt, long sizeBytes, long storedBytes, String sha256, String objectKey, String manifestKey, String compression, Encryption encryption, Map<String, String> toolVersions, Map<String, Long> rowCounts) implements EventPayload {

    @Override
    public String subject() {
        return source;
    }
}
