package io.lifeboat.events.drill;

import io.lifeboat.events.EventPayload;
import java.time.Instant;
import java.util.Map;

/** The team recorded what worked, what did not, and budget changes for the next drill. */
public record DrillDebriefed(String drillId, String scenario, String worked, String didNotWork, Map<String, Long> budgetChanges, Instant debriefedAt) implements EventPayload {

    @Override
    public String subject() {
        return drillId;
    }
}
