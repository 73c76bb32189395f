package io.lifeboat.events.restore;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** A restore was asked for; the backup is not chosen yet. */
public record RestoreRequested(String restoreId, String source, String backup, String target, String mode, String reason, String incidentId, String drillId, Instant requestedAt) implements EventPayload {

    @Override
    public String subject() {
        return restoreId;
    }
}
