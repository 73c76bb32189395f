package io.lifeboat.events.incident;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** An action item was closed. */
public record ActionClosed(String incidentId, String actionId, Instant closedAt) implements EventPayload {

    @Override
    public String subject() {
        return incidentId;
    }
}
