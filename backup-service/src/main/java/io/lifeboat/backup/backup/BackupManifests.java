package io.lifeboat.backup.backup;

import io.lifeboat.backup.source.Source;
import io.lifeboat.backup.source.SourceKind;
import io.lifeboat.events.backup.Encryption;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.events.storage.ChunkedData;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;

/** The manifest of a backup whose data is uploaded: what a restore, the catalogue and a drill read of it. */
final class BackupManifests {

    private BackupManifests() {
    }

    /**
     * {@code encryption} null for a plain backup; {@code chunks} null for an archive (one object), else the chunk
     * list's summary (manifest format 4).
     */
    static BackupManifest of(Source source, Encryption encryption, String backupId, Instant startedAt, SourceRead read,
                             long sizeBytes, long storedBytes, String sha256, long partBytes, String objectKey,
                             ChunkedData chunks) {
        boolean postgres = source.kind == SourceKind.postgres;
        return new BackupManifest(chunks == null ? BackupManifest.FORMAT_VERSION : BackupManifest.CHUNKED_FORMAT_VERSION,
                backupId, source.name, source.kind.name(),
                read.recoveryPoint(), startedAt, Instant.now().truncatedTo(ChronoUnit.MICROS), sizeBytes, storedBytes,
                sha256, objectKey, "zstd", encryption,
                postgres ? source.databaseName : null, postgres ? null : source.path,
                postgres ? source.host : null, postgres ? source.port : null, read.fileCount(), read.fileBytes(),
                chunks == null ? read.toolVersions() : chunkedToolVersions(read.toolVersions()), read.rowCounts(),
                read.newestTimestamps(), read.roles(), read.physical(), partBytes, chunks, null);
    }

    private static Map<String, String> chunkedToolVersions(Map<String, String> versions) {
        Map<String, String> chunked = new TreeMap<>(versions);
        chunked.put("compression", "zstd per chunk (raw when it does not compress)");
        chunked.put("chunking", "FastCDC 512 KiB / 1 MiB / 8 MiB");
        return chunked;
    }
}
