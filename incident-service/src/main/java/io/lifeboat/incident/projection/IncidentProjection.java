package io.lifeboat.incident.projection;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.events.CloudEvent;

import java.sql.SQLException;
import java.util.UUID;

import static io.lifeboat.incident.projection.EventFields.*;

/** Incidents: status history, the RTO clock, alerts (proj_incident, proj_incident_status, proj_alert). */
final class IncidentProjection {

    private IncidentProjection() {
    }

    static void apply(CloudEvent event, JsonNode d, ProjectionWrites writes) throws SQLException {
        switch (event.type()) {
            case "lifeboat.incident.declared.v1" -> writes.exec("incident:" + text(d, "incidentId"), """
                    INSERT INTO proj_incident (incident_id, title, severity, scenario, status, status_changed_at, impact_started_at,
                      detected_at, declared_at, sources) VALUES (?, ?, ?, ?, 'Declared', ?, ?, ?, ?, ?)
                    ON CONFLICT (incident_id) DO UPDATE SET title = excluded.title, severity = excluded.severity,
                      scenario = excluded.scenario, impact_started_at = excluded.impact_started_at,
                      detected_at = excluded.detected_at, declared_at = excluded.declared_at, sources = excluded.sources""",
                    text(d, "incidentId"), text(d, "title"), text(d, "severity"), text(d, "scenario"), instant(d, "declaredAt"),
                    instant(d, "impactStartedAt"), instant(d, "detectedAt"), instant(d, "declaredAt"), join(d.path("sources")));
            case "lifeboat.incident.status.changed.v1" -> {
                writes.exec("incident-status:" + event.id(), "INSERT INTO proj_incident_status (event_id, incident_id, status, changed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        UUID.fromString(event.id()), text(d, "incidentId"), text(d, "to"), instant(d, "changedAt"));
                writes.exec("incident:" + text(d, "incidentId"), """
                        UPDATE proj_incident SET status = ?, status_changed_at = ?,
                          resolved_at = CASE WHEN ? = 'Resolved' THEN ? ELSE resolved_at END
                        WHERE incident_id = ? AND (status_changed_at IS NULL OR status_changed_at <= ?)""",
                        text(d, "to"), instant(d, "changedAt"), text(d, "to"), instant(d, "changedAt"), text(d, "incidentId"),
                        instant(d, "changedAt"));
            }
            case "lifeboat.incident.service.restored.v1" -> writes.exec("incident:" + text(d, "incidentId"),
                    "UPDATE proj_incident SET service_restored_at = ? WHERE incident_id = ?", instant(d, "restoredAt"),
                    text(d, "incidentId"));
            case "lifeboat.incident.resolved.v1" -> writes.exec("incident:" + text(d, "incidentId"), "UPDATE proj_incident SET resolved_at = ? WHERE incident_id = ?",
                    instant(d, "resolvedAt"), text(d, "incidentId"));
            case "lifeboat.incident.postmortem.scheduled.v1" -> writes.exec("incident:" + text(d, "incidentId"),
                    "UPDATE proj_incident SET postmortem_at = ? WHERE incident_id = ?", instant(d, "scheduledAt"),
                    text(d, "incidentId"));
            case "lifeboat.incident.alert.received.v1" -> writes.exec("alert:" + event.id(), """
                    INSERT INTO proj_alert (event_id, incident_id, alert_name, status, starts_at, ends_at, received_at, summary)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                    UUID.fromString(event.id()), text(d, "incidentId"), text(d, "alertName"), text(d, "status"),
                    instant(d, "startsAt"), instant(d, "endsAt"), instant(d, "receivedAt"), text(d, "summary"));
            default -> {
                // the event log keeps what no projection needs
            }
        }
    }
}
