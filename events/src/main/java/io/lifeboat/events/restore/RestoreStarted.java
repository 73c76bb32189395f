package io.lifeboat.events.restore;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** A restore chose its backup and began. */
public record RestoreStarted(String restoreId, String source, String backupId, Instant recoveryPointAt, String target, String mode, String reason, String incidentId, String drillId, Instant startedAt) implements EventPayload {

    @Override
    public String subject() {
        return restoreId;
    }
}
