package io.lifeboat.events.incident;

import io.lifeboat.events.EventPayload;
import java.time.Instant;
import java.util.List;

/** An incident was declared. */
public record IncidentDeclared(String incidentId, String title, String severity, String scenario, Instant impactStartedAt, Instant detectedAt, Instant declaredAt, List<String> sources) implements EventPayload {

    @Override
    public String subject() {
        return incidentId;
    }
}
