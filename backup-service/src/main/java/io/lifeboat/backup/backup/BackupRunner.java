package io.lifeboat.backup.backup;

import io.lifeboat.backup.chunk.ChunkStore;
import io.lifeboat.backup.chunk.ChunkedArchive;
import io.lifeboat.backup.chunk.ChunkingSink;
import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.backup.crypto.BackupEncryption;
import io.lifeboat.bucket.chunk.ChunkSeal;
import io.lifeboat.backup.source.Source;
import io.lifeboat.backup.source.SourceKind;
import io.lifeboat.backup.source.StorageLayout;
import io.lifeboat.backup.storage.BackupUploads;
import io.lifeboat.backup.storage.MultipartUploadStream;
import io.lifeboat.backup.wal.WalAudit;
import io.lifeboat.backup.wal.WalRetention;
import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.events.storage.ChunkedData;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one backup: pre-hook, read the source ({@link SourceReader}), compress with multi-threaded zstd,
 * optionally encrypt, and stream into an S3 multipart upload that hashes every stored byte once; post-hook (always);
 * then the commit ({@link BackupCommit}: manifest last, then Completed with its event). Any failure aborts the
 * upload, so no manifest and no partial object remain. Afterwards the backup is read back and retention applied.
 */
@ApplicationScoped
public class BackupRunner {

    private static final Logger LOG = Logger.getLogger(BackupRunner.class);

