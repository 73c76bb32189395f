package io.lifeboat.incident.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.lifeboat.events.EventCodec;
import io.lifeboat.incident.config.IncidentConfig;
import io.lifeboat.incident.incident.Incident;
import io.lifeboat.incident.incident.IncidentAction;
import io.lifeboat.incident.incident.IncidentNote;
import io.lifeboat.incident.incident.IncidentService;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Computes what the runbook asks people to work out by hand after an incident: RTO achieved (service restored
 * minus impact start), data loss (impact start minus the recovery point of the backup actually restored), the
 * timeline, whether alerts fired, the runbook steps and their durations.
 */
@ApplicationScoped
public class IncidentReportService {

    private final AgroalDataSource dataSource;
    private final IncidentService incidents;
    private final IncidentConfig config;
    private final IncidentTimeline timelines;

    public IncidentReportService(AgroalDataSource dataSource, IncidentService incidents, IncidentConfig config,
                                 IncidentTimeline timelines) {
        this.dataSource = dataSource;
        this.incidents = incidents;
        this.config = config;
        this.timelines = timelines;
    }

    public IncidentReport report(String incidentId) {
        Incident i = incidents.get(incidentId);
        try (Connection c = dataSource.getConnection()) {
            List<IncidentReport.TimelineEntry> timeline = timelines.of(c, i);
            List<IncidentReport.DataLoss> losses = new ArrayList<>();
            Instant restoreStarted = null;
            Instant restoreCompleted = null;
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT r.restore_id, r.source, r.backup_id, r.recovery_point_at, r.started_at, r.completed_at,
                           coalesce(ps.rpo_target_seconds, ?)
                      FROM proj_restore r LEFT JOIN proj_source ps ON ps.source = r.source
                     WHERE r.incident_id = ? ORDER BY r.started_at NULLS LAST""")) {
                s.setLong(1, config.defaultRpoTarget().toSeconds());
                s.setString(2, i.id);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        Instant started = instant(rs.getTimestamp(5));
                        Instant completed = instant(rs.getTimestamp(6));
                        if (started != null && (restoreStarted == null || started.isBefore(restoreStarted))) restoreStarted = started;
                        if (completed != null && (restoreCompleted == null || completed.isAfter(restoreCompleted))) restoreCompleted = completed;
                        if (completed == null) continue;
                        Instant point = instant(rs.getTimestamp(4));
                        Duration target = Duration.ofSeconds(rs.getLong(7));
                        Duration loss = point == null ? null : Duration.between(point, i.impactStartedAt);
                        String note = null;
                        if (loss != null && loss.isNegative()) {
                            note = "the restored backup was taken " + ReportRenderer.d(loss.negated()) + " after the impact "
                                    + "started: it may contain the damage, so data loss cannot be stated; check the restored data";
                            loss = null;
                        }
                        losses.add(new IncidentReport.DataLoss(rs.getString(2), rs.getString(3), point, loss, target,
                                loss == null ? null : loss.compareTo(target) <= 0, rs.getString(1), note));
                    }
                }
            }
            Duration rto = i.serviceRestoredAt == null ? null : Duration.between(i.impactStartedAt, i.serviceRestoredAt);
            var milestones = new IncidentReport.Milestones(i.impactStartedAt, i.detectedAt, i.declaredAt, restoreStarted,
                    restoreCompleted, i.serviceRestoredAt, i.resolvedAt,
                    i.detectedAt == null ? null : Duration.between(i.impactStartedAt, i.detectedAt),
                    Duration.between(i.detectedAt != null ? i.detectedAt : i.impactStartedAt, i.declaredAt),
                    restoreStarted == null || restoreCompleted == null ? null : Duration.between(restoreStarted, restoreCompleted));
            return new IncidentReport(i.id, i.title, i.severity.name(), i.scenario, i.status.name(),
                    fiveWs(i), milestones,
                    new IncidentReport.Objective(rto, config.rtoTarget(), rto == null ? null : rto.compareTo(config.rtoTarget()) <= 0),
                    losses, alerts(c, i), steps(c, i), testedSince(c, i), runbookUpdates(c, i), postmortem(i), actions(i), timeline);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot build the report of " + incidentId + ": " + e.getMessage(), e);
        }
    }

    private static IncidentReport.FiveWs fiveWs(Incident i) {
        List<String> notes = IncidentNote.<IncidentNote>list("incidentId = ?1 ORDER BY addedAt", i.id).stream().map(n -> n.text).toList();
        return new IncidentReport.FiveWs(i.title + " (" + i.scenario + ", " + i.severity + ")", i.impactStartedAt,
                i.sourceList(), "declared by " + i.declaredBy, notes.isEmpty() ? "not recorded yet (add a note)" : String.join(" / ", notes));
    }

    private static IncidentReport.Alerts alerts(Connection c, Incident i) throws SQLException {
        Set<String> names = new LinkedHashSet<>();
        Instant first = null;
        try (PreparedStatement s = c.prepareStatement(
                "SELECT alert_name, coalesce(starts_at, received_at) FROM proj_alert WHERE incident_id = ? AND status = 'firing' ORDER BY 2")) {
            s.setString(1, i.id);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                    if (first == null) first = instant(rs.getTimestamp(2));
                }
            }
        }
        return new IncidentReport.Alerts(!names.isEmpty(), first, List.copyOf(names));
    }

    private static List<IncidentReport.RunbookStep> steps(Connection c, Incident i) throws SQLException {
        List<IncidentReport.RunbookStep> steps = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT e.data FROM event_log e JOIN proj_restore r ON r.restore_id = e.subject
                 WHERE r.incident_id = ? AND e.type = 'lifeboat.restore.step.completed.v1' ORDER BY e.event_time, e.seq""")) {
            s.setString(1, i.id);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    JsonNode d = EventCodec.mapper().readTree(rs.getString(1));
                    steps.add(new IncidentReport.RunbookStep(d.path("restoreId").asText(), d.path("step").asText(),
                            Instant.parse(d.path("startedAt").asText()), Instant.parse(d.path("completedAt").asText()),
                            Math.round(d.path("durationSeconds").asDouble() * 1000) / 1000.0));
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return steps;
    }

