package io.lifeboat.events.incident;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** An incident was resolved. */
public record IncidentResolved(String incidentId, Instant resolvedAt) implements EventPayload {

    @Override
    public String subject() {
        return incidentId;
    }
}
