package io.lifeboat.backup.backup;

import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.backup.storage.BackupUploads;
import io.lifeboat.bucket.BackupBucket;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.time.Instant;
import java.util.List;

/**
 * A crash never leaves a backup InProgress forever. At start, this instance fails the backups it owned
 * ("interrupted by restart"); every 30 s, any instance fails backups whose owner stopped sending heartbeats.
 * Their multipart uploads are aborted so nothing half-written stays in the bucket.
 */
@ApplicationScoped
public class BackupRecovery {

    private static final Logger LOG = Logger.getLogger(BackupRecovery.class);

    private final BackupJournal journal;
    private final BackupUploads uploads;
    private final BackupBucket bucket;
    private final BackupConfig config;
    private final String instanceId;

    public BackupRecovery(BackupJournal journal, BackupUploads uploads, BackupBucket bucket, BackupConfig config,
                          InstanceId instanceId) {
        this.journal = journal;
        this.uploads = uploads;
        this.bucket = bucket;
        this.config = config;
        this.instanceId = instanceId.value();
    }

    void onStart(@Observes StartupEvent event) {
        failInterrupted();
    }

    /** Fails what this instance was running when it stopped, and New backups nobody picked up. */
    public void failInterrupted() {
        List<Backup> interrupted = QuarkusTransaction.requiringNew().call(() -> Backup.list(
                "(phase = ?1 AND ownerInstance = ?2) OR (phase = ?3 AND createdAt < ?4)",
                BackupPhase.InProgress, instanceId, BackupPhase.New, Instant.now().minusSeconds(60)));
        for (Backup b : interrupted) {
            journal.fail(b.id, b.phase == BackupPhase.New ? "start" : "interrupted",
                    "interrupted by restart of backup-service instance " + instanceId);
            abortUpload(b);
        }
    }

    @Scheduled(every = "30s", delayed = "30s")
    void failStale() {
        Instant cutoff = Instant.now().minus(config.heartbeatTimeout());
        List<Backup> stale = QuarkusTransaction.requiringNew().call(() -> Backup.list(
                "phase = ?1 AND heartbeatAt < ?2", BackupPhase.InProgress, cutoff));
        for (Backup b : stale) {
            journal.fail(b.id, "interrupted", "no heartbeat from instance " + b.ownerInstance + " since " + b.heartbeatAt
                    + "; the instance stopped while the backup ran");
            abortUpload(b);
        }
    }

    @Scheduled(every = "5m", delayed = "1m")
    void abortLeftoverUploads() {
        QuarkusTransaction.requiringNew().call(() -> Backup.<Backup>list("phase = ?1 AND uploadId IS NOT NULL",
                BackupPhase.Failed)).forEach(this::abortUpload);
    }

    private void abortUpload(Backup b) {
        if (b.uploadId == null || b.objectKey == null) {
            return;
        }
        try {
            uploads.abort(b.objectKey, b.uploadId);
        } catch (RuntimeException e) {
            // 404 (NoSuchUpload; S3Proxy sends no error code): the upload is gone, completed or aborted already
            boolean gone = e instanceof S3Exception s3e && s3e.statusCode() == 404;
            if (!gone) {
                LOG.warnf("cannot abort upload of %s yet: %s", b.id, e.getMessage());
                return;
            }
        }
        // the upload may have completed before the failure (at the manifest): a data object without its manifest
        // is no backup, the manifest being the commit point, so it goes; one whose manifest exists stays
        try {
            if (b.manifestKey != null && !bucket.exists(b.manifestKey)) {
                bucket.delete(b.objectKey);
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot delete the data of failed backup %s yet: %s", b.id, e.getMessage());
            return;
        }
        QuarkusTransaction.requiringNew().run(() -> Backup.update("uploadId = null WHERE id = ?1", b.id));
    }
}