    private static IncidentReport.TestedSince testedSince(Connection c, Incident i) throws SQLException {
        Instant since = i.resolvedAt != null ? i.resolvedAt : i.declaredAt;
        Instant lastRestore = null;
        Instant lastDrill = null;
        String verdict = null;
        try (PreparedStatement s = c.prepareStatement(
                "SELECT max(completed_at) FROM proj_restore WHERE completed_at > ? AND checks_passed AND (incident_id IS NULL OR incident_id <> ?)")) {
            s.setTimestamp(1, Timestamp.from(since));
            s.setString(2, i.id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                lastRestore = instant(rs.getTimestamp(1));
            }
        }
        try (PreparedStatement s = c.prepareStatement(
                "SELECT completed_at, verdict FROM proj_drill WHERE completed_at > ? ORDER BY completed_at DESC LIMIT 1")) {
            s.setTimestamp(1, Timestamp.from(since));
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    lastDrill = instant(rs.getTimestamp(1));
                    verdict = rs.getString(2);
                }
            }
        }
        return new IncidentReport.TestedSince(lastRestore != null || "passed".equals(verdict), lastRestore, lastDrill, verdict);
    }

    /** Debriefs of drills of the incident's scenario or sources, since it was declared: the runbook's learnings. */
    private static IncidentReport.RunbookUpdates runbookUpdates(Connection c, Incident i) throws SQLException {
        List<String> learnings = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT d.data FROM event_log d
                 WHERE d.type = 'lifeboat.drill.debriefed.v1' AND d.event_time >= ?
                   AND (d.data ->> 'scenario' = ? OR EXISTS (SELECT 1 FROM event_log st
                        WHERE st.type = 'lifeboat.drill.started.v1' AND st.subject = d.subject
                          AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(st.data -> 'sources') src WHERE src = ANY (?))))
                 ORDER BY d.event_time""")) {
            s.setTimestamp(1, Timestamp.from(i.declaredAt));
            s.setString(2, i.scenario);
            s.setArray(3, c.createArrayOf("text", i.sourceList().toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    JsonNode d = EventCodec.mapper().readTree(rs.getString(1));
                    learnings.add("drill " + d.path("drillId").asText() + ": worked: " + d.path("worked").asText("—")
                            + "; did not work: " + d.path("didNotWork").asText("—")
                            + (d.path("budgetChanges").isEmpty() ? "" : "; budgets changed: " + d.path("budgetChanges")));
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return new IncidentReport.RunbookUpdates(!learnings.isEmpty(), learnings, learnings.isEmpty()
                ? "not yet: run a drill of " + i.scenario + " and debrief it (lifeboat drill run " + i.scenario
                + ", then POST /drills/{id}/debrief) to carry the learnings into the runbook's step budgets"
                : "the runbook's steps and budgets were updated by these debriefs");
    }

    private static IncidentReport.Postmortem postmortem(Incident i) {
        if (i.postmortemAt == null) {
            return new IncidentReport.Postmortem(null, false, "not scheduled: the runbook wants one within 48 hours");
        }
        boolean ok = IncidentService.within48Hours(i);
        return new IncidentReport.Postmortem(i.postmortemAt, ok, ok ? "within 48 hours" : "later than the runbook's 48 hours");
    }

    private static List<IncidentReport.ActionItem> actions(Incident i) {
        return IncidentAction.<IncidentAction>list("incidentId = ?1 ORDER BY addedAt", i.id).stream()
                .map(a -> new IncidentReport.ActionItem(a.id, a.title, a.owner, a.dueDate, a.closedAt != null)).toList();
    }

    static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
