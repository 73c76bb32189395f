package io.lifeboat.events;

import io.lifeboat.events.backup.*;
import io.lifeboat.events.drill.*;
import io.lifeboat.events.incident.*;
import io.lifeboat.events.restore.*;

import java.util.Arrays;
import java.util.Optional;

/** The event catalogue: versioned CloudEvent type names, their topic and payload record. */
public enum EventType {
    BACKUP_SOURCE_UPDATED("lifeboat.backup.source.updated.v1", Topic.BACKUP, SourceUpdated.class),
    BACKUP_STARTED("lifeboat.backup.started.v1", Topic.BACKUP, BackupStarted.class),
    BACKUP_COMPLETED("lifeboat.backup.completed.v1", Topic.BACKUP, BackupCompleted.class),
    BACKUP_FAILED("lifeboat.backup.failed.v1", Topic.BACKUP, BackupFailed.class),
    BACKUP_VERIFIED("lifeboat.backup.verified.v1", Topic.BACKUP, BackupVerified.class),
    BACKUP_EXPIRED("lifeboat.backup.expired.v1", Topic.BACKUP, BackupExpired.class),
    BACKUP_WAL_ARCHIVED("lifeboat.backup.wal.archived.v1", Topic.BACKUP, WalArchived.class),
    BACKUP_WAL_STREAM_CHANGED("lifeboat.backup.wal.stream.changed.v1", Topic.BACKUP, WalStreamChanged.class),
    BACKUP_WAL_GAP_DETECTED("lifeboat.backup.wal.gap.detected.v1", Topic.BACKUP, WalGapDetected.class),

    RESTORE_REQUESTED("lifeboat.restore.requested.v1", Topic.RESTORE, RestoreRequested.class),
    RESTORE_STARTED("lifeboat.restore.started.v1", Topic.RESTORE, RestoreStarted.class),
    RESTORE_STEP_COMPLETED("lifeboat.restore.step.completed.v1", Topic.RESTORE, RestoreStepCompleted.class),
    RESTORE_COMPLETED("lifeboat.restore.completed.v1", Topic.RESTORE, RestoreCompleted.class),
    RESTORE_FAILED("lifeboat.restore.failed.v1", Topic.RESTORE, RestoreFailed.class),

    DRILL_SCHEDULED("lifeboat.drill.scheduled.v1", Topic.DRILL, DrillScheduled.class),
    DRILL_ANNOUNCED("lifeboat.drill.announced.v1", Topic.DRILL, DrillAnnounced.class),
    DRILL_STARTED("lifeboat.drill.started.v1", Topic.DRILL, DrillStarted.class),
    DRILL_STEP_COMPLETED("lifeboat.drill.step.completed.v1", Topic.DRILL, DrillStepCompleted.class),
    DRILL_COMPLETED("lifeboat.drill.completed.v1", Topic.DRILL, DrillCompleted.class),
    DRILL_DEBRIEFED("lifeboat.drill.debriefed.v1", Topic.DRILL, DrillDebriefed.class),

    INCIDENT_DECLARED("lifeboat.incident.declared.v1", Topic.INCIDENT, IncidentDeclared.class),
    INCIDENT_STATUS_CHANGED("lifeboat.incident.status.changed.v1", Topic.INCIDENT, IncidentStatusChanged.class),
    INCIDENT_SERVICE_RESTORED("lifeboat.incident.service.restored.v1", Topic.INCIDENT, ServiceRestored.class),
    INCIDENT_RESOLVED("lifeboat.incident.resolved.v1", Topic.INCIDENT, IncidentResolved.class),
    INCIDENT_NOTE_ADDED("lifeboat.incident.note.added.v1", Topic.INCIDENT, NoteAdded.class),
    INCIDENT_ACTION_ADDED("lifeboat.incident.action.added.v1", Topic.INCIDENT, ActionAdded.class),
    INCIDENT_ACTION_CLOSED("lifeboat.incident.action.closed.v1", Topic.INCIDENT, ActionClosed.class),
    INCIDENT_POSTMORTEM_SCHEDULED("lifeboat.incident.postmortem.scheduled.v1", Topic.INCIDENT, PostmortemScheduled.class),
    INCIDENT_ALERT_RECEIVED("lifeboat.incident.alert.received.v1", Topic.INCIDENT, AlertReceived.class);

    private final String typeName;
    private final Topic topic;
    private final Class<? extends EventPayload> payloadType;

    EventType(String typeName, Topic topic, Class<? extends EventPayload> payloadType) {
        this.typeName = typeName;
        this.topic = topic;
        this.payloadType = payloadType;
    }

    public String typeName() {
        return typeName;
    }

    public Topic topic() {
        return topic;
    }

    public Class<? extends EventPayload> payloadType() {
        return payloadType;
    }

    /** The schema resource of this type, e.g. {@code /schemas/lifeboat.backup.completed.v1.json}. */
    public String schemaResource() {
        return "/schemas/" + typeName + ".json";
    }

    public static Optional<EventType> fromTypeName(String typeName) {
        return Arrays.stream(values()).filter(t -> t.typeName.equals(typeName)).findFirst();
    }

    public static EventType of(Class<? extends EventPayload> payloadType) {
        return Arrays.stream(values()).filter(t -> t.payloadType.equals(payloadType)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no event type for " + payloadType.getName()));
    }
}
