package io.lifeboat.events.incident;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** The post-mortem meeting was scheduled. */
public record PostmortemScheduled(String incidentId, Instant scheduledAt, boolean within48Hours) implements EventPayload {

    @Override
    public String subject() {
        return incidentId;
    }
}
