package io.lifeboat.drill.run;

import io.lifeboat.events.storage.NewestTimestamp;

import java.time.Instant;
import java.util.Map;

/**
 * Per source: the backup the drill restores, its recovery point and the state it holds; and the RPO basis, the
 * newest verified backup when the drill started (what a real incident would have restored). Without a fresh
 * backup, both are the same backup.
 */
record Prepared(String source, String kind, String backupId, Instant recoveryPoint, long storedBytes,
                Map<String, Long> rowCounts, Map<String, NewestTimestamp> newestTimestamps, long files, long bytes,
                String database, String rpoBasisBackupId, Instant rpoBasisPoint) {
}
