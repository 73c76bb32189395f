package io.lifeboat.backup.backup;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.events.storage.BackupManifest;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The commit point of a backup: the manifest is written last, after the data object is complete, and only then
 * is the backup Completed. A data object whose manifest cannot be written is deleted: without it, it is no backup.
 */
@ApplicationScoped
class BackupCommit {

    private static final Logger LOG = Logger.getLogger(BackupCommit.class);

    private final BackupBucket bucket;
    private final BackupJournal journal;

    BackupCommit(BackupBucket bucket, BackupJournal journal) {
        this.bucket = bucket;
        this.journal = journal;
    }

    void commit(BackupManifest manifest) throws BackupFailure {
        String manifestKey = BackupBucket.manifestKeyOf(manifest.objectKey());
        try {
            bucket.writeManifest(manifestKey, manifest);
        } catch (RuntimeException e) {
            // if S3 is gone the data cannot be deleted now: BackupRecovery deletes it once S3 answers again (the
            // upload id stays recorded)
            try {
                bucket.delete(manifest.objectKey());
            } catch (RuntimeException deleteFailed) {
                LOG.warnf("backup %s: cannot delete %s yet: %s", manifest.backupId(), manifest.objectKey(),
                        deleteFailed.getMessage());
            }
            throw new BackupFailure("manifest", "cannot write the manifest: " + e.getMessage(), e);
        }
        journal.complete(manifest.backupId(), manifest, manifestKey);
    }
}
