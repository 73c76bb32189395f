package io.lifeboat.events.incident;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** An incident moved from one status to the next. */
public record IncidentStatusChanged(String incidentId, String from, String to, Instant changedAt) implements EventPayload {

    @Override
    public String subject() {
        return incidentId;
    }
}
