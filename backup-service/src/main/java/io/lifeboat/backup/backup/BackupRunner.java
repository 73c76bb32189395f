package io.lifeboat.backup.backup;

import com.github.luben.zstd.ZstdOutputStream;
import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.backup.crypto.BackupEncryption;
import io.lifeboat.backup.source.Source;
import io.lifeboat.backup.source.SourceKind;
import io.lifeboat.backup.storage.MultipartUploadStream;
import io.lifeboat.backup.storage.ObjectStore;
import io.lifeboat.events.backup.BackupCompleted;
import io.lifeboat.events.backup.BackupFailed;
import io.lifeboat.events.backup.BackupStarted;
import io.lifeboat.events.backup.Encryption;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.events.storage.NewestTimestamp;
import io.lifeboat.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one backup: pre-hook, read the source (pg_dump on an exported snapshot, or a tar of the directory),
 * compress with multi-threaded zstd, optionally encrypt, and stream into an S3 multipart upload that hashes every
 * stored byte; post-hook (always); then the manifest, written last, and the Completed phase with its event in
 * one transaction. Any failure aborts the upload, so no manifest and no partial object remain.
 */
@ApplicationScoped
public class BackupRunner {

    private static final Logger LOG = Logger.getLogger(BackupRunner.class);

    private final ObjectStore store;
    private final BackupEncryption encryption;
    private final BackupConfig config;
    private final Outbox outbox;
    private final Retention retention;
    private final jakarta.enterprise.inject.Instance<BackupVerifier> verifier;
    private final MeterRegistry metrics;
    private final String instanceId;
    private final String pgDump;
    private final ExecutorService runs;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backup-progress");
        t.setDaemon(true);
        return t;
    });

    public BackupRunner(ObjectStore store, BackupEncryption encryption, BackupConfig config, Outbox outbox,
                        Retention retention, jakarta.enterprise.inject.Instance<BackupVerifier> verifier, MeterRegistry metrics,
                        InstanceId instanceId) {
        this.store = store;
        this.encryption = encryption;
        this.config = config;
        this.outbox = outbox;
        this.retention = retention;
        this.verifier = verifier;
        this.metrics = metrics;
        this.instanceId = instanceId.value();
        this.pgDump = PostgresDump.locatePgDump(config.pgDump());
        AtomicInteger n = new AtomicInteger();
        this.runs = Executors.newFixedThreadPool(config.maxParallel(), r -> {
            Thread t = new Thread(r, "backup-run-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        runs.shutdownNow();
        ticker.shutdownNow();
    }

    public void submit(String backupId) {
        runs.submit(() -> run(backupId));
    }

    /** What reading the source produced, for the manifest. */
    private record SourceRead(Instant recoveryPoint, Map<String, String> toolVersions, Map<String, Long> rowCounts,
                              Map<String, NewestTimestamp> newestTimestamps) {
    }

    void run(String backupId) {
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Source source;
        try {
            source = QuarkusTransaction.requiringNew().call(() -> start(backupId, startedAt));
        } catch (RuntimeException e) {
            LOG.errorf(e, "backup %s could not start", backupId);
            fail(backupId, "start", "could not start: " + e.getMessage());
            return;
        }
        String folder = store.folder(source.name, startedAt, backupId);
        String objectKey = folder + BackupManifest.DATA;
        String manifestKey = folder + BackupManifest.MANIFEST;
        AtomicLong read = new AtomicLong();
        ScheduledFuture<?> progress = ticker.scheduleAtFixedRate(() -> heartbeat(backupId, read.get()), 1, 1, TimeUnit.SECONDS);
        MultipartUploadStream upload = null;
        long started = System.nanoTime();
        try {
            if (source.encryption && !encryption.available()) {
                throw new BackupFailure("encrypt", "encryption is on for source " + source.name
                        + " but backup-service has no keyset (set lifeboat.backup.encryption.keyset-file)");
            }
            SourceRead sourceRead;
            Hooks.run("pre-hook", source.preHook, config.hookTimeout());
            try {
                try {
                    upload = store.upload(objectKey);
                } catch (RuntimeException e) {
                    throw new BackupFailure("upload", "cannot start the upload to bucket " + store.bucket() + ": " + e.getMessage(), e);
                }
                String uploadId = upload.uploadId();
                QuarkusTransaction.requiringNew().run(() -> {
                    Backup b = Backup.findById(backupId);
                    b.uploadId = uploadId;
                    b.objectKey = objectKey;
                    b.manifestKey = manifestKey;
                });
                sourceRead = stream(source, backupId, upload, read);
            } finally {
                // the post hook always runs, as soon as the source has been read (or failed)
                try {
                    Hooks.run("post-hook", source.postHook, config.hookTimeout());
                } catch (BackupFailure hookFailure) {
                    LOG.warnf("backup %s: %s", backupId, hookFailure.getMessage());
                }
            }
            String sha256;
            try {
                sha256 = upload.complete();
            } catch (IOException | RuntimeException e) {
                throw new BackupFailure("upload", "cannot complete the upload: " + e.getMessage(), e);
            }
            Instant completedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Encryption encryptionInfo = source.encryption ? encryption.describe() : null;
            BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT_VERSION, backupId, source.name,
                    source.kind.name(), sourceRead.recoveryPoint(), startedAt, completedAt, read.get(), upload.total(),
                    sha256, objectKey, "zstd", encryptionInfo,
                    source.kind == SourceKind.postgres ? source.databaseName : null,
                    source.kind == SourceKind.directory ? source.path : null,
                    sourceRead.toolVersions(), sourceRead.rowCounts(), sourceRead.newestTimestamps());
            try {
                store.putManifest(manifestKey, manifest);
            } catch (RuntimeException e) {
                // without its manifest the data object is no backup; if S3 is gone it cannot be deleted now, and
                // BackupRecovery deletes it once S3 answers again (the upload id stays recorded)
                try {
                    store.delete(objectKey);
                } catch (RuntimeException deleteFailed) {
                    LOG.warnf("backup %s: cannot delete %s yet: %s", backupId, objectKey, deleteFailed.getMessage());
                }
                throw new BackupFailure("manifest", "cannot write the manifest: " + e.getMessage(), e);
            }
            QuarkusTransaction.requiringNew().run(() -> complete(backupId, manifest, manifestKey));
            metrics.timer("lifeboat_backup_duration", "source", source.name, "kind", source.kind.name())
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            LOG.infof("backup %s completed: %d bytes read, %d stored, recovery point %s", backupId, read.get(),
                    upload.total(), sourceRead.recoveryPoint());
            if (config.verifyAfterBackup()) {
                // a backup counts for the RPO once it was read back and found intact (DESIGN: completed and verified)
                BackupVerifier.Result check = verifier.get().verify(backupId, "lifeboat:verify-after-backup");
                if (!check.ok()) {
                    LOG.errorf("backup %s did not verify after upload: %s", backupId, check.detail());
                }
            }
            retention.apply(source.name);
        } catch (BackupFailure f) {
            abortQuietly(upload, backupId);
            fail(backupId, f.step(), f.getMessage());
        } catch (Exception e) {
            abortQuietly(upload, backupId);
            LOG.errorf(e, "backup %s failed unexpectedly", backupId);
            fail(backupId, "unexpected", e.toString());
        } finally {
            progress.cancel(false);
        }
    }

    private Source start(String backupId, Instant startedAt) {
        Backup b = Backup.findById(backupId);
        Source source = Source.findById(b.source);
        if (source == null) {
            throw new IllegalStateException("source " + b.source + " was deleted");
        }
        b.moveTo(BackupPhase.InProgress);
        b.startedAt = startedAt;
        b.heartbeatAt = startedAt;
        b.ownerInstance = instanceId;
        b.compression = "zstd";
        outbox.append(b.actor, new BackupStarted(b.id, b.source, b.kind, startedAt, b.trigger));
        return source;
    }

    private SourceRead stream(Source source, String backupId, MultipartUploadStream upload, AtomicLong read)
            throws BackupFailure {
        try {
            OutputStream stored = source.encryption ? encryption.encrypting(upload, backupId) : upload;
            ZstdOutputStream zstd = new ZstdOutputStream(stored, config.zstdLevel());
            if (config.zstdWorkers() > 0) {
                zstd.setWorkers(config.zstdWorkers());
            }
            OutputStream sink = new CountingOutputStream(zstd, read);
            SourceRead result = source.kind == SourceKind.postgres
                    ? dumpPostgres(source, backupId, sink) : archiveDirectory(source, backupId, sink);
            // closing zstd finishes the frame and the encryption's last segment; the upload stays open
            sink.close();
            return result;
        } catch (IOException e) {
            String step = upload.total() > 0 || e.getMessage() != null && e.getMessage().contains("S3") ? "upload" : "read-source";
            throw new BackupFailure(step, e.getMessage(), e);
        }
    }

    private SourceRead dumpPostgres(Source source, String backupId, OutputStream sink) throws BackupFailure, IOException {
        String password = SecretRefs.resolve(source.passwordRef);
        try (PostgresDump dump = PostgresDump.snapshot(source, password)) {
            estimate(backupId, dump.databaseBytes());
            InputStream in = dump.start(pgDump, source, password);
            try {
                in.transferTo(sink);
            } catch (IOException e) {
                if (dump.exitedWithError()) {
                    throw new BackupFailure("dump", "pg_dump failed: " + dump.stderrText(), e);
                }
                throw e;
            }
            dump.finish();
            Map<String, String> tools = new LinkedHashMap<>();
            tools.put("pg_dump", PostgresDump.pgDumpVersion(pgDump));
            tools.put("server", dump.serverVersion());
            tools.put("zstd", com.github.luben.zstd.util.Native.isLoaded() ? "zstd-jni" : "unknown");
            return new SourceRead(dump.recoveryPoint().truncatedTo(ChronoUnit.MICROS), tools, dump.rowCounts(),
                    dump.newestTimestamps());
        }
    }

    private SourceRead archiveDirectory(Source source, String backupId, OutputStream sink) throws BackupFailure, IOException {
        Path root = Path.of(source.path);
        if (!Files.isDirectory(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new BackupFailure("read-source", "directory " + root + " does not exist or is not a directory");
        }
        estimate(backupId, DirectoryArchive.size(root));
        // a directory's data is as of when reading starts: quiesce writers with a preHook for a consistent copy
        Instant point = Instant.now().truncatedTo(ChronoUnit.MICROS);
        DirectoryArchive.write(root, sink);
        return new SourceRead(point, Map.of("archive", "tar (POSIX)", "compression", "zstd"), Map.of(), null);
    }

    private void estimate(String backupId, long bytes) {
        QuarkusTransaction.requiringNew().run(() -> Backup.update("estimatedBytes = ?1 WHERE id = ?2", bytes, backupId));
    }

    private void heartbeat(String backupId, long bytes) {
        try {
            QuarkusTransaction.requiringNew().run(() -> Backup.update(
                    "progressBytes = ?1, heartbeatAt = ?2 WHERE id = ?3 AND phase = ?4", bytes, Instant.now(), backupId,
                    BackupPhase.InProgress));
        } catch (RuntimeException e) {
            LOG.debugf("progress update of %s failed: %s", backupId, e.getMessage());
        }
    }

    private void complete(String backupId, BackupManifest m, String manifestKey) {
        Backup b = Backup.findById(backupId);
        b.moveTo(BackupPhase.Completed);
        b.completedAt = m.completedAt();
        b.recoveryPointAt = m.recoveryPointAt();
        b.sizeBytes = m.sizeBytes();
        b.storedBytes = m.storedBytes();
        b.progressBytes = m.sizeBytes();
        b.sha256 = m.sha256();
        b.uploadId = null;
        b.encryptionKeyId = m.encryption() == null ? null : m.encryption().keyId();
        outbox.append(b.actor, new BackupCompleted(b.id, b.source, b.kind, m.recoveryPointAt(), m.startedAt(),
                m.completedAt(), m.sizeBytes(), m.storedBytes(), m.sha256(), m.objectKey(), manifestKey,
                m.compression(), m.encryption(), m.toolVersions(), m.rowCounts()));
    }

    /** Marks the backup Failed with the step and reason, and emits {@code backup.failed.v1}. */
    void fail(String backupId, String step, String reason) {
        LOG.warnf("backup %s failed at %s: %s", backupId, step, reason);
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                Backup b = Backup.findById(backupId);
                if (b == null || !b.phase.active()) {
                    return;
                }
                b.moveTo(BackupPhase.Failed);
                b.failedPhase = step;
                b.error = reason.length() > 4000 ? reason.substring(0, 4000) : reason;
                b.completedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                outbox.append(b.actor, new BackupFailed(b.id, b.source, step, b.error, b.startedAt, b.completedAt));
            });
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot record failure of backup %s", backupId);
        }
    }

    private void abortQuietly(MultipartUploadStream upload, String backupId) {
        if (upload == null) {
            return;
        }
        try {
            upload.abort();
            QuarkusTransaction.requiringNew().run(() -> Backup.update("uploadId = null WHERE id = ?1", backupId));
        } catch (RuntimeException e) {
            // the upload id stays recorded; BackupRecovery retries the abort
            LOG.warnf("cannot abort upload of %s yet: %s", backupId, e.getMessage());
        }
    }
}
