package io.lifeboat.events.incident;

import io.lifeboat.events.EventPayload;
import java.time.Instant;
import java.time.LocalDate;

/** An action item was added to an incident. */
public record ActionAdded(String incidentId, String actionId, String title, String owner, LocalDate dueDate, Instant addedAt) implements EventPayload {

    @Override
    public String subject() {
        return incidentId;
    }
}
