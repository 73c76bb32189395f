package io.lifeboat.restore.restore;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.events.restore.CheckResult;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.postgres.ClientBinaries;
import io.lifeboat.postgres.SecretReferences;
import io.lifeboat.postgres.SecretUnavailable;
import io.lifeboat.restore.config.RestoreConfig;
import io.lifeboat.restore.storage.BackupDownloads;
import io.lifeboat.restore.storage.Decryption;
import io.lifeboat.restore.target.Target;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A postgres restore: the backup goes into a new database of the target server (streamed into pg_restore, or
 * spooled for a parallel one), is verified there, and in replace mode swapped in ({@link DatabaseSwap}). The new
 * database is this restore's own until the swap, and is dropped if the download turns out damaged.
 */
@ApplicationScoped
class PostgresRestore implements TargetSteps {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private final BackupBucket bucket;
    private final Decryption decryption;
    private final BackupDownloads downloads;
    private final RestoreConfig config;
    private final RestoreJournal journal;
    private final DatabaseSwap swap;
    private final SecretReferences secrets;
    private final String pgRestore;

    PostgresRestore(BackupBucket bucket, Decryption decryption, BackupDownloads downloads, RestoreConfig config, RestoreJournal journal,
                    DatabaseSwap swap, SecretReferences secrets) {
        this.downloads = downloads;
        this.bucket = bucket;
        this.decryption = decryption;
        this.config = config;
        this.journal = journal;
        this.swap = swap;
        this.secrets = secrets;
        this.pgRestore = ClientBinaries.program(config.pgBin(), "pg_restore");
    }

    /** The target's server, with its password resolved from the target's reference. */
    TargetDatabase server(Target target) throws RestoreFailure {
        try {
            return new TargetDatabase(target, secrets.resolve(target.passwordRef), pgRestore);
        } catch (SecretUnavailable e) {
            throw new RestoreFailure("connect", e.getMessage());
        }
    }

    @Override
    public void restore(Restore restore, Target target, BackupManifest manifest, AtomicLong downloaded) throws Exception {
        TargetDatabase pg = server(target);
        // the target names the database a replace touches; the backup's own database name never decides it
        String database = target.database;
        String restoredAs = restore.mode == RestoreMode.NEW && restore.restoredAs != null ? restore.restoredAs
                : defaultName(target);
        if (pg.exists(restoredAs)) {
            throw new RestoreFailure("restore", "database " + restoredAs + " already exists; choose another restoreAs");
        }
        if (manifest.roles() != null && !manifest.roles().isBlank()) {
            List<String> created = pg.createMissingRoles(manifest.roles());
            if (!created.isEmpty()) {
                journal.step(restore.id, "create-roles", () -> "created the roles the database needs: " + String.join(", ", created)
                        + " (no passwords: set them before the application connects)");
            }
        }
        int jobs = config.jobs().orElse(1);
        boolean created = false;
        Path spool = null;
        try {
            if (jobs <= 1) {
                pg.create(restoredAs, restore.id);
                created = true;
                journal.record(restore.id, r -> r.restoredAs = restoredAs);
                journal.step(restore.id, "download-and-restore", () -> {
                    try (VerifiedDownload download = new VerifiedDownload(downloads, decryption, manifest, downloaded)) {
                        try {
                            pg.pgRestoreStream(download.plain(), restoredAs);
                        } catch (IOException e) {
                            throw download.explain("download-and-restore", e);
                        }
                        download.verify();
                    }
                    return "streamed into pg_restore (sha256 matches the manifest) as " + restoredAs;
                });
            } else {
                spool = spool(restore, manifest, downloaded);
                pg.create(restoredAs, restore.id);
                created = true;
                journal.record(restore.id, r -> r.restoredAs = restoredAs);
                Path file = spool;
                journal.step(restore.id, "restore", () -> {
                    pg.pgRestore(file, restoredAs, jobs);
                    return "pg_restore --jobs=" + jobs + " into " + restoredAs;
                });
            }
        } catch (RestoreFailure | RuntimeException e) {
            if (created) {
                pg.dropOwn(restoredAs, restore.id);
                journal.record(restore.id, r -> r.restoredAs = null);
            }
            throw e;
        } finally {
            if (spool != null) {
                Files.deleteIfExists(spool);
            }
        }
        journal.moveTo(restore.id, RestorePhase.Verifying);
        List<CheckResult> checks = journal.step(restore.id, "verify", () -> {
            try (Connection c = pg.connect(restoredAs)) {
                return Checks.sql(c, manifest, restore.requestedChecks);
            }
        });
        journal.recordChecks(restore.id, checks);
        if (restore.mode == RestoreMode.REPLACE) {
            swap.swap(restore, pg, database, restoredAs);
        }
    }

    /** The new database a restore in {@code new} mode creates when no name was asked for. */
    static String defaultName(Target target) {
        return target.database + "_restore_" + STAMP.format(Instant.now());
    }

    /** Downloads the verified archive to a file, for a parallel pg_restore. */
    private Path spool(Restore restore, BackupManifest manifest, AtomicLong downloaded) throws Exception {
        Path spoolDir = Path.of(config.spoolDir().orElse(System.getProperty("java.io.tmpdir")));
        Files.createDirectories(spoolDir);
        Path file = Files.createTempFile(spoolDir, "lifeboat-restore-" + restore.id, ".pgdump");
        try {
            journal.step(restore.id, "download", () -> {
                try (VerifiedDownload download = new VerifiedDownload(downloads, decryption, manifest, downloaded);
                     OutputStream out = Files.newOutputStream(file)) {
                    try {
                        StreamCopy.copy(download.plain(), out, new byte[StreamCopy.BUFFER_BYTES]);
                    } catch (IOException e) {
                        throw download.explain("download", e);
                    }
                    download.verify();
                } catch (IOException e) {
                    throw new RestoreFailure("download", "cannot download " + manifest.objectKey() + ": " + e.getMessage(), e);
                }
                return "sha256 matches the manifest";
            });
            return file;
        } catch (Exception e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }
}
