package io.lifeboat.incident.projection;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.events.CloudEvent;

import java.sql.SQLException;

import static io.lifeboat.incident.projection.EventFields.*;

/** Drills: calendar, runs, verdicts and measurements (proj_drill). */
final class DrillProjection {

    private DrillProjection() {
    }

    static void apply(CloudEvent event, JsonNode d, ProjectionWrites writes) throws SQLException {
        switch (event.type()) {
            case "lifeboat.drill.scheduled.v1" -> writes.exec("drill:" + text(d, "drillId"), """
                    INSERT INTO proj_drill (drill_id, scenario, scheduled_for, phase) VALUES (?, ?, ?, 'Scheduled')
                    ON CONFLICT (drill_id) DO UPDATE SET scheduled_for = excluded.scheduled_for""",
                    text(d, "drillId"), text(d, "scenario"), instant(d, "scheduledFor"));
            case "lifeboat.drill.announced.v1" -> writes.exec("drill:" + text(d, "drillId"), """
                    INSERT INTO proj_drill (drill_id, scenario, scheduled_for, announced_at, phase) VALUES (?, ?, ?, ?, 'Announced')
                    ON CONFLICT (drill_id) DO UPDATE SET announced_at = excluded.announced_at,
                      phase = CASE WHEN proj_drill.phase = 'Scheduled' THEN 'Announced' ELSE proj_drill.phase END""",
                    text(d, "drillId"), text(d, "scenario"), instant(d, "scheduledFor"), instant(d, "announcedAt"));
            case "lifeboat.drill.started.v1" -> writes.exec("drill:" + text(d, "drillId"), """
                    INSERT INTO proj_drill (drill_id, scenario, started_at, phase) VALUES (?, ?, ?, 'Running')
                    ON CONFLICT (drill_id) DO UPDATE SET started_at = excluded.started_at,
                      phase = CASE WHEN proj_drill.completed_at IS NULL THEN 'Running' ELSE proj_drill.phase END""",
                    text(d, "drillId"), text(d, "scenario"), instant(d, "startedAt"));
            case "lifeboat.drill.completed.v1" -> writes.exec("drill:" + text(d, "drillId"), """
                    INSERT INTO proj_drill (drill_id, scenario, started_at, completed_at, phase, verdict, reasons, rto_seconds,
                      rpo_seconds, restore_bytes_per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (drill_id) DO UPDATE SET completed_at = excluded.completed_at, phase = excluded.phase,
                      verdict = excluded.verdict, reasons = excluded.reasons, rto_seconds = excluded.rto_seconds,
                      rpo_seconds = excluded.rpo_seconds, restore_bytes_per_second = excluded.restore_bytes_per_second,
                      started_at = excluded.started_at""",
                    text(d, "drillId"), text(d, "scenario"), instant(d, "startedAt"), instant(d, "completedAt"),
                    text(d, "phase"), text(d, "verdict"), join(d.path("reasons")), dbl(d, "rtoSeconds"), dbl(d, "rpoSeconds"),
                    dbl(d, "restoreBytesPerSecond"));
            case "lifeboat.drill.debriefed.v1" -> writes.exec("drill:" + text(d, "drillId"), "UPDATE proj_drill SET debriefed_at = ?, phase = 'Debriefed' WHERE drill_id = ?",
                    instant(d, "debriefedAt"), text(d, "drillId"));
            default -> {
                // the event log keeps what no projection needs
            }
        }
    }
}
