package io.lifeboat.events.incident;

import io.lifeboat.events.EventPayload;
import java.time.Instant;
import java.util.Map;

/** A monitoring alert (Prometheus Alertmanager) fired or resolved; incidentId is null for an alert naming no Lifeboat scenario (recorded, never dropped). */
public record AlertReceived(String incidentId, String alertName, String fingerprint, String status, Instant startsAt, Instant endsAt, Instant receivedAt, String summary, Map<String, String> labels) implements EventPayload {

    @Override
    public String subject() {
        return incidentId != null ? incidentId : "alert-" + (fingerprint != null ? fingerprint : alertName);
    }
}
