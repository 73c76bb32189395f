package io.lifeboat.backup.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** How backups run ({@code lifeboat.backup.*}). */
@ConfigMapping(prefix = "lifeboat.backup")
public interface BackupConfig {

    /** Folder of the PostgreSQL client programs (pg_dump); default: the newest /usr/lib/postgresql/N/bin. */
    Optional<String> pgBin();

    /** S3 multipart part size in MiB; parts upload in parallel while the next one fills. */
    @WithDefault("16")
    int partSizeMib();

    /** Parts uploading at once (S3Proxy takes 40-70 MiB/s per stream on loopback). */
    @WithDefault("3")
    int uploadConcurrency();

    @WithDefault("3")
    int zstdLevel();

    /** zstd worker threads (0 = single-threaded). */
    @WithDefault("2")
    int zstdWorkers();

    /** Chunks of a chunked backup hashed, compressed and uploaded at once. */
    @WithDefault("4")
    int chunkConcurrency();

    /**
     * A pack (one object of many chunks) is stored once it holds this many bytes: fewer, larger requests for
     * backups and restores; retention deletes a pack only once no kept backup points into it.
     */
    @WithDefault("4194304")
    int packBytes();

    /** Backups that may run at once in this instance (different sources). */
    @WithDefault("2")
    int maxParallel();

    /** A running backup whose heartbeat is older than this is taken as interrupted. */
    @WithDefault("PT2M")
    Duration heartbeatTimeout();

    /** How often the scheduler looks for due sources. */
    @WithDefault("30s")
    String schedulerEvery();

    /** Hooks are killed after this long. */
    @WithDefault("PT10M")
    Duration hookTimeout();

    /** Read every new backup back from S3 and check it against its manifest right after it completes. */
    @WithDefault("true")
    boolean verifyAfterBackup();

    /** Stable name of this instance; a restart of the same instance fails its own interrupted backups. */
    Optional<String> instanceId();

    Encryption encryption();

    Wal wal();

    /** WAL streaming of continuous sources ({@code lifeboat.backup.wal.*}). */
    interface Wal {
        /** How often the partial segment and the coverage are stored: the RPO of a continuous source is about this. */
        @WithDefault("PT1S")
        Duration flushInterval();

        /** How long an instance holds a source's stream without renewing; another takes over after it. */
        @WithDefault("PT15S")
        Duration lease();

        /** How often leases are claimed or renewed and streams started or stopped. */
        @WithDefault("2s")
        String tick();

        /** Where completed segments wait when the bucket is unreachable (default: the temp folder). */
        Optional<String> spoolDir();

        /** At most this much WAL waits locally; then the stream pauses and the slot keeps the rest on the source. */
        @WithDefault("1024")
        int spoolMaxMib();

        /** At most one {@code wal.archived} event per source this often (a completed segment is always told). */
        @WithDefault("PT5S")
        Duration eventEvery();

        /** How often the bucket's WAL chain of each continuous source is checked for gaps. */
        @WithDefault("30s")
        String auditEvery();
    }

    interface Encryption {
        /** Tink keyset (JSON) for streaming AEAD. Sources with encryption on fail clearly without one. */
        Optional<String> keysetFile();

        /** Create a new keyset at keysetFile when none exists (the local stack does). */
        @WithDefault("false")
        boolean generateIfMissing();
    }
}
