package io.lifeboat.events.storage;

import io.lifeboat.events.backup.Encryption;

import java.time.Instant;
import java.util.Map;

/**
 * {@code manifest.json}, written last beside a backup's {@code data} object: the backup's commit point. The
 * bucket alone (these manifests) is enough to find and restore every backup. {@code sha256} and
 * {@code storedBytes} describe the data object exactly as stored (compressed, then encrypted if enabled);
 * {@code sizeBytes} is what was read from the source. {@code rowCounts} and {@code newestTimestamps} (per
 * table of a postgres source, both read inside the dumped snapshot) describe the data a restore must give back;
 * manifests written before {@code newestTimestamps} existed have it null.
 */
public record BackupManifest(int formatVersion, String backupId, String source, String kind, Instant recoveryPointAt,
                             Instant startedAt, Instant completedAt, long sizeBytes, long storedBytes, String sha256,
                             String objectKey, String compression, Encryption encryption, String database, String path,
                             Map<String, String> toolVersions, Map<String, Long> rowCounts,
                             Map<String, NewestTimestamp> newestTimestamps) {

    public static final int FORMAT_VERSION = 1;
    public static final String DATA = "data";
    public static final String MANIFEST = "manifest.json";
}
