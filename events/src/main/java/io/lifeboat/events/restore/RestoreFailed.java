package io.lifeboat.events.restore;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** A restore stopped; the target is untouched or fully restored, never a mix. */
public record RestoreFailed(String restoreId, String source, String step, String reason, String incidentId, String drillId, Instant failedAt) implements EventPayload {

    @Override
    public String subject() {
        return restoreId;
    }
}
