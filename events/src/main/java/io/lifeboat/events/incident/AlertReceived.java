package io.lifeboat.events.incident;

import io.lifeboat.events.EventPayload;
import java.time.Instant;
import java.util.Map;

/** A monitoring alert (Prometheus Alertmanager) fired or resolved and was attached to an incident. */
public record AlertReceived(String incidentId, String alertName, String fingerprint, String status, Instant startsAt, Instant receivedAt, String summary, Map<String, String> labels) implements EventPayload {

    @Override
    public String subject() {
        return incidentId;
    }
}
