package io.lifeboat.events.storage;

import io.lifeboat.events.backup.Encryption;

import java.time.Instant;
import java.util.Map;

/**
 * {@code manifest.json}, written last beside a backup's {@code data} object: the backup's commit point. The
 * bucket alone (these manifests) is enough to find and restore every backup. {@code sha256} and
 * {@code storedBytes} describe the data object exactly as stored (compressed, then encrypted if enabled);
 * {@code sizeBytes} is what was read from the source. A postgres source names its server ({@code host},
 * {@code port}) and {@code database}; {@code rowCounts} and {@code newestTimestamps} (per table, read inside the
 * dumped snapshot) describe the data a restore must give back; {@code roles} holds the statements that recreate
 * the roles the database needs (no passwords), for a restore into a cluster that lacks them. A directory source names its {@code path} and
 * records the {@code fileCount} and {@code fileBytes} of its regular files, which a restore must give back
 * exactly. A base backup of a continuous source carries {@code physical} (its data is a {@code pg_basebackup}
 * tar, restorable only with the WAL archive). From format 3, {@code partBytes} says how {@code sha256} is composed:
 * the SHA-256 over the SHA-256 of each {@code partBytes}-long piece of the stored object (as S3 composes multipart
 * checksums); without it (format 2), {@code sha256} is the whole object's. A chunked backup (format 4) carries
 * {@code chunks}, and its data object is the list of the chunks that make up the archive ({@link ChunkedData}). {@code mac} authenticates everything else (a key kept outside the bucket): a manifest without a valid
 * one was not written by this Lifeboat.
 */
public record BackupManifest(int formatVersion, String backupId, String source, String kind, Instant recoveryPointAt,
                             Instant startedAt, Instant completedAt, long sizeBytes, long storedBytes, String sha256,
                             String objectKey, String compression, Encryption encryption, String database, String path,
                             String host, Integer port, Long fileCount, Long fileBytes,
                             Map<String, String> toolVersions, Map<String, Long> rowCounts,
                             Map<String, NewestTimestamp> newestTimestamps, String roles, PhysicalBackup physical,
                             Long partBytes, ChunkedData chunks, String mac) {

    public static final int FORMAT_VERSION = 3;
    /** A chunked backup: {@code chunks} is set, and {@code objectKey} is its chunk list. */
    public static final int CHUNKED_FORMAT_VERSION = 4;
    public static final String CHUNK_LIST = "chunks";
    public static final String DATA = "data";
    public static final String MANIFEST = "manifest.json";

    /** The same manifest carrying {@code mac}. */
    public BackupManifest withMac(String mac) {
        return new BackupManifest(formatVersion, backupId, source, kind, recoveryPointAt, startedAt, completedAt, sizeBytes,
                storedBytes, sha256, objectKey, compression, encryption, database, path, host, port, fileCount, fileBytes,
                toolVersions, rowCounts, newestTimestamps, roles, physical, partBytes, chunks, mac);
    }
}
