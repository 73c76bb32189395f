package io.lifeboat.backup.backup;

import io.lifeboat.events.storage.NewestTimestamp;
import io.lifeboat.events.storage.PhysicalBackup;

import java.time.Instant;
import java.util.Map;

/**
 * What reading a source produced, for the manifest: its recovery point and what the data holds (row counts and
 * newest timestamps of a database; regular files and their bytes of a directory; the WAL range of a base backup).
 */
record SourceRead(Instant recoveryPoint, Map<String, String> toolVersions, Map<String, Long> rowCounts,
                  Map<String, NewestTimestamp> newestTimestamps, Long fileCount, Long fileBytes, String roles,
                  PhysicalBackup physical) {
}
