package io.lifeboat.incident.incident;

import io.lifeboat.events.incident.AlertReceived;
import io.lifeboat.http.ApiException;
import io.lifeboat.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Alerts from Alertmanager: each recorded once, joined to the incident of its scenario and source, or declaring one. */
@ApplicationScoped
public class AlertIntake {

    private final IncidentService incidents;
    private final Outbox outbox;
    private final EntityManager em;

    public AlertIntake(IncidentService incidents, Outbox outbox, EntityManager em) {
        this.incidents = incidents;
        this.outbox = outbox;
        this.em = em;
    }

    /** One alert from an Alertmanager webhook. */
    public record Alert(String status, String name, String fingerprint, Instant startsAt, Instant endsAt, String summary,
                        Map<String, String> labels) {
    }

    /**
     * Records each alert once per (fingerprint, status, start): Alertmanager repeats notifications. A firing alert
     * with a {@code lifeboat_scenario} label joins the open incident of that scenario and source, or declares one;
     * a resolved one is recorded on the incident it joined; an alert without the label is recorded on its own,
     * never dropped. Returns the incident ids touched.
     */
    @Transactional
    public List<String> receiveAlerts(List<Alert> alerts, String actor) {
        List<String> touched = new ArrayList<>();
        for (int i = 0; i < alerts.size(); i++) {
            Alert alert = alerts.get(i);
            String scenarioLabel = alert.labels().get("lifeboat_scenario");
            Scenario scenario = scenarioLabel == null ? null : Scenario.of(scenarioLabel).orElseThrow(badScenario(i));
            String key = alert.fingerprint() != null ? alert.fingerprint() : alert.name() + alert.labels();
            Instant starts = alert.startsAt() == null ? Instant.EPOCH : alert.startsAt();
            List<?> seen = em.createNativeQuery("SELECT coalesce(incident_id, '') FROM alert_notification "
                            + "WHERE fingerprint = ?1 AND starts_at = ?2 ORDER BY received_at")
                    .setParameter(1, key).setParameter(2, starts).getResultList();
            boolean repeat = !em.createNativeQuery("SELECT 1 FROM alert_notification WHERE fingerprint = ?1 AND status = ?2 "
                    + "AND starts_at = ?3").setParameter(1, key).setParameter(2, alert.status()).setParameter(3, starts)
                    .getResultList().isEmpty();
            String known = seen.isEmpty() || "".equals(seen.get(0)) ? null : (String) seen.get(0);
            if (repeat) {
                if (known != null) touched.add(known);
                continue;
            }
            Incident incident = null;
            if (known != null) {
                incident = Incident.findById(known); // its resolution goes where its firing went
            } else if (scenario != null) {
                incident = openIncident(scenario, alert.labels().get("source")).orElse(null);
                if (incident == null && "firing".equals(alert.status())) {
                    Instant at = alert.startsAt() == null || alert.startsAt().isAfter(now()) ? now() : alert.startsAt();
                    String source = alert.labels().get("source");
                    incident = incidents.declare(new IncidentRequests.Declare(alert.summary() != null ? alert.summary() : "Alert " + alert.name(),
                            severityOf(alert.labels().get("severity")), scenario, at, at,
                            source == null ? List.of() : List.of(source)), actor);
                }
            }
            String incidentId = incident == null ? null : incident.id;
            em.createNativeQuery("INSERT INTO alert_notification (fingerprint, status, starts_at, incident_id, received_at) "
                    + "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING").setParameter(1, key).setParameter(2, alert.status())
                    .setParameter(3, starts).setParameter(4, incidentId).setParameter(5, now()).executeUpdate();
            outbox.append(actor, new AlertReceived(incidentId, alert.name(), alert.fingerprint(), alert.status(), alert.startsAt(),
                    alert.endsAt(), now(), alert.summary(), alert.labels()));
            if (incidentId != null) touched.add(incidentId);
        }
        return touched;
    }

    /** The open incident an alert belongs to: the same scenario, and its source among the incident's sources. */
    private Optional<Incident> openIncident(Scenario scenario, String source) {
        return Incident.<Incident>find("scenario = ?1 AND status NOT IN ?2 ORDER BY declaredAt DESC", scenario.value(),
                List.of(IncidentStatus.Resolved, IncidentStatus.Reviewed)).stream()
                .filter(i -> source == null ? i.sourceList().isEmpty() : i.sourceList().contains(source)).findFirst();
    }

    private static Supplier<ApiException> badScenario(int index) {
        return () -> ApiException.badField("alerts[" + index + "].labels.lifeboat_scenario",
                "must be database-loss, vector-store-corruption, infrastructure-loss, combined or other");
    }

    private static Severity severityOf(String label) {
        if (label == null) return Severity.SEV2;
        return switch (label.toLowerCase()) {
            case "critical", "sev1", "page" -> Severity.SEV1;
            case "info", "sev3", "low" -> Severity.SEV3;
            default -> Severity.SEV2;
        };
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
