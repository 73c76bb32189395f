package io.lifeboat.events.incident;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** Service was back: the end of the RTO clock. */
public record ServiceRestored(String incidentId, Instant restoredAt) implements EventPayload {

    @Override
    public String subject() {
        return incidentId;
    }
}
