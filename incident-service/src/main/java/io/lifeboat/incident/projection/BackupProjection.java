package io.lifeboat.incident.projection;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.events.CloudEvent;

import java.sql.SQLException;
import java.util.UUID;

import static io.lifeboat.incident.projection.EventFields.*;

/** Backups, sources and WAL: the rows behind RPO (proj_source, proj_backup, proj_verification, proj_wal). */
final class BackupProjection {

    private BackupProjection() {
    }

    static void apply(CloudEvent event, JsonNode d, ProjectionWrites writes) throws SQLException {
        switch (event.type()) {
            case "lifeboat.backup.source.updated.v1" -> writes.exec("source:" + text(d, "source"), """
                    INSERT INTO proj_source (source, kind, rpo_target_seconds, removed, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (source) DO UPDATE SET kind = excluded.kind, rpo_target_seconds = excluded.rpo_target_seconds,
                      removed = excluded.removed, updated_at = excluded.updated_at
                    WHERE proj_source.updated_at <= excluded.updated_at""",
                    text(d, "source"), text(d, "kind"), durationSeconds(d, "rpoTarget", 86400), d.path("removed").asBoolean(),
                    ts(event.time()));
            case "lifeboat.backup.started.v1" -> writes.exec("backup:" + text(d, "backupId"), """
                    INSERT INTO proj_backup (backup_id, source, phase, started_at) VALUES (?, ?, 'InProgress', ?)
                    ON CONFLICT (backup_id) DO UPDATE SET started_at = excluded.started_at""",
                    text(d, "backupId"), text(d, "source"), instant(d, "startedAt"));
            case "lifeboat.backup.completed.v1" -> writes.exec("backup:" + text(d, "backupId"), """
                    INSERT INTO proj_backup (backup_id, source, phase, started_at, completed_at, recovery_point_at, stored_bytes)
                    VALUES (?, ?, 'Completed', ?, ?, ?, ?)
                    ON CONFLICT (backup_id) DO UPDATE SET phase = 'Completed', started_at = excluded.started_at,
                      completed_at = excluded.completed_at, recovery_point_at = excluded.recovery_point_at,
                      stored_bytes = excluded.stored_bytes""",
                    text(d, "backupId"), text(d, "source"), instant(d, "startedAt"), instant(d, "completedAt"),
                    instant(d, "recoveryPointAt"), d.path("storedBytes").asLong());
            case "lifeboat.backup.failed.v1" -> writes.exec("backup:" + text(d, "backupId"), """
                    INSERT INTO proj_backup (backup_id, source, phase, started_at, failed_at, failed_step, error)
                    VALUES (?, ?, 'Failed', ?, ?, ?, ?)
                    ON CONFLICT (backup_id) DO UPDATE SET phase = 'Failed', failed_at = excluded.failed_at,
                      failed_step = excluded.failed_step, error = excluded.error
                    WHERE proj_backup.phase <> 'Completed'""",
                    text(d, "backupId"), text(d, "source"), instant(d, "startedAt"), instant(d, "failedAt"), text(d, "phase"),
                    text(d, "error"));
            case "lifeboat.backup.verified.v1" -> {
                writes.exec("verification:" + event.id(), """
                        INSERT INTO proj_verification (event_id, backup_id, source, ok, bucket_reachable, detail, verified_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                        UUID.fromString(event.id()), text(d, "backupId"), text(d, "source"), d.path("ok").asBoolean(),
                        d.path("bucketReachable").asBoolean(), text(d, "detail"), instant(d, "verifiedAt"));
                writes.exec("backup:" + text(d, "backupId"), """
                        INSERT INTO proj_backup (backup_id, source, phase, verified_ok, verified_at) VALUES (?, ?, 'InProgress', ?, ?)
                        ON CONFLICT (backup_id) DO UPDATE SET verified_ok = excluded.verified_ok, verified_at = excluded.verified_at
                        WHERE proj_backup.verified_at IS NULL OR proj_backup.verified_at <= excluded.verified_at""",
                        text(d, "backupId"), text(d, "source"), d.path("ok").asBoolean(), instant(d, "verifiedAt"));
            }
            case "lifeboat.backup.wal.archived.v1" -> writes.exec("wal:" + text(d, "source"), """
                    INSERT INTO proj_wal (source, timeline, segment, stored_lsn, covered_until, restorable_until, archived_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (source) DO UPDATE SET timeline = excluded.timeline, segment = excluded.segment,
                      stored_lsn = excluded.stored_lsn, covered_until = excluded.covered_until,
                      restorable_until = excluded.restorable_until, archived_at = excluded.archived_at
                    WHERE proj_wal.archived_at IS NULL OR proj_wal.archived_at <= excluded.archived_at""",
                    text(d, "source"), d.path("timeline").asInt(), text(d, "segment"), text(d, "endLsn"),
                    instant(d, "coveredUntil"), instant(d, "restorableUntil"), instant(d, "archivedAt"));
            case "lifeboat.backup.wal.gap.detected.v1" -> writes.exec("wal:" + text(d, "source"), """
                    INSERT INTO proj_wal (source, last_gap_segment, last_gap_detail, last_gap_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (source) DO UPDATE SET last_gap_segment = excluded.last_gap_segment,
                      last_gap_detail = excluded.last_gap_detail, last_gap_at = excluded.last_gap_at,
                      restorable_until = CASE WHEN proj_wal.archived_at <= excluded.last_gap_at THEN NULL
                                              ELSE proj_wal.restorable_until END
                    WHERE proj_wal.last_gap_at IS NULL OR proj_wal.last_gap_at <= excluded.last_gap_at""",
                    text(d, "source"), text(d, "missingSegment"), text(d, "detail"), instant(d, "detectedAt"));
            case "lifeboat.backup.wal.stream.changed.v1" -> writes.exec("wal:" + text(d, "source"), """
                    INSERT INTO proj_wal (source, stream_state, stream_detail, stream_changed_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (source) DO UPDATE SET stream_state = excluded.stream_state,
                      stream_detail = excluded.stream_detail, stream_changed_at = excluded.stream_changed_at
                    WHERE proj_wal.stream_changed_at IS NULL OR proj_wal.stream_changed_at <= excluded.stream_changed_at""",
                    text(d, "source"), text(d, "state"), text(d, "detail"), instant(d, "at"));
            case "lifeboat.backup.expired.v1" -> writes.exec("backup:" + text(d, "backupId"), "UPDATE proj_backup SET expired_at = ? WHERE backup_id = ?",
                    instant(d, "expiredAt"), text(d, "backupId"));
            default -> {
                // the event log keeps what no projection needs
            }
        }
    }
}