    private final BackupUploads uploads;
    private final BackupBucket bucket;
    private final BackupEncryption encryption;
    private final BackupConfig config;
    private final BackupJournal journal;
    private final BackupCommit commit;
    private final PostgresSourceReader postgres;
    private final BaseBackupSourceReader baseBackup;
    private final DirectorySourceReader directory;
    private final ChunkStore chunkStore;
    private final Retention retention;
    private final Instance<BackupVerifier> verifier;
    private final Instance<WalAudit> walAudit;
    private final Instance<WalRetention> walRetention;
    private final MeterRegistry metrics;
    private final ExecutorService runs;
    /** Backups submitted to this instance and not finished: the scheduler claims only what fits beside them. */
    private final AtomicInteger busy = new AtomicInteger();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backup-progress");
        t.setDaemon(true);
        return t;
    });

    public BackupRunner(BackupUploads uploads, BackupBucket bucket, BackupEncryption encryption, BackupConfig config,
                        BackupJournal journal, BackupCommit commit, PostgresSourceReader postgres,
                        BaseBackupSourceReader baseBackup, DirectorySourceReader directory, ChunkStore chunkStore, Retention retention,
                        Instance<BackupVerifier> verifier, Instance<WalAudit> walAudit, Instance<WalRetention> walRetention,
                        MeterRegistry metrics) {
        this.uploads = uploads;
        this.bucket = bucket;
        this.encryption = encryption;
        this.config = config;
        this.journal = journal;
        this.commit = commit;
        this.postgres = postgres;
        this.baseBackup = baseBackup;
        this.directory = directory;
        this.chunkStore = chunkStore;
        this.retention = retention;
        this.verifier = verifier;
        this.walAudit = walAudit;
        this.walRetention = walRetention;
        this.metrics = metrics;
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
        busy.incrementAndGet();
        runs.submit(() -> {
            try {
                run(backupId);
            } finally {
                busy.decrementAndGet();
            }
        });
    }

    /** How many more backups this instance can start right now. */
    public int freeSlots() {
        return Math.max(0, config.maxParallel() - busy.get());
    }

    void run(String backupId) {
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Source source;
        try {
            source = journal.start(backupId, startedAt);
        } catch (RuntimeException e) {
            LOG.errorf(e, "backup %s could not start", backupId);
            journal.fail(backupId, "start", "could not start: " + e.getMessage());
            return;
        }
        boolean chunked = source.storage == StorageLayout.chunks;
        String objectKey = bucket.folder(source.name, startedAt, backupId) + (chunked ? BackupManifest.CHUNK_LIST : BackupManifest.DATA);
        AtomicLong read = new AtomicLong();
        ScheduledFuture<?> progress = ticker.scheduleAtFixedRate(() -> journal.heartbeat(backupId, read.get()), 1, 1,
                TimeUnit.SECONDS);
        MultipartUploadStream upload = null;
        long started = System.nanoTime();
        try {
            if (source.encryption && !encryption.available()) {
                throw new BackupFailure("encrypt", "encryption is on for source " + source.name
                        + " but backup-service has no keyset (set lifeboat.backup.encryption.keyset-file)");
            }
            SourceRead sourceRead;
            ChunkedData chunks = null;
            try {
                Hooks.run("pre-hook", source.preHook, config.hookTimeout());
                upload = startUpload(objectKey);
                journal.recordUpload(backupId, upload.uploadId(), objectKey, BackupBucket.manifestKeyOf(objectKey));
                if (chunked) {
                    ChunkedRead chunkedRead = streamChunks(source, backupId, upload, read);
                    sourceRead = chunkedRead.read();
                    chunks = chunkedRead.chunks();
                } else {
                    sourceRead = stream(source, backupId, upload, read);
                }
            } finally {
                // whenever the pre hook ran (even if it failed or timed out), the post hook runs, as soon as the
                // source has been read: it undoes what the pre hook did (resumes writers, ...)
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
            BackupManifest manifest = BackupManifests.of(source, source.encryption ? encryption.describe() : null, backupId,
                    startedAt, sourceRead, read.get(), upload.total(), sha256, upload.partBytes(), objectKey, chunks);
            commit.commit(manifest);
            metrics.timer("lifeboat_backup_duration", "source", source.name, "kind", source.kind.name())
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            LOG.infof("backup %s completed: %d bytes read, %d stored, recovery point %s%s", backupId, read.get(),
                    upload.total(), sourceRead.recoveryPoint(), chunks == null ? "" : "; " + chunks.uploadedChunks() + " of "
                            + chunks.chunks() + " chunks were new (" + chunks.uploadedBytes() + " bytes uploaded), "
                            + chunks.unchangedFiles() + " unchanged files not read (" + chunks.unchangedBytes() + " bytes)");
            afterCommit(source, backupId);
        } catch (BackupFailure f) {
            abortQuietly(upload, backupId);
            journal.fail(backupId, f.step(), f.getMessage());
        } catch (Exception e) {
            abortQuietly(upload, backupId);
            LOG.errorf(e, "backup %s failed unexpectedly", backupId);
            journal.fail(backupId, "unexpected", e.toString());
        } finally {
            progress.cancel(false);
        }
    }

    private MultipartUploadStream startUpload(String objectKey) throws BackupFailure {
        try {
            return uploads.start(objectKey);
        } catch (RuntimeException e) {
            throw new BackupFailure("upload", "cannot start the upload to bucket " + bucket.name() + ": " + e.getMessage(), e);
        }
    }

    /** Source bytes → zstd → (encryption) → the upload, which hashes what it stores. */
    private SourceRead stream(Source source, String backupId, MultipartUploadStream upload, AtomicLong read)
            throws BackupFailure {
        try {
            OutputStream stored = source.encryption ? encryption.encrypting(upload, backupId) : upload;
            CompressingSink sink = new CompressingSink(stored, config.zstdLevel(), config.zstdWorkers(), read);
            SourceReader reader = source.kind == SourceKind.directory ? directory : source.continuous ? baseBackup : postgres;
            SourceRead result = reader.read(source, sink, bytes -> journal.estimate(backupId, bytes));
            // closing zstd finishes the frame and the encryption's last segment; the upload stays open
            sink.close();
            return result;
        } catch (IOException e) {
            String step = upload.total() > 0 || e.getMessage() != null && e.getMessage().contains("S3") ? "upload" : "read-source";
            throw new BackupFailure(step, e.getMessage(), e);
        }
    }

    private record ChunkedRead(SourceRead read, ChunkedData chunks) {
    }

    /**
     * Source bytes → content-defined chunks, each stored once ({@link ChunkStore}); the upload receives the chunk
     * list. Directory sources only (the source API refuses other kinds for chunked storage). An encrypted source's
     * chunks are encrypted one by one and named by keyed hashes ({@link ChunkSeal}), and its list is encrypted like
     * an archive: the bucket then holds nothing of it in the clear but the manifest.
     */
    private ChunkedRead streamChunks(Source source, String backupId, MultipartUploadStream upload, AtomicLong read)
            throws BackupFailure {
        ChunkSeal seal;
        try {
            seal = source.encryption ? encryption.chunkSeal() : ChunkSeal.PLAIN;
        } catch (IOException e) {
            throw new BackupFailure("encrypt", e.getMessage(), e);
        }
        try {
            OutputStream list = source.encryption ? encryption.encrypting(upload, backupId) : upload;
            try (ChunkedArchive archive = chunkStore.open(source.name, backupId, list, seal)) {
                ChunkingSink sink = new ChunkingSink(archive, read);
                SourceRead result = directory.read(source, sink, bytes -> journal.estimate(backupId, bytes));
                sink.close();
                ChunkedData chunks = archive.finish();
                list.close(); // finishes the encryption's last segment; the upload stays open
                return new ChunkedRead(result, chunks);
            }
        } catch (IOException e) {
            String step = e.getMessage() != null && (e.getMessage().contains("S3") || e.getMessage().contains("chunk"))
                    ? "upload" : "read-source";
            throw new BackupFailure(step, e.getMessage(), e);
        }
    }

    /** A backup counts for the RPO once read back and found intact (DESIGN: completed and verified). */
    private void afterCommit(Source source, String backupId) {
        if (config.verifyAfterBackup()) {
            BackupVerifier.Result check = verifier.get().verify(backupId, "lifeboat:verify-after-backup");
            if (!check.ok()) {
                LOG.errorf("backup %s did not verify after upload: %s", backupId, check.detail());
            }
        }
        retention.apply(source.name);
        if (source.continuous) {
            try {
                walRetention.get().apply(source.name);
                walAudit.get().afterBaseBackup(source.name); // the new base backup may make the stored WAL restorable now
            } catch (RuntimeException e) {
                LOG.warnf("WAL audit of %s after backup %s: %s", source.name, backupId, e.getMessage());
            }
        }
    }

    private void abortQuietly(MultipartUploadStream upload, String backupId) {
        if (upload == null) {
            return;
        }
        try {
            upload.abort();
            journal.clearUpload(backupId);
        } catch (RuntimeException e) {
            // the upload id stays recorded; BackupRecovery retries the abort
            LOG.warnf("cannot abort upload of %s yet: %s", backupId, e.getMessage());
        }
    }
}
