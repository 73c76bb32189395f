package io.lifeboat.incident.rest;

import io.lifeboat.http.ApiException;
import io.lifeboat.http.Actors;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.incident.incident.AlertIntake;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prometheus Alertmanager's webhook: firing alerts labelled {@code lifeboat_scenario} declare or join incidents. */
@Path("/alerts/alertmanager")
public class AlertResource {

    private final AlertIntake intake;
    private final SecurityIdentity identity;

    public AlertResource(AlertIntake intake, SecurityIdentity identity) {
        this.intake = intake;
        this.identity = identity;
    }

    @POST
    @RolesAllowed({"operator", "admin", "alertmanager"})
    public Map<String, Object> receive(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badField("body", "must be Alertmanager's webhook JSON object");
        }
        JsonNode alerts = body.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            throw ApiException.badField("alerts", "is required: the array of alerts of Alertmanager's webhook");
        }
        List<AlertIntake.Alert> parsed = new ArrayList<>();
        for (int i = 0; i < alerts.size(); i++) {
            JsonNode a = alerts.get(i);
            String prefix = "alerts[" + i + "]";
            if (!a.path("labels").isObject()) {
                throw ApiException.badField(prefix + ".labels", "is required (an object of label names to values)");
            }
            String status = a.path("status").asText(body.path("status").asText(""));
            if (!status.equals("firing") && !status.equals("resolved")) {
                throw ApiException.badField(prefix + ".status", "must be firing or resolved");
            }
            Map<String, String> labels = new LinkedHashMap<>();
            a.get("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            Instant startsAt = time(a, "startsAt", prefix);
            Instant endsAt = "resolved".equals(status) ? time(a, "endsAt", prefix) : null;
            String summary = a.path("annotations").path("summary").asText(null);
            parsed.add(new AlertIntake.Alert(status, labels.getOrDefault("alertname", "unnamed"),
                    a.path("fingerprint").asText(null), startsAt, endsAt, summary, labels));
        }
        List<String> touched = intake.receiveAlerts(parsed, "alertmanager:" + Actors.of(identity));
        return Map.of("alerts", parsed.size(), "incidents", touched.stream().distinct().toList());
    }

    /** An RFC 3339 time field of an alert; Alertmanager sends 0001-01-01T00:00:00Z for "not set". */
    private static Instant time(JsonNode alert, String field, String prefix) {
        if (!alert.hasNonNull(field)) {
            return null;
        }
        try {
            Instant t = Instant.parse(alert.get(field).asText());
            return t.isBefore(Instant.parse("1970-01-02T00:00:00Z")) ? null : t;
        } catch (DateTimeParseException e) {
            throw ApiException.badField(prefix + "." + field, "must be an RFC 3339 time");
        }
    }
}
