package io.lifeboat.events.incident;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** A note was added to an incident. */
public record NoteAdded(String incidentId, String noteId, String text, String author, Instant addedAt) implements EventPayload {

    @Override
    public String subject() {
        return incidentId;
    }
}
