package io.lifeboat.incident.projection;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.events.CloudEvent;

import java.sql.SQLException;

import static io.lifeboat.incident.projection.EventFields.*;

/** Restores: what was restored, from which recovery point, how fast (proj_restore). */
final class RestoreProjection {

    private RestoreProjection() {
    }

    static void apply(CloudEvent event, JsonNode d, ProjectionWrites writes) throws SQLException {
        switch (event.type()) {
            case "lifeboat.restore.requested.v1" -> writes.exec("restore:" + text(d, "restoreId"), """
                    INSERT INTO proj_restore (restore_id, source, target, mode, reason, incident_id, drill_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (restore_id) DO NOTHING""",
                    text(d, "restoreId"), text(d, "source"), text(d, "target"), text(d, "mode"), text(d, "reason"),
                    text(d, "incidentId"), text(d, "drillId"));
            case "lifeboat.restore.started.v1" -> writes.exec("restore:" + text(d, "restoreId"), """
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
                writes.exec("restore:" + text(d, "restoreId"), """
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
            case "lifeboat.restore.failed.v1" -> writes.exec("restore:" + text(d, "restoreId"), """
                    INSERT INTO proj_restore (restore_id, source, incident_id, drill_id, failed_at, failed_step, error)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (restore_id) DO UPDATE SET failed_at = excluded.failed_at, failed_step = excluded.failed_step,
                      error = excluded.error""",
                    text(d, "restoreId"), text(d, "source"), text(d, "incidentId"), text(d, "drillId"), instant(d, "failedAt"),
                    text(d, "step"), text(d, "reason"));
            default -> {
                // the event log keeps what no projection needs
            }
        }
    }
}
