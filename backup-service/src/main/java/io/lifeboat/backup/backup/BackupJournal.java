package io.lifeboat.backup.backup;

import io.lifeboat.backup.source.Source;
import io.lifeboat.events.backup.BackupCompleted;
import io.lifeboat.events.backup.BackupFailed;
import io.lifeboat.events.backup.BackupStarted;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.http.FinalPhaseWait;
import io.lifeboat.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The record of a running backup: its phases, upload, progress and the events that go with each change, every
 * change in its own transaction so that a crash leaves an accurate account behind.
 */
@ApplicationScoped
public class BackupJournal {

    private static final Logger LOG = Logger.getLogger(BackupJournal.class);

    private final Outbox outbox;
    private final String instanceId;
    private final FinalPhaseWait finalPhases;

    public BackupJournal(Outbox outbox, InstanceId instanceId, FinalPhaseWait finalPhases) {
        this.outbox = outbox;
        this.instanceId = instanceId.value();
        this.finalPhases = finalPhases;
    }

    /** New → InProgress, owned by this instance; emits {@code backup.started.v1}. Returns the source to read. */
    Source start(String backupId, Instant startedAt) {
        return QuarkusTransaction.requiringNew().call(() -> {
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
        });
    }

    /** Where the data goes; recorded before any byte is sent, so recovery can abort or delete it. */
    void recordUpload(String backupId, String uploadId, String objectKey, String manifestKey) {
        QuarkusTransaction.requiringNew().run(() -> {
            Backup b = Backup.findById(backupId);
            b.uploadId = uploadId;
            b.objectKey = objectKey;
            b.manifestKey = manifestKey;
        });
    }

    void clearUpload(String backupId) {
        QuarkusTransaction.requiringNew().run(() -> Backup.update("uploadId = null WHERE id = ?1", backupId));
    }

    void estimate(String backupId, long bytes) {
        QuarkusTransaction.requiringNew().run(() -> Backup.update("estimatedBytes = ?1 WHERE id = ?2", bytes, backupId));
    }

    void heartbeat(String backupId, long bytes) {
        try {
            QuarkusTransaction.requiringNew().run(() -> Backup.update(
                    "progressBytes = ?1, heartbeatAt = ?2 WHERE id = ?3 AND phase = ?4", bytes, Instant.now(), backupId,
                    BackupPhase.InProgress));
        } catch (RuntimeException e) {
            LOG.debugf("progress update of %s failed: %s", backupId, e.getMessage());
        }
    }

    /** InProgress → Completed with what the manifest says; emits {@code backup.completed.v1}. */
    void complete(String backupId, BackupManifest m, String manifestKey) {
        QuarkusTransaction.requiringNew().run(() -> {
            Backup b = Backup.findById(backupId);
            b.moveTo(BackupPhase.Completed);
            b.completedAt = m.completedAt();
            b.recoveryPointAt = m.recoveryPointAt();
            b.sizeBytes = m.sizeBytes();
            b.storedBytes = m.chunks() == null ? m.storedBytes() : m.storedBytes() + m.chunks().chunkBytes();
            b.uploadedBytes = m.chunks() == null ? null : m.storedBytes() + m.chunks().uploadedBytes();
            b.progressBytes = m.sizeBytes();
            b.sha256 = m.sha256();
            b.uploadId = null;
            b.encryptionKeyId = m.encryption() == null ? null : m.encryption().keyId();
            outbox.append(b.actor, new BackupCompleted(b.id, b.source, b.kind, m.recoveryPointAt(), m.startedAt(),
                    m.completedAt(), m.sizeBytes(), b.storedBytes, m.sha256(), m.objectKey(), manifestKey,
                    m.compression(), m.encryption(), m.toolVersions(), m.rowCounts()));
        });
        finalPhases.reached();
    }

    /** Marks the backup Failed with the step and reason, and emits {@code backup.failed.v1}. */
    public void fail(String backupId, String step, String reason) {
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
            finalPhases.reached();
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot record failure of backup %s", backupId);
        }
    }
}
