package io.lifeboat.incident.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.lifeboat.events.EventCodec;
import io.lifeboat.incident.config.IncidentConfig;
import io.lifeboat.incident.incident.Incident;
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
 * An incident's timeline: its own events and its restores', in its window (impact start minus the RPO target, to
 * resolution), with the context that explains it and nothing else: per affected source, the backup restored, the
 * last good backup before the impact and the first failed one after it, and the drills of those sources.
 */
@ApplicationScoped
public class IncidentTimeline {

    private final AgroalDataSource dataSource;
    private final IncidentService incidents;
    private final IncidentConfig config;

    public IncidentTimeline(AgroalDataSource dataSource, IncidentService incidents, IncidentConfig config) {
        this.dataSource = dataSource;
        this.incidents = incidents;
        this.config = config;
    }

    public List<IncidentReport.TimelineEntry> of(String incidentId) {
        Incident i = incidents.get(incidentId);
        try (Connection c = dataSource.getConnection()) {
            return of(c, i);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    List<IncidentReport.TimelineEntry> of(Connection c, Incident i) throws SQLException {
        Instant windowStart = i.impactStartedAt.minus(config.defaultRpoTarget());
        Instant windowEnd = i.resolvedAt != null ? i.resolvedAt : Instant.now();
        List<IncidentReport.TimelineEntry> entries = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT event_time, type, subject, data FROM (
                    SELECT event_time, seq, type, subject, data FROM event_log WHERE subject = ?
                    UNION
                    SELECT event_time, seq, type, subject, data FROM event_log
                     WHERE subject IN (SELECT restore_id FROM proj_restore WHERE incident_id = ?) AND type LIKE 'lifeboat.restore.%'
                    UNION
                    SELECT event_time, seq, type, subject, data FROM event_log
                     WHERE data ->> 'backupId' = ANY (?)
                       AND type IN ('lifeboat.backup.completed.v1', 'lifeboat.backup.failed.v1', 'lifeboat.backup.verified.v1')
                    UNION
                    SELECT event_time, seq, type, subject, data FROM event_log
                     WHERE type IN ('lifeboat.drill.started.v1', 'lifeboat.drill.completed.v1') AND event_time BETWEEN ? AND ?
                       AND subject IN (SELECT subject FROM event_log WHERE type = 'lifeboat.drill.started.v1'
                                        AND event_time BETWEEN ? AND ?
                                        AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(data -> 'sources') drilled
                                                     WHERE drilled = ANY (?)))) e
                 ORDER BY event_time, seq""")) {
            var sources = c.createArrayOf("text", i.sourceList().toArray());
            s.setString(1, i.id);
            s.setString(2, i.id);
            s.setArray(3, c.createArrayOf("text", contextBackups(c, i).toArray()));
            s.setTimestamp(4, Timestamp.from(windowStart));
            s.setTimestamp(5, Timestamp.from(windowEnd));
            s.setTimestamp(6, Timestamp.from(windowStart));
            s.setTimestamp(7, Timestamp.from(windowEnd));
            s.setArray(8, sources);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Instant time = rs.getTimestamp(1).toInstant();
                    JsonNode data = EventCodec.mapper().readTree(rs.getString(4));
                    entries.add(new IncidentReport.TimelineEntry(time, Duration.between(i.impactStartedAt, time), rs.getString(2),
                            rs.getString(3), summary(rs.getString(2), data), data));
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return entries;
    }

    /**
     * The backups that explain the incident: those its restores restored, and per source the last good one
     * before the impact (completed and verified) and the first that failed (or failed verification) after it.
     */
    private static Set<String> contextBackups(Connection c, Incident i) throws SQLException {
        Set<String> ids = new LinkedHashSet<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT backup_id FROM proj_restore WHERE incident_id = ? AND backup_id IS NOT NULL")) {
            s.setString(1, i.id);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) ids.add(rs.getString(1));
            }
        }
        for (String source : i.sourceList()) {
            Instant lastGoodAt = null;
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT backup_id, completed_at FROM proj_backup WHERE source = ? AND phase = 'Completed' AND verified_ok
                       AND recovery_point_at <= ? ORDER BY recovery_point_at DESC LIMIT 1""")) {
                s.setString(1, source);
                s.setTimestamp(2, Timestamp.from(i.impactStartedAt));
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        ids.add(rs.getString(1));
                        lastGoodAt = rs.getTimestamp(2).toInstant();
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT backup_id FROM proj_backup WHERE source = ? AND (phase = 'Failed' OR verified_ok = false)
                       AND coalesce(started_at, failed_at, completed_at) > ? ORDER BY coalesce(started_at, failed_at, completed_at)
                     LIMIT 1""")) {
                s.setString(1, source);
                s.setTimestamp(2, Timestamp.from(lastGoodAt != null ? lastGoodAt : i.impactStartedAt.minus(Duration.ofDays(30))));
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    static String summary(String type, JsonNode d) {
        return switch (type) {
            case "lifeboat.incident.declared.v1" -> "declared " + d.path("severity").asText() + ": " + d.path("title").asText();
            case "lifeboat.incident.status.changed.v1" -> "status " + d.path("from").asText() + " → " + d.path("to").asText();
            case "lifeboat.incident.service.restored.v1" -> "service restored";
            case "lifeboat.incident.resolved.v1" -> "resolved";
            case "lifeboat.incident.note.added.v1" -> "note: " + d.path("text").asText();
            case "lifeboat.incident.action.added.v1" -> "action for " + d.path("owner").asText() + ": " + d.path("title").asText();
            case "lifeboat.incident.action.closed.v1" -> "action " + d.path("actionId").asText() + " closed";
            case "lifeboat.incident.postmortem.scheduled.v1" -> "post-mortem scheduled for " + d.path("scheduledAt").asText();
            case "lifeboat.incident.alert.received.v1" -> "alert " + d.path("alertName").asText() + " " + d.path("status").asText();
            case "lifeboat.restore.started.v1" -> "restore of " + d.path("source").asText() + " started from " + d.path("backupId").asText()
                    + " (recovery point " + d.path("recoveryPointAt").asText() + ")";
            case "lifeboat.restore.step.completed.v1" -> "restore step " + d.path("step").asText() + " took "
                    + String.format("%.1f s", d.path("durationSeconds").asDouble());
            case "lifeboat.restore.completed.v1" -> "restore of " + d.path("source").asText() + " completed in "
                    + String.format("%.1f s", d.path("durationSeconds").asDouble());
            case "lifeboat.restore.failed.v1" -> "restore failed at " + d.path("step").asText() + ": " + d.path("reason").asText();
            case "lifeboat.backup.completed.v1" -> "backup " + d.path("backupId").asText() + " completed (recovery point "
                    + d.path("recoveryPointAt").asText() + ")";
            case "lifeboat.backup.failed.v1" -> "backup " + d.path("backupId").asText() + " failed: " + d.path("error").asText();
            case "lifeboat.backup.verified.v1" -> "backup " + d.path("backupId").asText() + (d.path("ok").asBoolean() ? " verified" : " failed verification");
            case "lifeboat.drill.started.v1" -> "drill " + d.path("drillId").asText() + " (" + d.path("scenario").asText()
                    + ") started";
            case "lifeboat.drill.completed.v1" -> "drill " + d.path("drillId").asText() + " " + d.path("verdict").asText()
                    + (d.path("rtoSeconds").isNumber() ? String.format(", drill RTO %.0f s", d.path("rtoSeconds").asDouble()) : "");
            default -> type;
        };
    }
}
