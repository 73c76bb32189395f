package io.lifeboat.restore.catalog;

import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.EventCodec;
import io.lifeboat.events.EventType;
import io.lifeboat.events.backup.BackupCompleted;
import io.lifeboat.events.backup.BackupExpired;
import io.lifeboat.outbox.ProcessedEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Keeps the catalogue cache current from backup events (idempotent on the event id). */
@ApplicationScoped
public class CatalogCacheConsumer {

    private final ProcessedEvents processed;

    public CatalogCacheConsumer(ProcessedEvents processed) {
        this.processed = processed;
    }

    @Incoming("backup-events")
    @Blocking
    @Transactional
    public void consume(String message) {
        CloudEvent event = EventCodec.parse(message);
        EventType type = event.eventType().orElse(null);
        if (type != EventType.BACKUP_COMPLETED && type != EventType.BACKUP_EXPIRED) {
            return;
        }
        if (!processed.firstDelivery("catalog-cache", event.id())) {
            return;
        }
        if (type == EventType.BACKUP_COMPLETED) {
            BackupCompleted done = EventCodec.data(event, BackupCompleted.class);
            CatalogEntry entry = CatalogEntry.findById(done.backupId());
            if (entry == null) {
                entry = new CatalogEntry();
                entry.backupId = done.backupId();
            }
            entry.source = done.source();
            entry.kind = done.kind();
            entry.recoveryPointAt = done.recoveryPointAt();
            entry.completedAt = done.completedAt();
            entry.storedBytes = done.storedBytes();
            entry.sha256 = done.sha256();
            entry.objectKey = done.objectKey();
            entry.manifestKey = done.manifestKey();
            entry.persist();
        } else {
            BackupExpired expired = EventCodec.data(event, BackupExpired.class);
            CatalogEntry entry = CatalogEntry.findById(expired.backupId());
            if (entry != null) {
                entry.expiredAt = expired.expiredAt();
            }
        }
    }
}
