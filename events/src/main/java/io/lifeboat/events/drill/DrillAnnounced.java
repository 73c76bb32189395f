package io.lifeboat.events.drill;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** A drill was announced ahead of its date (a week by default). */
public record DrillAnnounced(String drillId, String scenario, Instant scheduledFor, Instant announcedAt) implements EventPayload {

    @Override
    public String subject() {
        return drillId;
    }
}
