package io.lifeboat.events.drill;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** A drill was put on the calendar. */
public record DrillScheduled(String drillId, String scenario, Instant scheduledFor) implements EventPayload {

    @Override
    public String subject() {
        return drillId;
    }
}
