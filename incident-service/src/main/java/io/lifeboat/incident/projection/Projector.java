package io.lifeboat.incident.projection;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.events.CloudEvent;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Applies one event to the projection tables. Used live (each newly stored event, in its transaction) and by
 * the rebuild (every event of the log in arrival order), so both produce the same rows. Statements are
 * upserts keyed by aggregate id; an event stored twice is never applied twice (the log is unique on id).
 */
public final class Projector implements AutoCloseable {

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    /** Writes waiting for {@link #flush()}; null when every write runs at once. */
    private final List<Write> pending;

    private record Write(String row, String sql, Object[] args) {
    }

    /** A projector whose writes run at once (live projection, inside the transaction that stored the event). */
    public Projector(Connection connection) {
        this(connection, false);
    }

    private Projector(Connection connection, boolean batching) {
        this.connection = connection;
        this.pending = batching ? new ArrayList<>() : null;
    }

    /** A projector that collects writes until {@link #flush()} runs them in JDBC batches (the rebuild). */
    public static Projector batching(Connection connection) {
        return new Projector(connection, true);
    }

    public void apply(CloudEvent event) throws SQLException {
        JsonNode d = event.data();
        if (d == null) {
            return;
        }
        switch (event.type()) {
            case "lifeboat.backup.source.updated.v1" -> exec("source:" + text(d, "source"), """
                    INSERT INTO proj_source (source, kind, rpo_target_seconds, removed, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (source) DO UPDATE SET kind = excluded.kind, rpo_target_seconds = excluded.rpo_target_seconds,
                      removed = excluded.removed, updated_at = excluded.updated_at
                    WHERE proj_source.updated_at <= excluded.updated_at""",
                    text(d, "source"), text(d, "kind"), durationSeconds(d, "rpoTarget", 86400), d.path("removed").asBoolean(),
                    ts(event.time()));
            case "lifeboat.backup.started.v1" -> exec("backup:" + text(d, "backupId"), """
                    INSERT INTO proj_backup (backup_id, source, phase, started_at) VALUES (?, ?, 'InProgress', ?)
                    ON CONFLICT (backup_id) DO UPDATE SET started_at = excluded.started_at""",
                    text(d, "backupId"), text(d, "source"), instant(d, "startedAt"));
            case "lifeboat.backup.completed.v1" -> exec("backup:" + text(d, "backupId"), """
                    INSERT INTO proj_backup (backup_id, source, phase, started_at, completed_at, recovery_point_at, stored_bytes)
                    VALUES (?, ?, 'Completed', ?, ?, ?, ?)
                    ON CONFLICT (backup_id) DO UPDATE SET phase = 'Completed', started_at = excluded.started_at,
                      completed_at = excluded.completed_at, recovery_point_at = excluded.recovery_point_at,
                      stored_bytes = excluded.stored_bytes""",
                    text(d, "backupId"), text(d, "source"), instant(d, "startedAt"), instant(d, "completedAt"),
                    instant(d, "recoveryPointAt"), d.path("storedBytes").asLong());
            case "lifeboat.backup.failed.v1" -> exec("backup:" + text(d, "backupId"), """
                    INSERT INTO proj_backup (backup_id, source, phase, started_at, failed_at, failed_step, error)
                    VALUES (?, ?, 'Failed', ?, ?, ?, ?)
                    ON CONFLICT (backup_id) DO UPDATE SET phase = 'Failed', failed_at = excluded.failed_at,
                      failed_step = excluded.failed_step, error = excluded.error
                    WHERE proj_backup.phase <> 'Completed'""",
                    text(d, "backupId"), text(d, "source"), instant(d, "startedAt"), instant(d, "failedAt"), text(d, "phase"),
                    text(d, "error"));
            case "lifeboat.backup.verified.v1" -> {
                exec("verification:" + event.id(), """
                        INSERT INTO proj_verification (event_id, backup_id, source, ok, bucket_reachable, detail, verified_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                        UUID.fromString(event.id()), text(d, "backupId"), text(d, "source"), d.path("ok").asBoolean(),
                        d.path("bucketReachable").asBoolean(), text(d, "detail"), instant(d, "verifiedAt"));
                exec("backup:" + text(d, "backupId"), """
                        INSERT INTO proj_backup (backup_id, source, phase, verified_ok, verified_at) VALUES (?, ?, 'InProgress', ?, ?)
                        ON CONFLICT (backup_id) DO UPDATE SET verified_ok = excluded.verified_ok, verified_at = excluded.verified_at
                        WHERE proj_backup.verified_at IS NULL OR proj_backup.verified_at <= excluded.verified_at""",
                        text(d, "backupId"), text(d, "source"), d.path("ok").asBoolean(), instant(d, "verifiedAt"));
            }
            case "lifeboat.backup.expired.v1" -> exec("backup:" + text(d, "backupId"), "UPDATE proj_backup SET expired_at = ? WHERE backup_id = ?",
                    instant(d, "expiredAt"), text(d, "backupId"));
            case "lifeboat.restore.requested.v1" -> exec("restore:" + text(d, "restoreId"), """
                    INSERT INTO proj_restore (restore_id, source, target, mode, reason, incident_id, drill_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (restore_id) DO NOTHING""",
                    text(d, "restoreId"), text(d, "source"), text(d, "target"), text(d, "mode"), text(d, "reason"),
                    text(d, "incidentId"), text(d, "drillId"));
            case "lifeboat.restore.started.v1" -> exec("restore:" + text(d, "restoreId"), """
                    INSERT INTO proj_restore (restore_id, source, backup_id, recovery_point_at, target, mode, reason, incident_id,
                      drill_id, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (restore_id) DO UPDATE SET backup_id = excluded.backup_id,
                      recovery_point_at = excluded.recovery_point_at, started_at = excluded.started_at,
                      incident_id = excluded.incident_id, drill_id = excluded.drill_id""",
                    text(d, "restoreId"), text(d, "source"), text(d, "backupId"), instant(d, "recoveryPointAt"),
                    text(d, "target"), text(d, "mode"), text(d, "reason"), text(d, "incidentId"), text(d, "drillId"),
                    instant(d, "startedAt"));
            case "lifeboat.restore.completed.v1" -> {
                boolean passed = true;
                for (JsonNode check : d.path("checks")) {
                    passed &= check.path("passed").asBoolean();
                }
                exec("restore:" + text(d, "restoreId"), """
                        INSERT INTO proj_restore (restore_id, source, backup_id, recovery_point_at, target, mode, reason, incident_id,
                          drill_id, started_at, completed_at, duration_seconds, stored_bytes, checks_passed)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (restore_id) DO UPDATE SET completed_at = excluded.completed_at,
                          duration_seconds = excluded.duration_seconds, stored_bytes = excluded.stored_bytes,
                          checks_passed = excluded.checks_passed, backup_id = excluded.backup_id,
                          recovery_point_at = excluded.recovery_point_at, started_at = excluded.started_at""",
                        text(d, "restoreId"), text(d, "source"), text(d, "backupId"), instant(d, "recoveryPointAt"),
                        text(d, "target"), text(d, "mode"), text(d, "reason"), text(d, "incidentId"), text(d, "drillId"),
                        instant(d, "startedAt"), instant(d, "completedAt"), d.path("durationSeconds").asDouble(),
                        d.path("storedBytes").asLong(), passed);
            }
            case "lifeboat.restore.failed.v1" -> exec("restore:" + text(d, "restoreId"), """
                    INSERT INTO proj_restore (restore_id, source, incident_id, drill_id, failed_at, failed_step, error)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (restore_id) DO UPDATE SET failed_at = excluded.failed_at, failed_step = excluded.failed_step,
                      error = excluded.error""",
                    text(d, "restoreId"), text(d, "source"), text(d, "incidentId"), text(d, "drillId"), instant(d, "failedAt"),
                    text(d, "step"), text(d, "reason"));
            case "lifeboat.drill.scheduled.v1" -> exec("drill:" + text(d, "drillId"), """
                    INSERT INTO proj_drill (drill_id, scenario, scheduled_for, phase) VALUES (?, ?, ?, 'Scheduled')
                    ON CONFLICT (drill_id) DO UPDATE SET scheduled_for = excluded.scheduled_for""",
                    text(d, "drillId"), text(d, "scenario"), instant(d, "scheduledFor"));
            case "lifeboat.drill.announced.v1" -> exec("drill:" + text(d, "drillId"), """
                    INSERT INTO proj_drill (drill_id, scenario, scheduled_for, announced_at, phase) VALUES (?, ?, ?, ?, 'Announced')
                    ON CONFLICT (drill_id) DO UPDATE SET announced_at = excluded.announced_at,
                      phase = CASE WHEN proj_drill.phase = 'Scheduled' THEN 'Announced' ELSE proj_drill.phase END""",
                    text(d, "drillId"), text(d, "scenario"), instant(d, "scheduledFor"), instant(d, "announcedAt"));
            case "lifeboat.drill.started.v1" -> exec("drill:" + text(d, "drillId"), """
                    INSERT INTO proj_drill (drill_id, scenario, started_at, phase) VALUES (?, ?, ?, 'Running')
                    ON CONFLICT (drill_id) DO UPDATE SET started_at = excluded.started_at,
                      phase = CASE WHEN proj_drill.completed_at IS NULL THEN 'Running' ELSE proj_drill.phase END""",
                    text(d, "drillId"), text(d, "scenario"), instant(d, "startedAt"));
            case "lifeboat.drill.completed.v1" -> exec("drill:" + text(d, "drillId"), """
                    INSERT INTO proj_drill (drill_id, scenario, started_at, completed_at, phase, verdict, reasons, rto_seconds,
                      rpo_seconds, restore_bytes_per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (drill_id) DO UPDATE SET completed_at = excluded.completed_at, phase = excluded.phase,
                      verdict = excluded.verdict, reasons = excluded.reasons, rto_seconds = excluded.rto_seconds,
                      rpo_seconds = excluded.rpo_seconds, restore_bytes_per_second = excluded.restore_bytes_per_second,
                      started_at = excluded.started_at""",
                    text(d, "drillId"), text(d, "scenario"), instant(d, "startedAt"), instant(d, "completedAt"),
                    text(d, "phase"), text(d, "verdict"), join(d.path("reasons")), dbl(d, "rtoSeconds"), dbl(d, "rpoSeconds"),
                    dbl(d, "restoreBytesPerSecond"));
            case "lifeboat.drill.debriefed.v1" -> exec("drill:" + text(d, "drillId"), "UPDATE proj_drill SET debriefed_at = ?, phase = 'Debriefed' WHERE drill_id = ?",
                    instant(d, "debriefedAt"), text(d, "drillId"));
            case "lifeboat.incident.declared.v1" -> exec("incident:" + text(d, "incidentId"), """
                    INSERT INTO proj_incident (incident_id, title, severity, scenario, status, status_changed_at, impact_started_at,
                      detected_at, declared_at, sources) VALUES (?, ?, ?, ?, 'Declared', ?, ?, ?, ?, ?)
                    ON CONFLICT (incident_id) DO UPDATE SET title = excluded.title, severity = excluded.severity,
                      scenario = excluded.scenario, impact_started_at = excluded.impact_started_at,
                      detected_at = excluded.detected_at, declared_at = excluded.declared_at, sources = excluded.sources""",
                    text(d, "incidentId"), text(d, "title"), text(d, "severity"), text(d, "scenario"), instant(d, "declaredAt"),
                    instant(d, "impactStartedAt"), instant(d, "detectedAt"), instant(d, "declaredAt"), join(d.path("sources")));
            case "lifeboat.incident.status.changed.v1" -> {
                exec("incident-status:" + event.id(), "INSERT INTO proj_incident_status (event_id, incident_id, status, changed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        UUID.fromString(event.id()), text(d, "incidentId"), text(d, "to"), instant(d, "changedAt"));
                exec("incident:" + text(d, "incidentId"), """
                        UPDATE proj_incident SET status = ?, status_changed_at = ?,
                          resolved_at = CASE WHEN ? = 'Resolved' THEN ? ELSE resolved_at END
                        WHERE incident_id = ? AND (status_changed_at IS NULL OR status_changed_at <= ?)""",
                        text(d, "to"), instant(d, "changedAt"), text(d, "to"), instant(d, "changedAt"), text(d, "incidentId"),
                        instant(d, "changedAt"));
            }
            case "lifeboat.incident.service.restored.v1" -> exec("incident:" + text(d, "incidentId"),
                    "UPDATE proj_incident SET service_restored_at = ? WHERE incident_id = ?", instant(d, "restoredAt"),
                    text(d, "incidentId"));
            case "lifeboat.incident.resolved.v1" -> exec("incident:" + text(d, "incidentId"), "UPDATE proj_incident SET resolved_at = ? WHERE incident_id = ?",
                    instant(d, "resolvedAt"), text(d, "incidentId"));
            case "lifeboat.incident.postmortem.scheduled.v1" -> exec("incident:" + text(d, "incidentId"),
                    "UPDATE proj_incident SET postmortem_at = ? WHERE incident_id = ?", instant(d, "scheduledAt"),
                    text(d, "incidentId"));
            case "lifeboat.incident.alert.received.v1" -> exec("alert:" + event.id(), """
                    INSERT INTO proj_alert (event_id, incident_id, alert_name, status, starts_at, received_at, summary)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                    UUID.fromString(event.id()), text(d, "incidentId"), text(d, "alertName"), text(d, "status"),
                    instant(d, "startsAt"), instant(d, "receivedAt"), text(d, "summary"));
            default -> {
                // notes, actions and step events live in the event log only
            }
        }
    }

    /** Empties every projection table (the rebuild then replays the log). */
    public static void truncate(Connection connection) throws SQLException {
        try (var s = connection.createStatement()) {
            s.execute("TRUNCATE proj_source, proj_backup, proj_verification, proj_restore, proj_drill, proj_incident, "
                    + "proj_incident_status, proj_alert");
        }
    }

    /**
     * One write to the projection row named by {@code row} ("table:id"). Live, it runs at once; in a batching
     * projector it waits for {@link #flush()}.
     */
    private void exec(String row, String sql, Object... args) throws SQLException {
        if (pending != null) {
            pending.add(new Write(row, sql, args));
            return;
        }
        PreparedStatement statement = prepared(sql);
        bind(statement, args);
        statement.executeUpdate();
    }

    /**
     * Runs the writes collected since the last flush with JDBC batches, in the order each row saw them. Every
     * write changes exactly the one row it names and reads no other, so only writes to the same row must keep
     * their order: the n-th write to each row goes into round n, and a round (in which no row appears twice)
     * runs as one batch per statement.
     */
    public void flush() throws SQLException {
        if (pending == null || pending.isEmpty()) {
            return;
        }
        Map<String, Integer> writesPerRow = new HashMap<>();
        List<List<Write>> rounds = new ArrayList<>();
        for (Write write : pending) {
            int round = writesPerRow.merge(write.row(), 1, Integer::sum) - 1;
            if (rounds.size() == round) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(write);
        }
        for (List<Write> round : rounds) {
            Set<PreparedStatement> batched = new LinkedHashSet<>();
            for (Write write : round) {
                PreparedStatement statement = prepared(write.sql());
                bind(statement, write.args());
                statement.addBatch();
                batched.add(statement);
            }
            for (PreparedStatement statement : batched) {
                statement.executeBatch();
            }
        }
        pending.clear();
    }

    private PreparedStatement prepared(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    private static void bind(PreparedStatement statement, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg == null) {
                statement.setNull(i + 1, Types.OTHER);
            } else {
                statement.setObject(i + 1, arg);
            }
        }
    }

    private static String text(JsonNode d, String field) {
        JsonNode n = d.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static Timestamp instant(JsonNode d, String field) {
        String t = text(d, field);
        return t == null ? null : Timestamp.from(Instant.parse(t));
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static Double dbl(JsonNode d, String field) {
        JsonNode n = d.get(field);
        return n == null || n.isNull() ? null : n.asDouble();
    }

    private static long durationSeconds(JsonNode d, String field, long fallback) {
        String t = text(d, field);
        return t == null ? fallback : java.time.Duration.parse(t).toSeconds();
    }

    private static String join(JsonNode array) {
        if (array == null || !array.isArray()) return null;
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : array) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(n.asText());
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (PreparedStatement s : statements.values()) {
            try {
                s.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
